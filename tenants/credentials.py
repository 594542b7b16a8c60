"""Passwords that change: by the person (knowing the old one) or through a mailed reset link.

Either way every session of the person ends (a thief who had their cookie or password is out)
and the security log says so. A reset link works once, within ``RESET_LIFETIME``, and only a
hash of its token is stored; asking for one never tells whether an address has an account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.errors import DomainError, message
from tenants.models import User
from tenants.password_policy import check_new_password
from tenants.passwords import hash_password, verify_password
from tenants.queries import organisations_of, user_by_email
from tenants.security_log import record
from tenants.security_models import EventKind, PasswordReset
from tenants.sessions import end_all_sessions, token_hash

RESET_LIFETIME = timedelta(hours=1)


class WrongPassword(DomainError):
    """The current password given to authorise a change is not the right one."""


class ResetLinkInvalid(DomainError):
    """A reset link that is unknown, already used or expired."""


@dataclass(frozen=True, slots=True)
class IssuedReset:
    """A reset to mail; the token exists only here and in the link."""

    email: str
    name: str
    token: str


def change_password(session: Session, user_id: int, current: str, new: str, now: datetime) -> None:
    """Set a new password for a person who knows the current one; ends all their sessions."""
    user = _user(session, user_id)
    if not verify_password(user.password_hash, current):
        raise WrongPassword(message("Het huidige wachtwoord klopt niet."), field="current")
    _set_password(session, user, new, now)
    record(session, EventKind.PASSWORD_CHANGED, user_id=user.id, actor_id=user.id)


def request_reset(session: Session, email: str, now: datetime) -> IssuedReset | None:
    """A reset for an active account with this address, or None (the caller says the same)."""
    user = user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    session.flush()
    return IssuedReset(email=user.email, name=user.name, token=token)


def pending_reset(session: Session, token: str, now: datetime) -> PasswordReset:
    """The unused, unexpired reset for this link; raises ``ResetLinkInvalid`` otherwise."""
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)).with_for_update()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise ResetLinkInvalid(
            message(
                "Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag een nieuwe aan."
            )
        )
    return reset


def reset_password(session: Session, token: str, new: str, now: datetime) -> User:
    """Set the password through a reset link; the link (and any other) is used up."""
    reset = pending_reset(session, token, now)
    user = _user(session, reset.user_id)
    _set_password(session, user, new, now)
    record(session, EventKind.PASSWORD_RESET, user_id=user.id)
    return user


def _set_password(session: Session, user: User, new: str, now: datetime) -> None:
    # The names of the person's organisations are as easy to guess as their own.
    organisations = [
        organisation.name for organisation, _role in organisations_of(session, user.id)
    ]
    check_new_password(new, (user.email, user.name, *organisations))
    user.password_hash = hash_password(new)
    end_all_sessions(session, user.id, now)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    session.flush()


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise ResetLinkInvalid(message("Dit account bestaat niet of is uitgeschakeld."))
    return user
