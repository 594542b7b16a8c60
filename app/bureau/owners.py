"""Inviting an organisation's owner from the bureau: the members' invitation, sent by staff."""

from __future__ import annotations

import logging
import smtplib

from flask import flash
from flask_babel import gettext as _

from app.errors import flash_refusal
from app.extensions import db
from app.members.invitation_mail import send_invitation
from ledger.errors import DomainError
from tenants import invitations
from tenants.models import User
from tenants.roles import Role

log = logging.getLogger(__name__)


def invite_owner(organisation_id: int, organisation_name: str, email: str, staff: User) -> bool:
    """Invite ``email`` as owner by e-mail link and flash how it went; whether the mail went.

    The bureau is usually not a member of the organisation it onboards, so this is the way in
    for the organisation's first owner, who then invites the rest of their people.
    """
    try:
        issued = invitations.invite(db.session(), organisation_id, email, Role.OWNER, staff.id)
    except DomainError as error:
        flash_refusal(error)
        return False
    try:
        send_invitation(issued, organisation_name, Role.OWNER.value, staff.name or staff.email)
    except (OSError, smtplib.SMTPException):
        log.exception("owner invitation mail to %s failed", issued.email)
        flash(_("De uitnodiging is opgeslagen, maar de e-mail kon niet worden verstuurd."), "error")
        return False
    flash(_("Uitnodiging als eigenaar verstuurd naar %(email)s.", email=issued.email))
    return True
