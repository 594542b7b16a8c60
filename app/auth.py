"""Logging in (password, then a second factor if set up) and out, and accepting invitations."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import login_limits, login_sessions
from app.errors import translated
from app.extensions import db, login_manager
from app.form_input import email, password, required, text, without_passwords
from app.refusals import Errors, attempt, go_back, show_again
from ledger.errors import DomainError
from tenants import invitations
from tenants import second_factor as second_factor_module
from tenants.models import Invitation, User
from tenants.password_policy import MINIMUM_LENGTH
from tenants.people import authenticate
from tenants.security_log import record, record_failed_login
from tenants.security_models import EventKind

blueprint = Blueprint("auth", __name__)


PENDING_KEY = "pending_login"
PENDING_LIFETIME_SECONDS = 300
PASSWORD_ATTEMPTS = "password"  # noqa: S105  (a kind of attempt)
CODE_ATTEMPTS = "code"
NAME_LONGEST = 200
NEW_PASSWORD_LONGEST = 200
CODE_LONGEST = 40


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
    if request.method != "POST":
        return _login_page()
    form = request.form
    return attempt(
        lambda: (email(form, "email"), password(form, "password")),
        lambda typed: _check_password(*typed),
        show_again(_login_page, "email", without_passwords(form, "password")),
    )


def _check_password(typed_email: str, typed_password: str) -> Any:
    login_limits.refuse_if_account_locked(PASSWORD_ATTEMPTS, typed_email)
    user = authenticate(db.session(), typed_email, typed_password)
    if user is not None:
        return _after_password(user)
    login_limits.count_failure(PASSWORD_ATTEMPTS, typed_email)
    record_failed_login(db.session(), typed_email, login_sessions.client_address())
    # One message for an unknown e-mail, a wrong password and a deactivated account alike.
    # Answered with 200, not 422: the request's unit of work must commit the log entry.
    refused = {"password": _("Onbekend e-mailadres of verkeerd wachtwoord.")}
    return _login_page(refused, without_passwords(request.form, "password"))


def _login_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    return render_template("login.html", errors=errors or {}, values=values or {})


def _after_password(user: User) -> Any:
    """Log in, or first ask for the second factor of a person who has one."""
    target = _safe_next(text(request.args, "next"))
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
    if request.method != "POST":
        return _code_page()
    return attempt(
        lambda: required(request.form, "code", longest=CODE_LONGEST),
        lambda code: _check_code(pending, code),
        show_again(_code_page, "code", {}),
    )


def _check_code(pending: dict[str, Any], code: str) -> Any:
    account = str(pending["user_id"])
    login_limits.refuse_if_account_locked(CODE_ATTEMPTS, account)
    now = login_sessions.now()
    user = db.session().get(User, pending["user_id"])
    if (
        user is not None
        and user.is_active
        and second_factor_module.verify(db.session(), user.id, code, now)
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
    # 200, not 422, like a wrong password: the log entry must be committed.
    return _code_page({"code": _("Die code klopt niet of is al gebruikt.")})


def _code_page(errors: Errors | None = None, _values: Mapping[str, str] | None = None) -> str:
    return render_template("login_code.html", errors=errors or {})


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
    if request.method != "POST":
        return _invitation_page(invitation)
    if current_user.is_authenticated:
        return _accept_logged_in(token, slug)
    form = request.form
    return attempt(
        lambda: _accept_new(token, form),
        lambda user: _welcome(user, slug),
        _refused_new(invitation, token),
    )


def _invitation_page(
    invitation: Invitation, errors: Errors | None = None, values: Mapping[str, str] | None = None
) -> str:
    return render_template(
        "invitation.html", invitation=invitation, errors=errors or {}, values=values or {}
    )


def _accept_logged_in(token: str, slug: str) -> Any:
    user = db.session().get(User, current_user.id)
    assert user is not None
    return attempt(
        lambda: invitations.accept_as_user(db.session(), token, user),
        lambda _accepted: redirect(url_for("dashboard.index", slug=slug)),
        go_back(url_for("auth.accept_invitation", token=token)),
    )


def _accept_new(token: str, form: Mapping[str, str]) -> User:
    name = required(form, "name", longest=NAME_LONGEST)
    typed = password(form, "password", shortest=MINIMUM_LENGTH, longest=NEW_PASSWORD_LONGEST)
    return invitations.accept_as_new_user(db.session(), token, name, typed)


def _refused_new(invitation: Invitation, token: str) -> Any:
    """Bad input (here or in the rules for a name or password): the page again, the name kept,
    the reason at its field; any other refusal (the address has an account): flashed."""
    shown = show_again(
        lambda errors, values: _invitation_page(invitation, errors, values),
        "name",
        without_passwords(request.form, "password"),
    )
    back = go_back(url_for("auth.accept_invitation", token=token))
    return lambda error: shown(error) if error.field in ("name", "password") else back(error)


def _welcome(user: User, slug: str) -> Any:
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
