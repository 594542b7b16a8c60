"""Setting up the second factor (TOTP) on the account page; bureau staff must have one.

A bureau admin can reach every member's invoices, so after logging in without a second factor
they are sent to the set-up page and can reach nothing else (``require_for_bureau_staff``)
until it is on. Turning it on or off rotates the session token (a change of privileges).
"""

from __future__ import annotations

from typing import Any

import segno
from flask import Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app import login_sessions
from app.account.views import blueprint
from app.errors import translated
from app.extensions import db
from ledger.errors import DomainError
from tenants import second_factor
from tenants.models import User
from tenants.passwords import verify_password

# What a bureau admin without a second factor may still reach.
_OPEN_DURING_SETUP = frozenset(
    {
        "account.second_factor",
        "account.start_second_factor",
        "account.confirm_second_factor",
        "account.second_factor_qr",
        "auth.logout",
        "auth.choose_locale",
        "static",
    }
)


class ConfirmForm(FlaskForm):
    code = StringField(_l("Code uit de app"), validators=[DataRequired(), Length(max=12)])


class DisableForm(FlaskForm):
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])


def init_app(app: Flask) -> None:
    app.before_request(require_for_bureau_staff)


def require_for_bureau_staff() -> Any:
    """Send a bureau admin without a second factor to its set-up page, from anywhere."""
    if not current_user.is_authenticated or not current_user.is_bureau_admin:
        return None
    if current_user.has_second_factor or request.endpoint in _OPEN_DURING_SETUP:
        return None
    return redirect(url_for("account.second_factor"))


@blueprint.route("/second-factor", endpoint="second_factor")
@login_required
def second_factor_page() -> Any:
    return _page(ConfirmForm(), DisableForm())


@blueprint.route("/second-factor/start", methods=["POST"])
@login_required
def start_second_factor() -> Any:
    if FlaskForm().validate_on_submit():
        try:
            second_factor.begin_setup(db.session(), current_user.id, login_sessions.now())
        except DomainError as error:
            flash(translated(error), "error")
    return redirect(url_for("account.second_factor"))


@blueprint.route("/second-factor/qr.svg")
@login_required
def second_factor_qr() -> Any:
    secret = second_factor.pending_secret(db.session(), current_user.id)
    if secret is None:
        abort(404)
    uri = second_factor.provisioning_uri(secret, current_user.email)
    svg = segno.make(uri, error="m").svg_inline(scale=5)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.route("/second-factor/confirm", methods=["POST"])
@login_required
def confirm_second_factor() -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(form, DisableForm()), 422
    try:
        codes = second_factor.confirm_setup(
            db.session(), current_user.id, form.code.data or "", login_sessions.now()
        )
    except DomainError as error:
        form.code.errors = [translated(error)]
        return _page(form, DisableForm()), 422
    login_sessions.rotate_current()
    flash(_("Je tweede factor staat aan."))
    return render_template("account/recovery_codes.html", codes=codes)


@blueprint.route("/second-factor/disable", methods=["POST"])
@login_required
def disable_second_factor() -> Any:
    form = DisableForm()
    user = db.session().get(User, current_user.id)
    if current_user.is_bureau_admin:
        flash(_("Bureaumedewerkers houden hun tweede factor aan."), "error")
        return redirect(url_for("account.second_factor"))
    if not form.validate_on_submit() or user is None:
        return _page(ConfirmForm(), form), 422
    if not verify_password(user.password_hash, form.password.data or ""):
        form.password.errors = [_("Dat wachtwoord klopt niet.")]
        return _page(ConfirmForm(), form), 422
    second_factor.disable(db.session(), current_user.id, current_user.id)
    login_sessions.rotate_current()
    flash(_("Je tweede factor staat uit."))
    return redirect(url_for("account.index"))


def _page(confirm: ConfirmForm, disable: DisableForm) -> str:
    session = db.session()
    secret = second_factor.pending_secret(session, current_user.id)
    return render_template(
        "account/second_factor.html",
        is_enabled=second_factor.is_enabled(session, current_user.id),
        secret=secret,
        confirm=confirm,
        disable=disable,
        start=FlaskForm(),
    )
