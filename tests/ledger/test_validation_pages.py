"""The owner's validation page: queue Beancount's full check on demand, read the latest run."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.roles import Role
from tests.ledger.test_period_pages import member
from tests.ledger.test_validation import CLEAN, break_a_balance_assertion
from tests.ledger.test_validation_job import app_redis, work_ledger_queue
from workers.queues import LEDGER, queue

__all__ = ["app_redis", "member"]  # fixtures shared with their own modules


def import_clean(engine: Engine, org: Any, *, broken: bool = False) -> None:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        import_book(books, CLEAN, actor_id=None)
        if broken:
            break_a_balance_assertion(books)
        books.commit()


def test_a_book_never_checked_says_so_and_offers_the_check(member: Any) -> None:
    client, org = member(Role.OWNER)

    page = client.get(f"/o/{org.slug}/settings/validation").get_data(as_text=True)

    assert "nog niet gecontroleerd" in page
    assert 'data-testid="validate"' in page
    settings = client.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    assert f"/o/{org.slug}/settings/validation" in settings


def test_the_owners_post_queues_the_job_and_the_page_shows_its_clean_run(
    app: Flask, engine: Engine, member: Any, app_redis: Redis
) -> None:
    client, org = member(Role.OWNER)
    import_clean(engine, org)

    response = client.post(f"/o/{org.slug}/settings/validation")

    assert response.status_code == 302
    assert queue(LEDGER, app_redis).count == 1
    work_ledger_queue(app, app_redis)
    page = client.get(f"/o/{org.slug}/settings/validation").get_data(as_text=True)
    assert 'data-testid="no-findings"' in page
    assert "0 bevindingen" in page


def test_the_page_lists_the_findings_of_the_latest_run(
    app: Flask, engine: Engine, member: Any, app_redis: Redis
) -> None:
    client, org = member(Role.OWNER)
    import_clean(engine, org, broken=True)

    client.post(f"/o/{org.slug}/settings/validation")
    work_ledger_queue(app, app_redis)
    page = client.get(f"/o/{org.slug}/settings/validation").get_data(as_text=True)

    findings = page.split('data-testid="findings"')[1]
    assert "BalanceError" in findings
    assert "99.00" in findings


@pytest.mark.parametrize("role", [Role.BOOKKEEPER, Role.VIEWER])
def test_anyone_but_the_owner_gets_403_and_nothing_is_queued(
    member: Any, app_redis: Redis, role: Role
) -> None:
    client, org = member(role)

    responses = [
        client.get(f"/o/{org.slug}/settings/validation"),
        client.post(f"/o/{org.slug}/settings/validation"),
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert queue(LEDGER, app_redis).count == 0
