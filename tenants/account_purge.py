"""Forget what account security no longer needs: long-ended login sessions, spent reset links.

A login session that ended (logout, timeout, a password change, a rotated token) is kept for
``KEEP_ENDED`` days, so a person or an investigation can still see when a device was last
used; the security log keeps every login for good. A session nobody ended but that is past its
absolute timeout is dead all the same, and counts as ended when it passed it. A reset link
that was used or has expired opens nothing and holds a hash of a token: it goes at once.
Run daily by the scheduler (``workers.maintenance``); deleting twice deletes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlalchemy.orm import Session

from tenants.security_models import PasswordReset, UserSession

KEEP_ENDED = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows a purge deleted."""

    sessions: int
    resets: int


def purge_account_leftovers(
    session: Session, now: datetime, *, absolute: timedelta, keep: timedelta = KEEP_ENDED
) -> Purged:
    """Delete sessions ended over ``keep`` ago and reset links that can no longer be used.

    ``absolute`` is the sessions' absolute timeout: a session begun longer ago than that
    ended then, even if no request came to end it.
    """
    sessions = session.execute(
        delete(UserSession).where(
            or_(
                UserSession.ended_at < now - keep,
                and_(
                    UserSession.ended_at.is_(None), UserSession.created_at < now - absolute - keep
                ),
            )
        )
    )
    resets = session.execute(
        delete(PasswordReset).where(
            or_(PasswordReset.used_at.is_not(None), PasswordReset.expires_at <= now)
        )
    )
    return Purged(
        sessions=int(sessions.rowcount),  # type: ignore[attr-defined]
        resets=int(resets.rowcount),  # type: ignore[attr-defined]
    )
