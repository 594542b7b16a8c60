"""Server-side login sessions: every login is a row, and ending the row ends the login at once.

The signed cookie carries only a random token; the table keeps its SHA-256, so reading the
table gives nobody a cookie to replay. A request's session is found with one indexed lookup
(``check_session``), which also brings the user's organisations, and refuses a session past
its idle or absolute timeout, of a deactivated user, or ended by logout, a password change or
reset, or "log out everywhere".
A session marked ``must_rotate`` (the user's privileges changed) is replaced by a new token
on its next request, keeping its original login time for the absolute timeout.

A rotation's new token is derived from the old one with the server's secret key
(``successor_token``): every request that carries the old token names the same successor. So a
browser that sent two requests with its old token (a double click: the first rotated and
committed, the browser dropped its answer and read the second's) is not logged out: for
``ROTATION_GRACE`` after the rotation, a request with the old token from the device the session
was opened on (its address and browser, as stored) continues in the successor and hands the
browser its token. Anyone else's copy of the old token (another address or browser), and every
copy after the grace, is refused as before; ending the old token (logout) ends its successor
too. Deriving needs the secret key, which the holder of an old token does not have.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, or_, select, update
from sqlalchemy.orm import Session

from ledger.statements import read
from tenants.models import Membership, Organisation, User
from tenants.queries import MEMBER_ORGANISATION_COLUMNS, MemberOrganisation, member_organisation
from tenants.security_models import SecondFactor, UserSession

# Writing ``last_seen_at`` on every request would make every page a write; a minute is
# precise enough for an idle timeout counted in hours.
SEEN_PRECISION = timedelta(minutes=1)
USER_AGENT_LENGTH = 200
# How long the old token of a rotated session still reaches its successor from the session's
# own device: long enough for a double click or a slow second request, short for anyone else.
ROTATION_GRACE = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long a session lives without a request (idle) and at most (absolute)."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class SessionUser:
    """What a request needs of its user: plain values, read with the session."""

    id: int
    email: str
    name: str
    locale: str | None
    is_bureau_admin: bool
    is_active: bool


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A session that may serve this request, with the user it belongs to.

    ``organisations`` are the user's organisations with the role in each, by name: what every
    organisation page checks and its switcher shows, read in the same round trip.
    """

    id: int
    user: SessionUser
    has_second_factor: bool
    must_rotate: bool
    organisations: tuple[tuple[MemberOrganisation, str], ...]
    # The token the browser holds from now on, when it sent its session's old token within
    # the grace of a rotation it did not see; None when the token it sent is the live one.
    successor_token: str | None = None


@dataclass(frozen=True, slots=True)
class Device:
    """Where a login came from, as the person will recognise it on their account page."""

    ip_address: str | None = None
    user_agent: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def successor_token(token: str, key: bytes) -> str:
    """The token a rotation of ``token``'s session hands over: the same for every request that
    carries ``token``, and unknown to whoever lacks the server's ``key``."""
    digest = hmac.digest(key, b"session successor\x00" + token.encode(), "sha256")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


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
    session: Session,
    token: str,
    now: datetime,
    timeouts: Timeouts,
    *,
    key: bytes | None = None,
    device: Device | None = None,
) -> LiveSession | None:
    """The live session for ``token``, or None; a timed-out session is ended on the spot.

    With the server's ``key`` and the request's ``device``, the old token of a session rotated
    less than ``ROTATION_GRACE`` ago, sent from the device the session was opened on, finds its
    successor (``LiveSession.successor_token`` says which token the browser must hold now).
    Plain columns, no ORM objects: every request runs this, and only one in many writes.
    """
    rows = read(session, _session_statement(), {"token_hash": token_hash(token)}).all()
    if not rows:
        return None
    first = rows[0]
    if not first.is_active or _ended_with_all(first):
        return None
    if first.ended_at is not None:
        if key is None or device is None or not _within_grace(first, now, device):
            return None
        successor = successor_token(token, key)
        live = check_session(session, successor, now, timeouts)  # one step: no key
        return replace(live, successor_token=successor) if live is not None else None
    if now - first.last_seen_at > timeouts.idle or now - first.created_at > timeouts.absolute:
        _set(session, first.id, ended_at=now)
        return None
    if now - first.last_seen_at > SEEN_PRECISION:
        # Written now, before the request binds a tenant and takes its narrower database role.
        _set(session, first.id, last_seen_at=now)
    user = SessionUser(*first[_USER_FIELDS])
    organisations = tuple(
        (member_organisation(row[_ORGANISATION_FIELDS]), row.role)
        for row in rows
        if row.organisation_id is not None
    )
    return LiveSession(
        id=first.id,
        user=user,
        has_second_factor=first.confirmed_at is not None,
        must_rotate=first.must_rotate,
        organisations=organisations,
    )


def _ended_with_all(row: Any) -> bool:
    """Whether the session began before all of its user's sessions were last ended.

    ``end_all_sessions`` ends the rows it sees; a successor a rotation was adding at that
    moment is not among them, but began (its login time) before the stamp.
    """
    ended: datetime | None = row.sessions_ended_at
    return ended is not None and row.created_at < ended


def _within_grace(row: Any, now: datetime, device: Device) -> bool:
    """Whether an ended session's old token may still reach a successor: ended a moment ago,
    and sent from the address and browser the session was opened on."""
    ended_at: datetime = row.ended_at
    return (
        now - ended_at <= ROTATION_GRACE
        and row.ip_address == device.ip_address
        and row.user_agent == device.user_agent[:USER_AGENT_LENGTH]
    )


def _set(session: Session, session_id: int, **values: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id).values(**values))


_SESSIONS = UserSession.__table__.c
_USERS = User.__table__.c
# ``check_session``'s columns, in this order: the session, the user (``SessionUser``'s fields),
# the second factor, then each organisation (``MemberOrganisation``'s fields) and the role.
_SESSION_COLUMNS = (
    _SESSIONS.id,
    _SESSIONS.created_at,
    _SESSIONS.last_seen_at,
    _SESSIONS.ended_at,
    _SESSIONS.must_rotate,
    _SESSIONS.ip_address,
    _SESSIONS.user_agent,
    _USERS.sessions_ended_at,  # the user's, but read as the session's: see _ended_with_all
)
_USER_COLUMNS = (
    _USERS.id.label("user_id"),
    _USERS.email,
    _USERS.name.label("user_name"),
    _USERS.locale,
    _USERS.is_bureau_admin,
    _USERS.is_active,
)
_USER_FIELDS = slice(len(_SESSION_COLUMNS), len(_SESSION_COLUMNS) + len(_USER_COLUMNS))
_ORGANISATION_START = _USER_FIELDS.stop + 1
_ORGANISATION_FIELDS = slice(
    _ORGANISATION_START, _ORGANISATION_START + len(MEMBER_ORGANISATION_COLUMNS)
)


@cache
def _session_statement() -> Select[Any]:
    """``check_session``'s lookup, built once (every request runs it); with ``token_hash``.

    One row per organisation of the user (one with none when they have none), so the session,
    the user, the second factor and the memberships cost one round trip, not two.
    """
    organisation_id, *other_organisation_columns = MEMBER_ORGANISATION_COLUMNS
    return (
        select(
            *_SESSION_COLUMNS,
            *_USER_COLUMNS,
            SecondFactor.confirmed_at,
            organisation_id.label("organisation_id"),
            *other_organisation_columns,
            Membership.role,
        )
        .join(User, _USERS.id == _SESSIONS.user_id)
        .outerjoin(SecondFactor, SecondFactor.user_id == _USERS.id)
        .outerjoin(Membership, Membership.user_id == _USERS.id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(_SESSIONS.token_hash == bindparam("token_hash"))
        .order_by(Organisation.name)
    )


@dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation's outcome: the browser's new token, and the successor row when this
    session made it (it must commit before the browser gets the token); None when another
    request made it and committed."""

    token: str
    made: UserSession | None


def rotate(session: Session, token: str, now: datetime, key: bytes) -> Rotation | None:
    """Replace the session of ``token`` by its successor (``successor_token``); the old token is
    refused from now on, but for ``check_session``'s grace.

    Takes the old row's lock, so two requests rotating one session take turns: the second
    finds the rotation done and hands over the same successor. None when the session was
    ended otherwise meanwhile (a logout).
    """
    old = session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == token_hash(token))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if old is None:
        return None
    successor = successor_token(token, key)
    if old.ended_at is not None:
        made_here = session.info.get(_ROTATIONS_MADE, {}).get(token_hash(successor))
        if made_here is not None:  # by this transaction: handed over only if it commits
            return Rotation(successor, made_here)
        done = session.scalar(
            select(UserSession.id).where(
                UserSession.token_hash == token_hash(successor), UserSession.ended_at.is_(None)
            )
        )
        return Rotation(successor, None) if done is not None else None
    row = UserSession(
        user_id=old.user_id,
        token_hash=token_hash(successor),
        created_at=old.created_at,
        last_seen_at=now,
        must_rotate=False,
        ip_address=old.ip_address,
        user_agent=old.user_agent,
    )
    session.add(row)
    old.ended_at = now
    session.flush()
    session.info.setdefault(_ROTATIONS_MADE, {})[row.token_hash] = row
    return Rotation(successor, row)


# The successors this session's transactions made, by token hash: a second rotation of the same
# old token in one request must not take an uncommitted successor for a committed one.
_ROTATIONS_MADE = "servicebureau.rotations_made"


def take_turns_in_login(session: Session, token: str) -> None:
    """Lock the session row of ``token`` until this transaction ends: sends of one login take
    turns here.

    For an action that locks another row and then rotates this login (confirming the second
    factor): a second send that wrote this row first (its last-seen time) and then waited for
    the other row would deadlock with it. Taking this row first keeps one order.
    """
    session.execute(
        select(UserSession.id).where(UserSession.token_hash == token_hash(token)).with_for_update()
    )


def end_session(session: Session, token: str, now: datetime, key: bytes) -> None:
    """End the session with this token (logout), and its successor should it have been rotated
    (a browser that missed the rotation logs out with the old token)."""
    hashes = [token_hash(token), token_hash(successor_token(token, key))]
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash.in_(hashes), UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every session of a user, on every device; returns how many were live.

    The user is stamped too (``User.sessions_ended_at``): a session a rotation is adding at
    this moment, which the UPDATE below cannot see, began before the stamp and is refused.
    """
    session.execute(update(User).where(User.id == user_id).values(sessions_ended_at=now))
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
            .join(User, User.id == UserSession.user_id)
            .where(
                UserSession.user_id == user_id,
                UserSession.ended_at.is_(None),
                UserSession.last_seen_at > now - timeouts.idle,
                UserSession.created_at > now - timeouts.absolute,
                or_(
                    User.sessions_ended_at.is_(None),
                    UserSession.created_at >= User.sessions_ended_at,
                ),
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )
