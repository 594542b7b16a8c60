"""Jobs run through a real rq worker and real Redis, each bound to the organisation it names."""

from __future__ import annotations

import pytest
from rq.job import JobStatus
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.chart import ChartAccount, default_chart
from tenants.models import Organisation
from tenants.provisioning import NewOrganisation, provision_organisation
from tests.conftest import worker_runtime
from workers.jobs import count_accounts
from workers.queues import DEFAULT, LEDGER, RUNS, queue
from workers.worker import run_worker

pytestmark = pytest.mark.servers  # CI runs these on the embedded servers too

SMALL_CHART = (
    ChartAccount("Assets:Bank", "Bank", "Bank", None),
    ChartAccount("Equity:Opening-Balances", "Beginvermogen", "Opening balances", None),
)


def test_a_job_counts_the_accounts_of_the_organisation_it_names_and_no_other(
    app, engine, make_org, job_redis
):
    large = make_org()
    with Session(engine) as session:
        small = provision_organisation(
            session, NewOrganisation(slug=f"{large.slug}-klein", name="Klein"), chart=SMALL_CHART
        )
    for_large = queue(LEDGER, job_redis).enqueue(count_accounts, large.id)
    for_small = queue(DEFAULT, job_redis).enqueue(count_accounts, small.organisation_id)

    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    assert for_large.return_value() == len(default_chart())
    assert for_small.return_value() == len(SMALL_CHART)


def test_a_job_for_an_organisation_that_does_not_exist_fails_without_reading_any_books(
    app, engine, job_redis
):
    with Session(engine) as session:
        unknown = (session.scalar(select(func.max(Organisation.id))) or 0) + 1000
    job = queue(RUNS, job_redis).enqueue(count_accounts, unknown)

    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    assert job.get_status() == JobStatus.FAILED
    result = job.latest_result()
    assert result is not None
    assert "OrganisationNotFound" in (result.exc_string or "")


def test_a_forking_worker_runs_the_job_in_a_child_and_leaves_the_parents_pool_working(
    app, engine, make_org, job_redis
):
    org = make_org()
    with engine.connect() as connection:  # a pooled connection the child inherits
        connection.exec_driver_sql("SELECT 1")
    job = queue(DEFAULT, job_redis).enqueue(count_accounts, org.id)

    run_worker(worker_runtime(app), burst=True, fork=True, connection=job_redis)

    assert job.return_value() == len(default_chart())
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_queue_that_no_worker_listens_to_is_refused(job_redis):
    with pytest.raises(ValueError, match="nightly"):
        queue("nightly", job_redis)
