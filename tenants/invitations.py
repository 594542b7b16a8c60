"""Invitations by e-mail link: only a hash of the token is stored, links expire and work once.

An organisation has one open invitation per address at most; sending again renews it (a new
link, the old one dead, but for a send repeated within moments), and accepting it or removing
its person from the organisation closes what is left open.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ledger.errors import message
from tenants.errors import InvitationInvalid
from tenants.models import OPEN_INVITATION, Invitation, Organisation, User
from tenants.people import add_member, checked_email, close_open_invitations, create_user
from tenants.queries import membership_of, user_by_email
from tenants.roles import Role

VALID_FOR = timedelta(days=7)
# A send this soon after the last, with the same role, repeats it (a double click, a retry):
# the link mailed by the last send keeps working next to the new one.
REPEATED_WITHIN = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """An invitation just made; ``token`` goes into the link and is never stored."""

    invitation_id: int
    email: str
    token: str


def invite(
    session: Session, organisation_id: int, email: str, role: Role, invited_by_id: int
) -> IssuedInvitation:
    """Invite someone to an organisation with a role, renewing their open invitation if any.

    An address has at most one open invitation per organisation (the unique index
    ``uq_invitations_open_address``). Sending again is not refused, because the token is kept
    only as a hash: a mail that got lost, went to spam or expired can only be made good with a
    new link. So the open invitation gets a new token, role, inviter, sending time and seven
    days, and the mail about to be sent carries the new link; the old link stops working,
    unless this send repeats the last within ``REPEATED_WITHIN`` with the same role and the
    invitation had not expired (a double click, a browser's retry): then the link the last send
    mailed keeps working too, so neither of the two mails the person receives leads nowhere.

    One statement, ``INSERT ... ON CONFLICT DO UPDATE`` on that index: under READ COMMITTED
    a second send at the same moment waits for the first to commit, then renews the row the
    first wrote instead of failing, with no lock or retry of our own.
    """
    address = checked_email(email)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    new = insert(Invitation).values(
        organisation_id=organisation_id,
        email=address,
        role=role,
        token_hash=_digest(token),
        invited_by_id=invited_by_id,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    renewed: dict[str, Any] = {
        column: new.excluded[column]
        for column in ("email", "role", "token_hash", "invited_by_id", "created_at", "expires_at")
    }
    repeats_the_last = and_(
        Invitation.created_at > now - REPEATED_WITHIN,
        Invitation.expires_at > now,
        Invitation.role == new.excluded.role,
    )
    renewed["repeated_token_hash"] = case((repeats_the_last, Invitation.token_hash), else_=None)
    invitation_id = session.execute(
        new.on_conflict_do_update(
            index_elements=[Invitation.organisation_id, func.lower(Invitation.email)],
            index_where=text(OPEN_INVITATION),
            set_=renewed,
        ).returning(Invitation.id)
    ).scalar_one()
    return IssuedInvitation(invitation_id=invitation_id, email=address, token=token)


def pending_invitation(session: Session, token: str) -> Invitation:
    """The open invitation behind a link, or InvitationInvalid."""
    digest = _digest(token)
    invitation = session.scalar(
        select(Invitation)
        .where(or_(Invitation.token_hash == digest, Invitation.repeated_token_hash == digest))
        .with_for_update()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid(message("Deze uitnodiging is onbekend of al gebruikt."))
    if invitation.closed_at is not None:
        raise InvitationInvalid(message("Deze uitnodiging is ingetrokken."))
    if invitation.expires_at <= datetime.now(UTC):
        raise InvitationInvalid(message("Deze uitnodiging is verlopen."))
    return invitation


def accept_as_user(session: Session, token: str, user: User) -> Organisation:
    """Accept an invitation as a logged-in user whose e-mail it was sent to."""
    invitation = pending_invitation(session, token)
    if invitation.email != user.email:
        raise InvitationInvalid(message("Deze uitnodiging is naar een ander e-mailadres gestuurd."))
    return _accept(session, invitation, user)


def accept_as_new_user(session: Session, token: str, name: str, password: str) -> User:
    """Accept an invitation by creating the account it was sent to."""
    invitation = pending_invitation(session, token)
    if user_by_email(session, invitation.email) is not None:
        raise InvitationInvalid(
            message("Er is al een account met dit e-mailadres: log in om te accepteren.")
        )
    user = create_user(
        session,
        invitation.email,
        password,
        name=name,
        organisation_name=invitation.organisation.name,
    )
    _accept(session, invitation, user)
    return user


def _accept(session: Session, invitation: Invitation, user: User) -> Organisation:
    """Use the invitation, and close any other open one to the same address (there should be
    none: the unique index says so, but a link that outlives its purpose is a way back in)."""
    role = Role(invitation.role)
    existing = membership_of(session, user.id, invitation.organisation_id)
    invitation.accepted_at = datetime.now(UTC)
    invitation.accepted_by_id = user.id
    close_open_invitations(
        session, invitation.organisation_id, invitation.email, keeping=invitation.id
    )
    if existing is None or not Role(existing.role).allows(role):
        add_member(session, user.id, invitation.organisation_id, role)
    session.flush()
    return invitation.organisation


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
