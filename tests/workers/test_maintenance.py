"""The nightly purge forgets long-ended login sessions and spent reset links, and nothing else."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from rq.cron import CronScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.account_purge import KEEP_ENDED
from tenants.security_models import PasswordReset, UserSession
from tests.conftest import worker_runtime
from workers.maintenance import PURGE, purge_account_leftovers_job
from workers.queues import DEFAULT, queue
from workers.scheduler import schedule
from workers.worker import run_worker

pytestmark = pytest.mark.servers  # CI runs these on the embedded servers too

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def a_session(user_id: int, created: timedelta, ended: timedelta | None) -> UserSession:
    """A session begun ``created`` ago and, unless None, ended ``ended`` ago."""
    return UserSession(
        user_id=user_id,
        token_hash=secrets.token_hex(32),
        created_at=NOW - created,
        last_seen_at=NOW - (ended or timedelta()),
        ended_at=None if ended is None else NOW - ended,
        must_rotate=False,
        user_agent="test",
    )


def a_reset(user_id: int, expires_in: timedelta, used: bool) -> PasswordReset:
    return PasswordReset(
        user_id=user_id,
        token_hash=secrets.token_hex(32),
        created_at=NOW - timedelta(hours=2),
        expires_at=NOW + expires_in,
        used_at=NOW - timedelta(hours=1) if used else None,
    )


def test_the_purge_deletes_long_ended_sessions_and_spent_links_and_keeps_the_rest(
    app, engine, make_user, job_redis
):
    user = make_user()
    sessions = {
        "ended long ago": a_session(user.id, KEEP_ENDED + 2 * DAY, KEEP_ENDED + DAY),
        "ended lately": a_session(user.id, 3 * DAY, 2 * DAY),
        "never ended, long dead": a_session(user.id, KEEP_ENDED + 2 * DAY, None),
        "never ended, lately dead": a_session(user.id, 5 * DAY, None),
        "live": a_session(user.id, timedelta(minutes=5), None),
    }
    resets = {
        "used": a_reset(user.id, timedelta(minutes=30), used=True),
        "expired": a_reset(user.id, -timedelta(minutes=1), used=False),
        "pending": a_reset(user.id, timedelta(minutes=30), used=False),
    }
    with Session(engine, expire_on_commit=False) as session:
        session.add_all([*sessions.values(), *resets.values()])
        session.commit()

    job = queue(DEFAULT, job_redis).enqueue(purge_account_leftovers_job)
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    counts = job.return_value()
    assert counts["sessions"] >= 2 and counts["resets"] >= 2
    with Session(engine) as session:
        kept_sessions = set(
            session.scalars(select(UserSession.token_hash).where(UserSession.user_id == user.id))
        )
        kept_resets = set(
            session.scalars(
                select(PasswordReset.token_hash).where(PasswordReset.user_id == user.id)
            )
        )
    assert kept_sessions == {
        sessions[name].token_hash for name in ("ended lately", "never ended, lately dead", "live")
    }
    assert kept_resets == {resets["pending"].token_hash}


def test_a_second_purge_finds_nothing_more_of_what_the_first_left(app, make_user):
    from workers import runtime

    runtime.use(worker_runtime(app))
    purge_account_leftovers_job()
    assert purge_account_leftovers_job() == {"sessions": 0, "resets": 0}


def test_the_purge_is_on_the_nightly_schedule(job_redis):
    scheduler = CronScheduler(connection=job_redis)
    (purge,) = [job for job in schedule(scheduler) if job.name == PURGE]
    assert purge.next_enqueue_time is not None
    local = purge.next_enqueue_time.astimezone()
    assert (local.hour, local.minute) == (3, 30)
    assert purge.next_enqueue_time - datetime.now(UTC) <= DAY
