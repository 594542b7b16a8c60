"""Invitations by e-mail link: only a hash of the token is stored, links expire and work once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import message
from tenants.errors import InvitationInvalid
from tenants.models import Invitation, Organisation, User
from tenants.people import add_member, checked_email, create_user
from tenants.queries import membership_of, user_by_email
from tenants.roles import Role

VALID_FOR = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """An invitation just made; ``token`` goes into the link and is never stored."""

    invitation_id: int
    email: str
    token: str


def invite(
    session: Session, organisation_id: int, email: str, role: Role, invited_by_id: int
) -> IssuedInvitation:
    """Invite someone to an organisation with a role."""
    address = checked_email(email)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=organisation_id,
        email=address,
        role=role,
        token_hash=_digest(token),
        invited_by_id=invited_by_id,
        expires_at=datetime.now(UTC) + VALID_FOR,
    )
    session.add(invitation)
    session.flush()
    return IssuedInvitation(invitation_id=invitation.id, email=address, token=token)


def pending_invitation(session: Session, token: str) -> Invitation:
    """The open invitation behind a link, or InvitationInvalid."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(token)).with_for_update()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid(message("Deze uitnodiging is onbekend of al gebruikt."))
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
    role = Role(invitation.role)
    existing = membership_of(session, user.id, invitation.organisation_id)
    invitation.accepted_at = datetime.now(UTC)
    invitation.accepted_by_id = user.id
    if existing is None or not Role(existing.role).allows(role):
        add_member(session, user.id, invitation.organisation_id, role)
    session.flush()
    return invitation.organisation


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
