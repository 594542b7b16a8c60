"""The audit trail: every change to the books, with who did it and what it looked like."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from ledger.models import AuditEntry

AUDIT_LOG = cast(Table, AuditEntry.__table__)  # Core insert: every write adds a row


def record_change(
    session: Session,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add one audit row in the caller's transaction: it commits or rolls back with the change."""
    session.execute(
        insert(AUDIT_LOG).values(
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One change as the owner reads it; ``actor_id`` is a user id the web layer names."""

    id: int
    actor_id: int | None
    at: datetime
    action: str
    entity: str
    entity_id: int | None
    before: Any
    after: Any


def audit_trail(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[AuditRow]:
    """The newest changes first, ``limit`` at a time; pass the last row's id as ``before_id``.

    Paging on the id (not an offset) keeps every page as cheap as the first, however long the
    seven years of history grow.
    """
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 500)))
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return [
        AuditRow(e.id, e.actor_id, e.at, e.action, e.entity, e.entity_id, e.before, e.after)
        for e in session.scalars(query)
    ]
