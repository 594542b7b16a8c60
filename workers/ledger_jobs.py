"""Ledger jobs: Beancount's full validation of one organisation's books, run in the background."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq.job import Job

from ledger.validation import finish_validation, start_validation
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.queues import LEDGER, queue


def validate_books(organisation_id: int) -> dict[str, Any]:
    """Validate the books of the organisation named, and only those; safe to run twice.

    Two units of work: the run is committed as started first, so one that dies midway stays
    visible as unfinished; the findings are committed with its end. Returns a small summary
    for whoever watches the job (counts, not the findings: those are stored with the run in
    the organisation's own schema).
    """
    with unit_of_work(runtime.engine(), organisation_id) as session:
        run_id = start_validation(session)
    with unit_of_work(runtime.engine(), organisation_id) as session:
        findings = finish_validation(session, run_id)
    return {"organisation_id": organisation_id, "findings": len(findings)}


def enqueue_validation(connection: Redis[bytes], organisation_id: int) -> Job:
    """Queue a validation on the ledger queue (after an import, or when the owner asks)."""
    return queue(LEDGER, connection).enqueue(
        validate_books, organisation_id, job_timeout=30 * 60, result_ttl=7 * 24 * 3600
    )
