"""Failed jobs: bureau staff see what failed, for which organisation and why, and retry it."""

from __future__ import annotations

import pytest
from rq.job import Job, JobStatus

from tests.conftest import worker_runtime
from tests.ops.jobs import fails_until_fixed
from workers.queues import LEDGER, queue
from workers.worker import run_worker


@pytest.fixture
def staff(client, make_user, login_as):
    login_as(client, make_user(is_bureau_admin=True, name="Bea Bureau"))
    return client


def test_staff_see_a_failed_job_with_its_organisation_and_reason_and_retry_it_once_fixed(
    app, staff, app_redis, make_org, tmp_path
):
    org = make_org(name="Stichting Het Anker")
    marker = tmp_path / "afschrift-maart.sta"
    job = queue(LEDGER, app_redis).enqueue(fails_until_fixed, org.id, str(marker))
    run_worker(worker_runtime(app), burst=True, fork=False, connection=app_redis)
    assert job.get_status() == JobStatus.FAILED

    page = staff.get("/bureau/jobs/failed").get_data(as_text=True)
    assert f'data-job-id="{job.id}"' in page
    assert "Stichting Het Anker" in page
    assert "RuntimeError: Het bestand afschrift-maart.sta ontbreekt nog." in page
    assert "Traceback" not in page and "fails_until_fixed" in page

    marker.write_text("er is")
    response = staff.post(f"/bureau/jobs/failed/{job.id}/retry")
    assert response.status_code == 302
    assert job.get_status() == JobStatus.QUEUED
    run_worker(worker_runtime(app), burst=True, fork=False, connection=app_redis)

    fetched = Job.fetch(job.id, connection=app_redis)
    assert (fetched.get_status(), fetched.return_value()) == (JobStatus.FINISHED, org.id)
    page = staff.get("/bureau/jobs/failed").get_data(as_text=True)
    assert "De taak staat weer in de wachtrij." in page
    assert 'data-testid="no-failed-jobs"' in page


def test_retrying_a_job_that_is_not_failed_changes_nothing_and_says_so(staff, app_redis):
    response = staff.post("/bureau/jobs/failed/geen-taak/retry", follow_redirects=True)
    assert "Deze taak is niet (meer) mislukt" in response.get_data(as_text=True)


def test_only_bureau_staff_see_failed_jobs(client, make_org, make_user, login_as):
    org = make_org()
    login_as(client, make_user(org=org))
    assert client.get("/bureau/jobs/failed").status_code == 403
    assert client.post("/bureau/jobs/failed/x/retry").status_code == 403
