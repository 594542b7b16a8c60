"""Inviting an organisation's owner from the bureau: the members' invitation, sent by staff."""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import flash_refusal
from app.extensions import db
from app.members.invitation_mail import send_invitation_after_commit
from ledger.errors import DomainError
from tenants import invitations
from tenants.models import User
from tenants.roles import Role


def invite_owner(organisation_id: int, organisation_name: str, email: str, staff: User) -> None:
    """Invite ``email`` as owner by e-mail link, mailed once the request is committed.

    The bureau is usually not a member of the organisation it onboards, so this is the way in
    for the organisation's first owner, who then invites the rest of their people. A refused
    address is flashed; how the mail went is flashed after the commit
    (``send_invitation_after_commit``).
    """
    try:
        issued = invitations.invite(db.session(), organisation_id, email, Role.OWNER, staff.id)
    except DomainError as error:
        flash_refusal(error)
        return
    send_invitation_after_commit(
        issued,
        organisation_name,
        Role.OWNER.value,
        staff.name or staff.email,
        _("Uitnodiging als eigenaar verstuurd naar %(email)s.", email=issued.email),
    )
