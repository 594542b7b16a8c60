"""Passwords: change it (knowing the current one), or reset it through a mailed link.

The request page answers the same whether or not the address has an account, and the mail
leaves after the answer (so its sending time tells nothing either). Links are built only from
``SB_PUBLIC_URL`` (or, in development without it, ``DEVELOPMENT_URL``), never from the
request's Host header, which a visitor chooses.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import login_limits, login_sessions
from app.account.views import blueprint as account
from app.errors import translated
from app.extensions import db
from app.form_input import email, password
from app.mail import Mail, send
from app.refusals import Errors, attempt, show_again
from ledger.errors import DomainError, ValidationFailed, message
from tenants import credentials
from tenants.models import User
from tenants.password_policy import MAXIMUM_LENGTH, RULE

log = logging.getLogger(__name__)

blueprint = Blueprint("password", __name__, url_prefix="/password")

DEVELOPMENT_URL = "http://127.0.0.1:5000"
RESET_REQUESTS = "reset"
PASSWORD_ATTEMPTS = "password"  # noqa: S105  (the login's counter: one budget per account)


def init_app(app: Flask) -> None:
    """The rule for new passwords, for every page with a field for one."""
    app.jinja_env.globals["PASSWORD_RULE"] = RULE
    login_limits.limit_per_address(app, "password.forgotten", "LOGIN_RATE_LIMIT")


@blueprint.route("/forgotten", methods=["GET", "POST"])
def forgotten() -> Any:
    if request.method != "POST":
        return _forgotten_page()
    return attempt(
        lambda: email(request.form, "email"),
        _request_reset,
        show_again(_forgotten_page, "email"),
    )


def _request_reset(typed: str) -> str:
    # Every request counts against the address typed, known or not: no mail flood.
    login_limits.refuse_if_account_locked(RESET_REQUESTS, typed)
    login_limits.count_failure(RESET_REQUESTS, typed)
    issued = credentials.request_reset(db.session(), typed, _now())
    if issued is not None:
        _send_after_answer(_reset_mail(issued))
    return render_template("password/requested.html")


def _forgotten_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    return render_template("password/forgotten.html", errors=errors or {}, values=values or {})


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    try:
        credentials.pending_reset(db.session(), token, _now())
    except DomainError as error:
        return render_template("password/reset.html", error=translated(error)), 410
    if request.method != "POST":
        return _reset_page()
    return attempt(
        lambda: credentials.reset_password(db.session(), token, new_password(request.form), _now()),
        lambda _done: _password_reset(),
        show_again(_reset_page, "password", {}),
    )


def _password_reset() -> Any:
    flash(_("Je wachtwoord is gewijzigd. Log in met je nieuwe wachtwoord."))
    return redirect(url_for("auth.login"))


@account.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    if request.method != "POST":
        return _change_page()
    return attempt(
        lambda: _change(request.form),
        lambda _done: _changed(),
        show_again(_change_page, "password", {}),
    )


def _change(form: Mapping[str, str]) -> None:
    current, new = password(form, "current"), new_password(form)
    # A borrowed session must not become a way to guess the password: same limit as login.
    login_limits.refuse_if_account_locked(PASSWORD_ATTEMPTS, current_user.email)
    try:
        credentials.change_password(db.session(), current_user.id, current, new, _now())
    except DomainError as error:
        if error.field == "current":
            # Counted in Redis, so the refusal's rollback leaves the count standing.
            login_limits.count_failure(PASSWORD_ATTEMPTS, current_user.email)
        raise


def _changed() -> Any:
    user = db.session().get(User, current_user.id)
    assert user is not None
    # Every session ended with the change; this browser goes on in a new one.
    login_sessions.start(user, has_second_factor=current_user.has_second_factor, is_new=False)
    flash(_("Je wachtwoord is gewijzigd. Je bent op je andere apparaten uitgelogd."))
    return redirect(url_for("account.index"))


def new_password(form: Mapping[str, str]) -> str:
    """The new password, typed twice alike (the rules for it are the domain's)."""
    typed = password(form, "password", longest=MAXIMUM_LENGTH)
    repeated = password(form, "repeat")
    if repeated != typed:
        raise ValidationFailed(message("De twee wachtwoorden verschillen."), field="repeat")
    return typed


def _reset_page(errors: Errors | None = None, _values: Mapping[str, str] | None = None) -> str:
    response = render_template("password/reset.html", errors=errors or {})

    @after_this_request
    def _no_referrer(answer: Response) -> Response:
        # The token is in this page's address: never send it on to another site.
        answer.headers["Referrer-Policy"] = "no-referrer"
        return answer

    return response


def _change_page(errors: Errors | None = None, _values: Mapping[str, str] | None = None) -> str:
    return render_template("account/password.html", errors=errors or {})


def _reset_mail(issued: credentials.IssuedReset) -> Mail:
    base = str(current_app.config.get("PUBLIC_URL") or DEVELOPMENT_URL).rstrip("/")
    link = base + url_for("password.reset", token=issued.token)
    minutes = int(credentials.RESET_LIFETIME.total_seconds() // 60)
    body = render_template("mail/password_reset.txt", link=link, minutes=minutes)
    return Mail(to=issued.email, subject=_("Nieuw wachtwoord voor het Servicebureau"), body=body)


def _send_after_answer(mail: Mail) -> None:
    """Send once the answer has left (and the reset is committed), in this app's context."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @after_this_request
    def _schedule(response: Response) -> Response:
        response.call_on_close(lambda: _send_in(app, mail))
        return response


def _send_in(app: Any, mail: Mail) -> None:
    with app.app_context():
        try:
            send(mail)
        except (OSError, smtplib.SMTPException):
            log.exception("password reset mail to %s failed", mail.to)


def _now() -> datetime:
    return login_sessions.now()
