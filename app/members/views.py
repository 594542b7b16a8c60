"""Members of an organisation: bookkeepers and owners see them, owners invite and manage.

Inviting, changing a role and removing a member write the shared registry, which the
organisation's database role may not: those views are ``@writes_registry`` (``app/tenancy.py``).
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import login_sessions
from app.extensions import db
from app.members import switcher
from app.members.forms import ROLE_CHOICES, InvitationForm, RemovalForm, RoleForm
from app.members.invitation_mail import send_invitation
from app.refusals import attempt, go_back, succeeded
from app.tenancy import organisation_blueprint, requires, writes_registry
from tenants import access_changes, invitations, people
from tenants.invitations import IssuedInvitation
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
@writes_registry
def invite() -> Any:
    form = InvitationForm()
    if not form.validate_on_submit():
        return _members_page(form), 400
    return attempt(
        lambda: invitations.invite(
            db.session(), g.org.id, form.email.data or "", Role(form.role.data), current_user.id
        ),
        lambda issued: _send(issued, form.role.data or ""),
        go_back(url_for("members.index")),
    )


def _send(issued: IssuedInvitation, role: str) -> Any:
    """Mail the saved invitation; a failed mail keeps the invitation and says so."""
    try:
        send_invitation(issued, g.org.name, role, current_user.name)
    except (OSError, smtplib.SMTPException):
        log.exception("invitation mail to %s failed", issued.email)
        flash(_("De uitnodiging is opgeslagen, maar de e-mail kon niet worden verstuurd."), "error")
        return redirect(url_for("members.index"))
    flash(_("Uitnodiging verstuurd naar %(email)s.", email=issued.email))
    return redirect(url_for("members.index"))


@blueprint.route("/members/<int:user_id>/role", methods=["POST"])
@requires(Role.OWNER)
@writes_registry
def change_role(user_id: int) -> Any:
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Kies een rol."), "error")
        return redirect(url_for("members.index"))
    role = Role(form.role.data)
    # Who lowers their own role may no longer see the members page.
    back = "dashboard.index" if user_id == current_user.id else "members.index"
    return attempt(
        lambda: _change_role(user_id, role),
        succeeded(url_for(back), _("Rol gewijzigd.")),
        go_back(url_for("members.index")),
    )


def _change_role(user_id: int, role: Role) -> None:
    """The new role, its mark on the user's sessions and the security log; a new session id
    for this browser when it is one's own role (a change of privilege)."""
    people.change_role(db.session(), user_id, g.org.id, role)
    access_changes.role_changed(db.session(), user_id, g.org.id, role, current_user.id)
    if user_id == current_user.id:
        login_sessions.rotate_current()


@blueprint.route("/members/<int:user_id>/remove", methods=["POST"])
@requires(Role.OWNER)
@writes_registry
def remove(user_id: int) -> Any:
    if not RemovalForm().validate_on_submit():
        return redirect(url_for("members.index"))
    back = "home.index" if user_id == current_user.id else "members.index"
    return attempt(
        lambda: _remove(user_id),
        succeeded(url_for(back), _("Lid verwijderd.")),
        go_back(url_for("members.index")),
    )


def _remove(user_id: int) -> None:
    """The membership ends, and with it every session of that user (and the log says so)."""
    people.remove_member(db.session(), user_id, g.org.id)
    access_changes.member_removed(
        db.session(), user_id, g.org.id, current_user.id, login_sessions.now()
    )


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
