"""Logging in and out, loading the user, and accepting invitations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.errors import flash_refusal, translated
from app.extensions import db, login_manager
from ledger.errors import DomainError
from tenants import invitations
from tenants.models import User
from tenants.passwords import MINIMUM_LENGTH
from tenants.people import authenticate

blueprint = Blueprint("auth", __name__)


class CurrentUser(UserMixin):
    """What Flask-Login keeps of a user: plain values, no ORM object bound to any session."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.email = user.email
        self.name = user.name or user.email
        self.locale = user.locale
        self.is_bureau_admin = user.is_bureau_admin
        self._is_active = user.is_active

    @property
    def is_active(self) -> bool:
        return self._is_active


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])


class NewAccountForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Wachtwoord"), validators=[DataRequired(), Length(min=MINIMUM_LENGTH, max=200)]
    )


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om verder te gaan.")
    login_manager.localize_callback = str  # translated when flashed, stored as plain text
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.register_blueprint(blueprint)
    _limit_login_attempts(app)


def _limit_login_attempts(app: Flask) -> None:
    """Rate-limit login POSTs with a limiter of this application's own.

    Flask-Limiter keeps its on/off switch, storage and decorated limits on the ``Limiter``
    object, not per application: a module-level limiter shared by several applications in one
    process (the tests make several) would let the last one created switch limits on or off
    for all of them. The limited view must be the one Flask calls: Flask-Limiter checks a
    decorated limit inside the wrapper it returns, not in its ``before_request`` hook.
    """
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["login_limiter"] = limiter  # the wrapper holds it only weakly
    limited = limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(login)
    app.view_functions["auth.login"] = limited


def _load_user(user_id: str) -> CurrentUser | None:
    user = db.session().get(User, int(user_id))
    return CurrentUser(user) if user is not None and user.is_active else None


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is not None:
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        # One message for an unknown e-mail, a wrong password and a deactivated account alike.
        form.password.errors = [_("Onbekend e-mailadres of verkeerd wachtwoord.")]
    return render_template("login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."))
    return redirect(url_for("auth.login"))


@blueprint.route("/locale", methods=["POST"])
def choose_locale() -> Any:
    locale = request.form.get("locale")
    if locale in ("nl", "en"):
        session["locale"] = locale
    return redirect(_safe_next(request.form.get("next")))


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


def _start_session(user: User) -> None:
    """Log in on a fresh session, so nothing planted before login survives it (fixation)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(CurrentUser(user))


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
