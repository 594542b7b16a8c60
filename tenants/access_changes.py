"""What changes of access do to a person's sessions, and the log entries they leave.

Called beside the use cases that change access (``tenants.people``): a person who loses
access is logged out everywhere at once; a person whose role changes keeps working, on a new
session token.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ledger.errors import NotFound, message
from tenants.models import User
from tenants.security_log import record
from tenants.security_models import EventKind
from tenants.sessions import end_all_sessions, rotate_on_next_request


def log_out_everywhere(session: Session, user_id: int, now: datetime) -> int:
    """End every session of this person (the account page's "log out everywhere")."""
    ended = end_all_sessions(session, user_id, now)
    record(session, EventKind.SESSIONS_ENDED, user_id=user_id, actor_id=user_id)
    return ended


def deactivate_user(session: Session, user_id: int, actor_id: int | None, now: datetime) -> None:
    """Refuse this person any further login and end the sessions they have."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(message("Die persoon bestaat niet."))
    user.is_active = False
    end_all_sessions(session, user_id, now)
    record(session, EventKind.USER_DEACTIVATED, user_id=user_id, actor_id=actor_id)


def role_changed(
    session: Session, user_id: int, organisation_id: int, role: str, actor_id: int
) -> None:
    """A role changed: the person's sessions rotate, and the organisation's log says so."""
    rotate_on_next_request(session, user_id)
    record(
        session,
        EventKind.ROLE_CHANGED,
        user_id=user_id,
        actor_id=actor_id,
        organisation_id=organisation_id,
        detail=role,
    )


def member_removed(
    session: Session, user_id: int, organisation_id: int, actor_id: int, now: datetime
) -> None:
    """A person left an organisation: every session of theirs ends at once."""
    end_all_sessions(session, user_id, now)
    record(
        session,
        EventKind.MEMBER_REMOVED,
        user_id=user_id,
        actor_id=actor_id,
        organisation_id=organisation_id,
    )
