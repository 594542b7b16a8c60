"""Housekeeping jobs: the nightly purge of ended login sessions and spent reset links.

Thin and safe to run twice (a second purge finds nothing). Registered on rq's cron scheduler
by ``workers.scheduler``; the absolute session timeout comes from the same setting the web
uses (``SB_SESSION_ABSOLUTE_HOURS``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq.cron import CronJob, CronScheduler

from tenants.account_purge import purge_account_leftovers
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.queues import DEFAULT
from workers.settings import settings_from_env

PURGE_CRON = "30 3 * * *"  # every night at half past three, when nobody is logging in
PURGE = "purge-account-leftovers"


def purge_account_leftovers_job() -> dict[str, int]:
    """Delete long-ended sessions and used or expired reset links; returns the counts."""
    absolute = timedelta(hours=settings_from_env().session_absolute_hours)
    with unit_of_work(runtime.engine()) as session:
        purged = purge_account_leftovers(session, datetime.now(UTC), absolute=absolute)
    return {"sessions": purged.sessions, "resets": purged.resets}


def schedule_maintenance(scheduler: CronScheduler) -> CronJob:
    """Register the nightly purge on rq's cron scheduler."""
    return scheduler.register(
        purge_account_leftovers_job, DEFAULT, cron=PURGE_CRON, job_timeout=600, name=PURGE
    )
