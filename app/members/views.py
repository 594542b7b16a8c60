"""Members of an organisation: bookkeepers and owners see them, owners invite and manage.

Inviting, changing a role and removing a member write the shared registry, which the
organisation's database role may not: those views are ``@writes_registry`` (``app/tenancy.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import login_sessions
from app.extensions import db
from app.members import forms, switcher
from app.members.invitation_mail import send_invitation_after_commit
from app.refusals import Errors, attempt, go_back, show_again, succeeded
from app.tenancy import organisation_blueprint, requires, writes_registry
from ledger.errors import DomainError
from tenants import access_changes, invitations, people
from tenants.invitations import IssuedInvitation
from tenants.queries import members_of, open_invitations
from tenants.roles import Role

blueprint = organisation_blueprint("members", __name__)
switcher.register(blueprint)


@blueprint.route("/members")
@requires(Role.BOOKKEEPER)
def index() -> Any:
    return _members_page()


@blueprint.route("/members/invitations", methods=["POST"])
@requires(Role.OWNER)
@writes_registry
def invite() -> Any:
    return attempt(
        lambda: _invite(request.form),
        lambda made: _send(*made),
        _refused_invitation,
    )


def _invite(form: Mapping[str, str]) -> tuple[IssuedInvitation, Role]:
    address, role = forms.invitation(form)
    return invitations.invite(db.session(), g.org.id, address, role, current_user.id), role


def _refused_invitation(error: DomainError) -> Any:
    """A wrong address or role: the form again, at its field; anything else: flashed."""
    if error.field in ("email", "role"):
        return show_again(_members_page, "email")(error)
    return go_back(url_for("members.index"))(error)


def _send(issued: IssuedInvitation, role: Role) -> Any:
    """Mail the invitation once it is saved; a failed mail keeps the invitation and says so."""
    send_invitation_after_commit(
        issued,
        g.org.name,
        role,
        current_user.name,
        _("Uitnodiging verstuurd naar %(email)s.", email=issued.email),
    )
    return redirect(url_for("members.index"))


@blueprint.route("/members/<int:user_id>/role", methods=["POST"])
@requires(Role.OWNER)
@writes_registry
def change_role(user_id: int) -> Any:
    # Who lowers their own role may no longer see the members page.
    back = "dashboard.index" if user_id == current_user.id else "members.index"
    return attempt(
        lambda: _change_role(user_id, forms.role(request.form)),
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


def _members_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    session = db.session()
    return render_template(
        "members/index.html",
        members=members_of(session, g.org.id),
        invitations=open_invitations(session, g.org.id),
        role_choices=forms.ROLE_CHOICES,
        default_role=forms.DEFAULT_ROLE.value,
        errors=errors or {},
        values=values or {},
    )
