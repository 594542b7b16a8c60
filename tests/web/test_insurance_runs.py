"""A premium run started from the bureau's page, worked by a real rq worker, read by a member."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from redis import Redis
from sqlalchemy.orm import Session

from app.books.params import today
from purchasing.invoices import accounts
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import join, open_pool
from purchasing.rating import Basis, Exposure, Line
from tenants.roles import Role
from tests.purchasing.books import balance
from tests.web.test_insurance import amount_at
from workers.queues import all_queues, redis_connection
from workers.worker import run_worker

D = Decimal
YEAR = today().year
JANUARY = (date(YEAR, 1, 1), date(YEAR, 1, 31))


@pytest.fixture
def queue_url(app, redis_url: str, monkeypatch) -> Iterator[tuple[str, Redis]]:
    """Redis database 9 or 10 (one per xdist process) as the app's queue, emptied."""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    base = redis_url.rsplit("/", 1)[0] if redis_url.startswith("redis://") else redis_url
    url = f"{base}/{9 + index % 2}" if redis_url.startswith("redis://") else redis_url
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    connection = redis_connection(url)
    for each in all_queues(connection):
        each.empty()
    yield url, connection
    connection.close()


@pytest.fixture
def pool(engine, make_org):
    """An AVB pool at €120 per employee a year plus €73 costs, taxed 21%, started 1 January."""
    bureau = make_org(name="Servicebureau", is_bureau=True)
    members = [make_org(), make_org()]
    with Session(engine) as session:
        insurer = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}")
        policy = add_policy(
            session,
            NewPolicy(
                insurer_id=insurer,
                policyholder_id=bureau.id,
                line=Line.AVB,
                name="Collectieve AVB",
                starts_on=date(YEAR, 1, 1),
                ends_on=date(YEAR, 12, 31),
                basis=Basis.PER_EMPLOYEE,
                tiers=[(D(0), D(120))],
                annual_costs=D(73),
            ),
        )
        pool_id = open_pool(session, policy, "AVB-pool", 2, date(YEAR, 1, 1))
        for employees, member in zip((D(3), D(1)), members, strict=True):
            join(session, pool_id, member.id, Exposure(employees=employees), date(YEAR, 1, 1))
    return pool_id, bureau, members


def test_a_premium_run_from_the_bureau_page_invoices_and_books_and_the_member_sees_why(
    app, engine, make_user, login_as, pool, queue_url
):
    pool_id, bureau, (member, _) = pool
    _, connection = queue_url
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))

    started = staff.post(
        f"/bureau/insurance/pools/{pool_id}/runs",
        data={"starts_on": JANUARY[0].isoformat(), "ends_on": JANUARY[1].isoformat()},
    )
    assert started.status_code == 302
    run_path = started.headers["Location"]
    assert "in de wachtrij" in staff.get(run_path).get_data(as_text=True)

    assert run_worker(app, burst=True, fork=False, connection=connection)

    page = staff.get(run_path).get_data(as_text=True)
    assert "klaar" in page and "2 van 2 facturen" in page
    assert page.count("<td>ja</td>") == 4  # both sides of both invoices booked
    run_total = amount_at(page, "run-total")
    # €120 × 4 employees + €73 costs for 31 of 365 days, plus 21% tax: about €49.
    assert abs(run_total - (D(480) + D(73)) * 31 / 365 * D("1.21")) < D("0.05")
    owed = staff.get("/bureau/insurance/").get_data(as_text=True)
    assert f"{run_total:.2f}".replace(".", ",") in owed
    assert (
        balance(engine, bureau.tenant, accounts.INSURER_PAYABLE)
        + balance(engine, bureau.tenant, accounts.PREMIUM_TAX_PAYABLE)
        == -run_total
    )

    owner = app.test_client()
    login_as(owner, make_user(org=member, role=Role.VIEWER))
    index = owner.get(f"/o/{member.slug}/insurance").get_data(as_text=True)
    share_path = re.search(rf'href="(/o/{member.slug}/insurance/shares/\d+)"', index)
    assert share_path
    share = owner.get(share_path.group(1)).get_data(as_text=True)
    assert 'data-testid="breakdown"' in share
    assert "31 van de 365 dagen" in share
    assert amount_at(share, "share-total") == amount_at(share, "invoice-total")
    assert balance(engine, member.tenant, accounts.PAYABLE) == -amount_at(share, "invoice-total")


def test_a_run_for_a_period_outside_the_term_is_refused_at_the_period_field(
    app, make_user, login_as, pool, queue_url
):
    pool_id, _, _ = pool
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    response = staff.post(
        f"/bureau/insurance/pools/{pool_id}/runs",
        data={"starts_on": f"{YEAR - 1}-12-01", "ends_on": f"{YEAR - 1}-12-31"},
    )
    assert response.status_code == 422
    assert "De periode valt buiten de looptijd van de polis." in response.get_data(as_text=True)
