"""The scheduled job that posts deferrals' releases as they fall due, in every organisation.

Prepaid costs and amounts invoiced in advance carry a schedule of monthly releases in each
organisation's books (``ledger.releases``); nothing is posted ahead of time. This job visits
the organisations one at a time, each in a unit of work of its own, and posts what is due by
today. Safe to run twice, or at once: each release has a unique key and is locked while it is
posted. One organisation whose books refuse (a schema not yet migrated, say) is counted and
logged; the others go on.
"""

from __future__ import annotations

import logging
from datetime import date

from rq.cron import CronJob, CronScheduler
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from ledger.clock import today as clock_today
from ledger.errors import DomainError
from ledger.releases import post_due_releases
from purchasing.invoices.rescheduling import reschedule_future_releases
from tenants.models import Organisation
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.queues import DEFAULT

RELEASES = "releases"
RELEASES_EVERY = 3600  # seconds: a month's release is in the books within the hour of its day

log = logging.getLogger(__name__)


def release_due(engine: Engine, today: date) -> dict[str, int]:
    """Post every release due by ``today`` in every organisation's books; returns the counts."""
    with unit_of_work(engine) as session:
        organisation_ids = list(session.scalars(select(Organisation.id).order_by(Organisation.id)))
    counts = {"posted": 0, "refused": 0, "organisations_failed": 0}
    for organisation_id in organisation_ids:
        try:
            with unit_of_work(engine, organisation_id) as books:
                result = post_due_releases(books, today)
        except (DomainError, SQLAlchemyError):
            log.exception("releases of organisation %s not posted", organisation_id)
            counts["organisations_failed"] += 1
            continue
        counts["posted"] += result.posted
        counts["refused"] += result.refused
    return counts


def reschedule_everywhere(engine: Engine, today: date) -> dict[str, int]:
    """Turn releases posted ahead of ``today`` the old way into scheduled ones, everywhere."""
    with unit_of_work(engine) as session:
        organisation_ids = list(session.scalars(select(Organisation.id).order_by(Organisation.id)))
    counts = {"rescheduled": 0, "organisations_failed": 0}
    for organisation_id in organisation_ids:
        try:
            with unit_of_work(engine, organisation_id) as books:
                counts["rescheduled"] += reschedule_future_releases(books, today, None)
        except (DomainError, SQLAlchemyError):
            log.exception("releases of organisation %s not rescheduled", organisation_id)
            counts["organisations_failed"] += 1
    return counts


def release_due_job(on: str | None = None) -> dict[str, int]:
    """Post every release due ``on`` (ISO date; today by default), in every organisation."""
    return release_due(runtime.engine(), date.fromisoformat(on) if on else clock_today())


def schedule_releases_job(scheduler: CronScheduler) -> CronJob:
    """Register the releases on rq's cron scheduler: at once, then every hour."""
    return scheduler.register(
        release_due_job,
        DEFAULT,
        interval=RELEASES_EVERY,
        job_timeout=RELEASES_EVERY,
        result_ttl=24 * 3600,
        name=RELEASES,
    )
