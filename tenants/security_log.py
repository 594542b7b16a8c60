"""The security log: what happened to accounts and access, in words people can read.

Entries are written in the caller's transaction (the request commits them). A person reads
the entries about their own account; an organisation's owners read the entries about that
organisation (role changes, removals, bureau staff opening its books) and about the accounts
of its current members (logins, failed logins, password and second-factor changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from tenants.models import Membership, User
from tenants.queries import user_by_email
from tenants.security_models import EventKind, SecurityEvent

PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class LogLine:
    """One entry as a page shows it."""

    at: datetime
    kind: EventKind
    user_email: str | None
    actor_email: str | None
    ip_address: str | None
    detail: str


def record(
    session: Session,
    kind: EventKind,
    *,
    user_id: int | None = None,
    actor_id: int | None = None,
    organisation_id: int | None = None,
    ip_address: str | None = None,
    detail: str = "",
) -> None:
    """Add one entry; flushed at once, so it is written even if the caller binds a tenant next."""
    session.add(
        SecurityEvent(
            kind=kind,
            user_id=user_id,
            actor_id=actor_id,
            organisation_id=organisation_id,
            ip_address=ip_address,
            detail=detail[:500],
        )
    )
    session.flush()


def record_failed_login(session: Session, email: str, ip_address: str | None) -> None:
    """Log a wrong password against the account it was meant for, if the address has one."""
    user = user_by_email(session, email)
    if user is not None:
        record(session, EventKind.LOGIN_FAILED, user_id=user.id, ip_address=ip_address)


def has_entry(
    session: Session, kind: EventKind, actor_id: int, organisation_id: int, since: datetime
) -> bool:
    """True if this actor already has such an entry for this organisation since ``since``."""
    return (
        session.scalar(
            select(SecurityEvent.id)
            .where(
                SecurityEvent.kind == kind,
                SecurityEvent.actor_id == actor_id,
                SecurityEvent.organisation_id == organisation_id,
                SecurityEvent.created_at >= since,
            )
            .limit(1)
        )
        is not None
    )


def entries_of_user(session: Session, user_id: int) -> list[LogLine]:
    """The newest entries about one person's own account."""
    return _lines(session, SecurityEvent.user_id == user_id)


def entries_of_organisation(session: Session, organisation_id: int) -> list[LogLine]:
    """The newest entries an organisation's owners may read (see the module docstring)."""
    members = select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    return _lines(
        session,
        or_(
            SecurityEvent.organisation_id == organisation_id,
            (SecurityEvent.organisation_id.is_(None)) & SecurityEvent.user_id.in_(members),
        ),
    )


def _lines(session: Session, condition: object) -> list[LogLine]:
    subject = aliased(User)
    actor = aliased(User)
    rows = session.execute(
        select(SecurityEvent, subject.email, actor.email)
        .outerjoin(subject, subject.id == SecurityEvent.user_id)
        .outerjoin(actor, actor.id == SecurityEvent.actor_id)
        .where(condition)  # type: ignore[arg-type]
        .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
        .limit(PAGE_SIZE)
    )
    return [
        LogLine(
            at=event.created_at,
            kind=EventKind(event.kind),
            user_email=user_email,
            actor_email=actor_email,
            ip_address=event.ip_address,
            detail=event.detail,
        )
        for event, user_email, actor_email in rows
    ]
