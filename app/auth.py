"""Logging in and out, loading the user, and accepting invitations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.extensions import db, limiter, login_manager
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
    email = EmailField("E-mailadres", validators=[DataRequired(), Email()])
    password = PasswordField("Wachtwoord", validators=[DataRequired()])


class NewAccountForm(FlaskForm):
    name = StringField("Naam", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "Wachtwoord", validators=[DataRequired(), Length(min=MINIMUM_LENGTH, max=200)]
    )


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om verder te gaan."
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.register_blueprint(blueprint)
    limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(login)


def _load_user(user_id: str) -> CurrentUser | None:
    user = db.session().get(User, int(user_id))
    return CurrentUser(user) if user is not None and user.is_active else None


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()
            login_user(CurrentUser(user))
            return redirect(_safe_next(request.args.get("next")))
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
        return render_template("invitation.html", error=str(error)), 410
    form = NewAccountForm()
    if current_user.is_authenticated and request.method == "POST":
        return _accept_logged_in(token)
    if not current_user.is_authenticated and form.validate_on_submit():
        return _accept_new(token, form)
    return render_template("invitation.html", invitation=invitation, form=form)


@login_required
def _accept_logged_in(token: str) -> Any:
    user = db.session().get(User, current_user.id)
    assert user is not None
    try:
        organisation = invitations.accept_as_user(db.session(), token, user)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("home.index"))
    return redirect(url_for("dashboard.index", slug=organisation.slug))


def _accept_new(token: str, form: NewAccountForm) -> Any:
    try:
        user = invitations.accept_as_new_user(
            db.session(), token, form.name.data or "", form.password.data or ""
        )
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("auth.accept_invitation", token=token))
    login_user(CurrentUser(user))
    return redirect(url_for("home.index"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot send someone elsewhere after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")
