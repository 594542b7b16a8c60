"""Setting up the second factor (TOTP) on the account page; bureau staff must have one.

A bureau admin can reach every member's invoices, so after logging in without a second factor
they are sent to the set-up page and can reach nothing else (``require_for_bureau_staff``)
until it is on. Turning it on or off rotates the session token (a change of privileges).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import segno
from flask import Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import login_sessions
from app.account.views import blueprint
from app.extensions import db
from app.form_input import password, required
from app.refusals import Errors, attempt, go_back, show_again
from ledger.errors import ValidationFailed, message
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


CODE_LONGEST = 12


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
    return _page()


@blueprint.route("/second-factor/start", methods=["POST"])
@login_required
def start_second_factor() -> Any:
    back = url_for("account.second_factor")
    return attempt(
        lambda: second_factor.begin_setup(db.session(), current_user.id, login_sessions.now()),
        lambda _begun: redirect(back),
        go_back(back),
    )


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
    return attempt(
        lambda: second_factor.confirm_setup(
            db.session(),
            current_user.id,
            required(request.form, "code", longest=CODE_LONGEST),
            login_sessions.now(),
        ),
        _confirmed,
        show_again(_page, "code", {}),
    )


def _confirmed(codes: list[str]) -> Any:
    login_sessions.rotate_current()
    flash(_("Je tweede factor staat aan."))
    return render_template("account/recovery_codes.html", codes=codes)


@blueprint.route("/second-factor/disable", methods=["POST"])
@login_required
def disable_second_factor() -> Any:
    if current_user.is_bureau_admin:
        flash(_("Bureaumedewerkers houden hun tweede factor aan."), "error")
        return redirect(url_for("account.second_factor"))
    return attempt(
        lambda: _disable(password(request.form, "password")),
        lambda _done: _disabled(),
        show_again(_page, "password", {}),
    )


def _disable(typed: str) -> None:
    user = db.session().get(User, current_user.id)
    if user is None or not verify_password(user.password_hash, typed):
        raise ValidationFailed(message("Dat wachtwoord klopt niet."), field="password")
    second_factor.disable(db.session(), current_user.id, current_user.id)


def _disabled() -> Any:
    login_sessions.rotate_current()
    flash(_("Je tweede factor staat uit."))
    return redirect(url_for("account.index"))


def _page(errors: Errors | None = None, _values: Mapping[str, str] | None = None) -> str:
    """The set-up page; both its forms are a code or a password, never shown again."""
    session = db.session()
    secret = second_factor.pending_secret(session, current_user.id)
    return render_template(
        "account/second_factor.html",
        is_enabled=second_factor.is_enabled(session, current_user.id),
        secret=secret,
        errors=errors or {},
    )
