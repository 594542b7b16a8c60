"""Beancount's full validation of a book, run in the background, with its findings kept.

Posting checks each write incrementally; this runs every rule Beancount has over the whole
export, as a second opinion the owner can read. Each run is its own row, so running it twice
(a retried job, two clicks) adds a run and never mixes findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from ledger import beans
from ledger.entries import Finding
from ledger.export import export_book
from ledger.models import ValidationFinding, ValidationRun
from ledger.statements import read


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """One run as the owner sees it; ``finished_at`` is None while it still runs."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    entry_count: int
    findings: tuple[Finding, ...]


def validate_book(session: Session) -> list[Finding]:
    """Export the book, validate it with Beancount, store the run and its findings.

    One transaction; a job that wants the run visible while it works commits
    ``start_validation`` in a unit of work of its own before ``finish_validation``.
    """
    return finish_validation(session, start_validation(session))


def start_validation(session: Session) -> int:
    """Record a run as started; returns its id. Once committed, a run that dies midway stays
    visible as unfinished."""
    run_id = session.scalar(
        insert(ValidationRun)
        .values(started_at=datetime.now(UTC), entry_count=0, finding_count=0)
        .returning(ValidationRun.id)
    )
    assert run_id is not None
    return int(run_id)


def finish_validation(session: Session, run_id: int) -> list[Finding]:
    """Validate the book as it is now and store the findings with run ``run_id``."""
    entry_count, findings = beans.validate_text(export_book(session))
    if findings:
        session.execute(
            insert(ValidationFinding),
            [
                {
                    "run_id": run_id,
                    "kind": f.kind,
                    "message": f.message,
                    "line": f.line,
                    "date": f.date.isoformat() if f.date else None,
                    "source": f.source,
                }
                for f in findings
            ],
        )
    session.execute(
        update(ValidationRun)
        .where(ValidationRun.id == run_id)
        .values(finished_at=datetime.now(UTC), entry_count=entry_count, finding_count=len(findings))
    )
    return findings


def _latest_statement() -> Select[Any]:
    """The newest run, one row per finding (one with no finding columns when it has none)."""
    runs = ValidationRun.__table__.c
    found = ValidationFinding.__table__.c
    latest = (
        select(runs.id, runs.started_at, runs.finished_at, runs.entry_count)
        .order_by(runs.id.desc())
        .limit(1)
        .subquery("latest")
    )
    return (
        select(
            latest,
            found.id.label("finding_id"),
            found.kind,
            found.message,
            found.line,
            found.date,
            found.source,
        )
        .outerjoin(ValidationFinding.__table__, found.run_id == latest.c.id)
        .order_by(found.id)
    )


# Built once: the dashboard reads it on every request.
_LATEST = _latest_statement()


def latest_validation(session: Session) -> ValidationReport | None:
    """The newest run with its findings, or None if the book was never validated."""
    rows = read(session, _LATEST).all()
    if not rows:
        return None
    run = rows[0]
    findings = tuple(
        Finding(r.kind, r.message, r.line, date.fromisoformat(r.date) if r.date else None, r.source)
        for r in rows
        if r.finding_id is not None
    )
    return ValidationReport(run.id, run.started_at, run.finished_at, run.entry_count, findings)
