"""Members of an organisation: bookkeepers and owners see them, owners invite and manage."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import login_sessions
from app.errors import flash_refusal
from app.extensions import db
from app.members import switcher
from app.members.forms import ROLE_CHOICES, InvitationForm, RemovalForm, RoleForm
from app.members.invitation_mail import send_invitation
from app.tenancy import organisation_blueprint, requires
from ledger.errors import DomainError
from tenants import access_changes, invitations, people
from tenants.queries import members_of, open_invitations
from tenants.roles import Role

log = logging.getLogger(__name__)

blueprint = organisation_blueprint("members", __name__)
switcher.register(blueprint)


@blueprint.route("/members")
@requires(Role.BOOKKEEPER)
def index() -> Any:
    return _members_page(InvitationForm())


@blueprint.route("/members/invitations", methods=["POST"])
@requires(Role.OWNER)
def invite() -> Any:
    form = InvitationForm()
    if not form.validate_on_submit():
        return _members_page(form), 400
    try:
        issued = invitations.invite(
            db.session(), g.org.id, form.email.data or "", Role(form.role.data), current_user.id
        )
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("members.index"))
    try:
        send_invitation(issued, g.org.name, form.role.data or "", current_user.name)
    except (OSError, smtplib.SMTPException):
        log.exception("invitation mail to %s failed", issued.email)
        flash(_("De uitnodiging is opgeslagen, maar de e-mail kon niet worden verstuurd."), "error")
        return redirect(url_for("members.index"))
    flash(_("Uitnodiging verstuurd naar %(email)s.", email=issued.email))
    return redirect(url_for("members.index"))


@blueprint.route("/members/<int:user_id>/role", methods=["POST"])
@requires(Role.OWNER)
def change_role(user_id: int) -> Any:
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Kies een rol."), "error")
        return redirect(url_for("members.index"))
    try:
        people.change_role(db.session(), user_id, g.org.id, Role(form.role.data))
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("members.index"))
    access_changes.role_changed(
        db.session(), user_id, g.org.id, Role(form.role.data), current_user.id
    )
    flash(_("Rol gewijzigd."))
    if user_id == current_user.id:
        login_sessions.rotate_current()
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("members.index"))


@blueprint.route("/members/<int:user_id>/remove", methods=["POST"])
@requires(Role.OWNER)
def remove(user_id: int) -> Any:
    if not RemovalForm().validate_on_submit():
        return redirect(url_for("members.index"))
    try:
        people.remove_member(db.session(), user_id, g.org.id)
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("members.index"))
    access_changes.member_removed(
        db.session(), user_id, g.org.id, current_user.id, login_sessions.now()
    )
    flash(_("Lid verwijderd."))
    if user_id == current_user.id:
        return redirect(url_for("home.index"))
    return redirect(url_for("members.index"))


def _members_page(form: InvitationForm) -> str:
    session = db.session()
    return render_template(
        "members/index.html",
        members=members_of(session, g.org.id),
        invitations=open_invitations(session, g.org.id),
        invitation_form=form,
        role_choices=ROLE_CHOICES,
        removal_form=RemovalForm(),
    )
