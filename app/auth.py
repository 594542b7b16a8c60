"""Logging in (password, then a second factor if set up) and out, and accepting invitations."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from app import login_limits, login_sessions
from app.errors import flash_refusal, translated
from app.extensions import db, login_manager
from app.form_input import text
from ledger.errors import DomainError
from tenants import invitations
from tenants import second_factor as second_factor_module
from tenants.models import User
from tenants.password_policy import MINIMUM_LENGTH
from tenants.people import authenticate
from tenants.security_log import record, record_failed_login
from tenants.security_models import EventKind

blueprint = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])


class NewAccountForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Wachtwoord"), validators=[DataRequired(), Length(min=MINIMUM_LENGTH, max=200)]
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])


PENDING_KEY = "pending_login"
PENDING_LIFETIME_SECONDS = 300
PASSWORD_ATTEMPTS = "password"  # noqa: S105  (a kind of attempt)
CODE_ATTEMPTS = "code"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om verder te gaan.")
    login_manager.localize_callback = str  # translated when flashed, stored as plain text
    login_manager.session_protection = "strong"
    login_manager.user_loader(login_sessions.load_user)
    app.register_blueprint(blueprint)
    login_limits.init_app(app)
    login_limits.limit_per_address(app, "auth.login", "LOGIN_RATE_LIMIT")
    login_limits.limit_per_address(app, "auth.second_factor", "LOGIN_RATE_LIMIT")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        login_limits.refuse_if_account_locked(PASSWORD_ATTEMPTS, email)
        user = authenticate(db.session(), email, form.password.data or "")
        if user is not None:
            return _after_password(user)
        login_limits.count_failure(PASSWORD_ATTEMPTS, email)
        record_failed_login(db.session(), email, login_sessions.client_address())
        # One message for an unknown e-mail, a wrong password and a deactivated account alike.
        form.password.errors = [_("Onbekend e-mailadres of verkeerd wachtwoord.")]
    return render_template("login.html", form=form)


def _after_password(user: User) -> Any:
    """Log in, or first ask for the second factor of a person who has one."""
    target = _safe_next(request.args.get("next"))
    if not second_factor_module.is_enabled(db.session(), user.id):
        _start_session(user)
        return redirect(target)
    login_sessions.fresh_cookie()
    session[PENDING_KEY] = {"user_id": user.id, "at": time.time(), "next": target}
    return redirect(url_for("auth.second_factor"))


@blueprint.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Any:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending["at"] > PENDING_LIFETIME_SECONDS:
        session.pop(PENDING_KEY, None)
        flash(_("Log opnieuw in."))
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        account = str(pending["user_id"])
        login_limits.refuse_if_account_locked(CODE_ATTEMPTS, account)
        now = login_sessions.now()
        user = db.session().get(User, pending["user_id"])
        if (
            user is not None
            and user.is_active
            and second_factor_module.verify(db.session(), user.id, form.code.data or "", now)
        ):
            _start_session(user, has_second_factor=True)
            return redirect(pending["next"])
        login_limits.count_failure(CODE_ATTEMPTS, account)
        if user is not None:
            record(
                db.session(),
                EventKind.LOGIN_FAILED,
                user_id=user.id,
                ip_address=login_sessions.client_address(),
                detail="second factor",
            )
        form.code.errors = [_("Die code klopt niet of is al gebruikt.")]
    return render_template("login_code.html", form=form)


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    login_sessions.end(current_user.id if current_user.is_authenticated else None)
    flash(_("Je bent uitgelogd."))
    return redirect(url_for("auth.login"))


@blueprint.route("/locale", methods=["POST"])
def choose_locale() -> Any:
    locale = text(request.form, "locale")
    if locale in ("nl", "en"):
        session["locale"] = locale
    return redirect(_safe_next(text(request.form, "next")))


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Any:
    try:
        invitation = invitations.pending_invitation(db.session(), token)
    except DomainError as error:
        return render_template("invitation.html", error=translated(error)), 410
    slug = invitation.organisation.slug
    form = NewAccountForm()
    if current_user.is_authenticated and request.method == "POST":
        return _accept_logged_in(token, slug)
    if not current_user.is_authenticated and form.validate_on_submit():
        return _accept_new(token, slug, form)
    return render_template("invitation.html", invitation=invitation, form=form)


def _accept_logged_in(token: str, slug: str) -> Any:
    user = db.session().get(User, current_user.id)
    assert user is not None
    try:
        invitations.accept_as_user(db.session(), token, user)
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("auth.accept_invitation", token=token))
    return redirect(url_for("dashboard.index", slug=slug))


def _accept_new(token: str, slug: str, form: NewAccountForm) -> Any:
    try:
        user = invitations.accept_as_new_user(
            db.session(), token, form.name.data or "", form.password.data or ""
        )
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("auth.accept_invitation", token=token))
    _start_session(user)
    return redirect(url_for("dashboard.index", slug=slug))


def _start_session(user: User, *, has_second_factor: bool = False) -> None:
    login_sessions.start(user, has_second_factor=has_second_factor)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot send someone elsewhere after login.

    Browsers read ``/\\evil.example`` as ``//evil.example`` and drop tabs and newlines, so
    backslashes and control characters are refused along with schemes and hosts.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    if "\\" in target or any(ord(character) < 0x21 for character in target):
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("home.index")
    return target
