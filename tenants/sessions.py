"""Server-side login sessions: every login is a row, and ending the row ends the login at once.

The signed cookie carries only a random token; the table keeps its SHA-256, so reading the
table gives nobody a cookie to replay. A request's session is found with one indexed lookup
(``check_session``), which also refuses a session past its idle or absolute timeout, of a
deactivated user, or ended by logout, a password change or reset, or "log out everywhere".
A session marked ``must_rotate`` (the user's privileges changed) is replaced by a new token
on its next request, keeping its original login time for the absolute timeout.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from tenants.models import User
from tenants.security_models import SecondFactor, UserSession

# Writing ``last_seen_at`` on every request would make every page a write; a minute is
# precise enough for an idle timeout counted in hours.
SEEN_PRECISION = timedelta(minutes=1)
USER_AGENT_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long a session lives without a request (idle) and at most (absolute)."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A session that may serve this request, with the user it belongs to."""

    row: UserSession
    user: User
    has_second_factor: bool


@dataclass(frozen=True, slots=True)
class Device:
    """Where a login came from, as the person will recognise it on their account page."""

    ip_address: str | None = None
    user_agent: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user_id: int, now: datetime, device: Device) -> str:
    """Open a session for a user who just proved who they are; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user_id,
            token_hash=token_hash(token),
            created_at=now,
            last_seen_at=now,
            must_rotate=False,
            ip_address=device.ip_address,
            user_agent=device.user_agent[:USER_AGENT_LENGTH],
        )
    )
    session.flush()
    return token


def check_session(
    session: Session, token: str, now: datetime, timeouts: Timeouts
) -> LiveSession | None:
    """The live session for ``token``, or None; a timed-out session is ended on the spot."""
    found = session.execute(_session_statement(), {"token_hash": token_hash(token)}).one_or_none()
    if found is None:
        return None
    row, user, confirmed_at = found
    if row.ended_at is not None or not user.is_active:
        return None
    if now - row.last_seen_at > timeouts.idle or now - row.created_at > timeouts.absolute:
        row.ended_at = now
        session.flush()
        return None
    if now - row.last_seen_at > SEEN_PRECISION:
        # Flushed now, before the request binds a tenant and takes its narrower database role.
        row.last_seen_at = now
        session.flush()
    return LiveSession(row=row, user=user, has_second_factor=confirmed_at is not None)


@cache
def _session_statement() -> Select[UserSession, User, datetime | None]:
    """``check_session``'s lookup, built once (every request runs it); with ``token_hash``."""
    return (
        select(UserSession, User, SecondFactor.confirmed_at)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


def rotate(session: Session, old: UserSession, now: datetime) -> str:
    """Replace a session's token with a new one; the old token is refused from now on."""
    return rotate_row(session, old, now)[0]


def rotate_row(session: Session, old: UserSession, now: datetime) -> tuple[str, UserSession]:
    """``rotate``, also returning the new row (to tell later whether it was rolled back)."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=old.user_id,
        token_hash=token_hash(token),
        created_at=old.created_at,
        last_seen_at=now,
        must_rotate=False,
        ip_address=old.ip_address,
        user_agent=old.user_agent,
    )
    session.add(row)
    old.ended_at = now
    session.flush()
    return token, row


def end_session(session: Session, token: str, now: datetime) -> None:
    """End the one session with this token (logout)."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every session of a user, on every device; returns how many were live."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def rotate_on_next_request(session: Session, user_id: int) -> None:
    """The user's privileges changed: every live session gets a new token on its next request."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(must_rotate=True)
    )


def live_sessions(
    session: Session, user_id: int, now: datetime, timeouts: Timeouts
) -> list[UserSession]:
    """A user's sessions that would still be accepted, newest first (for the account page)."""
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.ended_at.is_(None),
                UserSession.last_seen_at > now - timeouts.idle,
                UserSession.created_at > now - timeouts.absolute,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )
