"""Structured JSON logs: one line per request with its id, user, organisation, route, status and
duration; jobs log their id and organisation."""

from __future__ import annotations

import logging
import re

import structlog
from rq.job import Job

from tests.conftest import worker_runtime
from tests.ops.jobs import fails_until_fixed
from workers.queues import DEFAULT, queue
from workers.worker import run_worker


def test_each_request_writes_one_json_line_with_its_id_user_organisation_route_and_status(
    client, make_org, make_user, login_as, log_lines
):
    org = make_org()
    owner = make_user(org=org)
    login_as(client, owner)

    response = client.get(f"/o/{org.slug}/", headers={"X-Request-ID": "proxy-4f1c2a9e"})

    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "proxy-4f1c2a9e"
    (line,) = [line for line in log_lines.events("request") if line["path"] == f"/o/{org.slug}/"]
    assert line["request_id"] == "proxy-4f1c2a9e"
    assert (line["user_id"], line["organisation"]) == (owner.id, org.slug)
    assert (line["route"], line["status"], line["method"]) == ("dashboard.index", 200, "GET")
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["level"] == "info" and line["at"].endswith("Z")


def test_a_request_without_an_id_gets_one_and_an_id_that_could_forge_lines_is_replaced(
    client, log_lines
):
    made = client.get("/login")
    forged = client.get("/login", headers={"X-Request-ID": 'x", "event": "forged <script>'})

    ids = [made.headers["X-Request-ID"], forged.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert ids[0] != ids[1]
    lines = log_lines.events("request")
    assert [line["request_id"] for line in lines] == ids
    assert [line["user_id"] for line in lines] == [None, None]
    assert not log_lines.events("forged")


def test_a_refused_request_is_logged_with_its_status_and_no_organisation_it_may_not_see(
    client, make_org, make_user, login_as, log_lines
):
    foreign = make_org()
    login_as(client, make_user(org=make_org()))

    assert client.get(f"/o/{foreign.slug}/").status_code == 404

    (line,) = [line for line in log_lines.events("request") if line["method"] == "GET"]
    assert (line["status"], line["route"]) == (404, "dashboard.index")
    assert line["organisation"] == foreign.slug  # what was asked for, for whoever investigates


def test_a_job_logs_its_id_and_organisation_on_every_line_it_writes(
    app, app_redis, make_org, tmp_path, log_lines
):
    org = make_org()
    job = queue(DEFAULT, app_redis).enqueue(fails_until_fixed, org.id, str(tmp_path / "missing"))

    run_worker(worker_runtime(app), burst=True, fork=False, connection=app_redis)

    (outcome,) = log_lines.events("job")
    assert outcome["job_id"] == job.id
    assert outcome["organisation_id"] == org.id
    assert (outcome["status"], outcome["job"]) == ("failed", "tests.ops.jobs.fails_until_fixed")
    errors = [line for line in log_lines.all() if line["level"] == "error"]
    assert errors and all(line["job_id"] == job.id for line in errors)
    assert all(line["organisation_id"] == org.id for line in errors)
    assert Job.fetch(job.id, connection=app_redis).get_status() == "failed"


def test_our_lines_and_the_libraries_lines_share_one_format_and_one_threshold(make_app, log_lines):
    quiet = make_app(LOG_LEVEL="WARNING")
    try:
        quiet.test_client().get("/login")
        structlog.get_logger("app.requests").warning("ours", detail=1)
        logging.getLogger("some.library").warning("theirs %s", 2)
        logging.getLogger("some.library").info("not written")
    finally:
        make_app()  # the other tests' threshold back

    assert not log_lines.events("request")  # an info line, under the threshold
    assert not log_lines.events("not written")
    ours, theirs = log_lines.events("ours")[0], log_lines.events("theirs 2")[0]
    assert (ours["logger"], ours["level"], ours["detail"]) == ("app.requests", "warning", 1)
    assert (theirs["logger"], theirs["level"]) == ("some.library", "warning")
    assert ours["at"].endswith("Z") and theirs["at"].endswith("Z")
