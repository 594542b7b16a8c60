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
from sqlalchemy import delete, select

from ledger.clock import today
from purchasing.invoices import accounts
from purchasing.models import Enrolment, InvoiceRun, PremiumTaxRate, PremiumTaxTreatment
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import change_declaration, join, open_pool
from purchasing.rating import Basis, Exposure, Line
from tenants.roles import Role
from tenants.unit_of_work import unit_of_work
from tests.conftest import worker_runtime
from tests.job_queues import empty_queues
from tests.purchasing.billing import give_billing_details, make_bureau, make_member
from tests.purchasing.books import balance
from tests.web.test_insurance import amount_at
from workers.queues import redis_connection
from workers.worker import run_worker

D = Decimal
YEAR = today().year
JANUARY = (date(YEAR, 1, 1), date(YEAR, 1, 31))


@pytest.fixture
def queue_url(app, redis_url: str, monkeypatch) -> Iterator[tuple[str, Redis]]:
    """The suite's Redis database (9 or 10 under xdist) as the app's queue, emptied."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = redis_url
    if worker is not None and redis_url.startswith("redis://"):
        url = f"{redis_url.rsplit('/', 1)[0]}/{9 + int(worker.removeprefix('gw') or 0) % 2}"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    connection = redis_connection(url)
    empty_queues(connection)
    yield url, connection
    connection.close()


@pytest.fixture
def pool(engine, make_org):
    """An AVB pool at €120 per employee a year plus €73 costs, taxed 21%, started 1 January."""
    with unit_of_work(engine) as session:
        bureau = make_bureau(make_org, session)
        members = [make_member(make_org, session), make_member(make_org, session)]
    with unit_of_work(engine) as session:
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

    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=connection)

    page = staff.get(run_path).get_data(as_text=True)
    assert "klaar" in page and "2 van 2 facturen" in page
    assert len(re.findall(r"<td[^>]*>ja</td>", page)) == 4  # both sides of both invoices booked
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


def _premium_run_through_the_page(app, staff, pool_id, connection) -> str:
    started = staff.post(
        f"/bureau/insurance/pools/{pool_id}/runs",
        data={"starts_on": JANUARY[0].isoformat(), "ends_on": JANUARY[1].isoformat()},
    )
    assert started.status_code == 302
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=connection)
    return started.headers["Location"]


def test_a_correction_run_from_the_pool_page_credits_a_lowered_declaration_and_shows_why(
    app, engine, make_user, login_as, pool, queue_url
):
    pool_id, _, (member, _) = pool
    _, connection = queue_url
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    _premium_run_through_the_page(app, staff, pool_id, connection)
    assert "correction-form-" in staff.get(f"/bureau/insurance/pools/{pool_id}").get_data(
        as_text=True
    )
    january = {"starts_on": JANUARY[0].isoformat(), "ends_on": JANUARY[1].isoformat()}
    nothing = staff.post(f"/bureau/insurance/pools/{pool_id}/corrections", data=january)
    assert nothing.status_code == 422
    assert "Er is niets te corrigeren" in nothing.get_data(as_text=True)

    with unit_of_work(engine) as session:
        enrolment = session.scalar(
            select(Enrolment.id).where(
                Enrolment.pool_id == pool_id, Enrolment.organisation_id == member.id
            )
        )
        change_declaration(session, enrolment, Exposure(employees=D(1)), date(YEAR, 1, 1))
    started = staff.post(f"/bureau/insurance/pools/{pool_id}/corrections", data=january)
    assert started.status_code == 302
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=connection)
    page = staff.get(started.headers["Location"]).get_data(as_text=True)
    assert "Correctierun" in page and "klaar" in page and "(creditnota)" in page

    viewer = app.test_client()
    login_as(viewer, make_user(org=member, role=Role.VIEWER))
    index = viewer.get(f"/o/{member.slug}/insurance").get_data(as_text=True)
    paths = re.findall(rf'href="(/o/{member.slug}/insurance/shares/\d+)"', index)
    assert len(paths) == 2  # the January invoice and its credit note
    totals = []
    for path in paths:
        share = viewer.get(path).get_data(as_text=True)
        totals.append(amount_at(share, "invoice-total"))
        if 'data-testid="correction"' in share:
            assert "Eerder gefactureerd" in share and 'data-testid="credits"' in share
            assert amount_at(share, "difference-1") < 0
    assert min(totals) < 0 < max(totals)
    assert balance(engine, member.tenant, accounts.PAYABLE) == -sum(totals)


def test_a_premium_run_overlapping_an_earlier_one_is_refused_on_the_pool_page(
    app, make_user, login_as, pool, queue_url
):
    pool_id, _, _ = pool
    _, connection = queue_url
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    _premium_run_through_the_page(app, staff, pool_id, connection)
    response = staff.post(
        f"/bureau/insurance/pools/{pool_id}/runs",
        data={"starts_on": f"{YEAR}-01-15", "ends_on": f"{YEAR}-02-15"},
    )
    assert response.status_code == 422
    assert "overlapt met de run van 01-01" in response.get_data(as_text=True)


def test_a_premium_run_of_a_bureau_without_a_kvk_number_is_refused_on_the_pool_page(
    app, engine, make_user, login_as, pool
):
    pool_id, bureau, _ = pool
    with unit_of_work(engine) as session:
        give_billing_details(session, bureau.id, kvk_number=None)
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    response = staff.post(
        f"/bureau/insurance/pools/{pool_id}/runs",
        data={"starts_on": JANUARY[0].isoformat(), "ends_on": JANUARY[1].isoformat()},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('data-testid="error-supplier_id">', 1)[1].split("</p>", 1)[0]
    assert "ontbreekt KvK-nummer" in error and "/bureau/billing" in error
    with unit_of_work(engine) as session:
        assert session.scalar(select(InvoiceRun.id).where(InvoiceRun.pool_id == pool_id)) is None


def test_bureau_staff_enter_the_insurers_invoice_for_a_pool_and_period(
    app, make_user, login_as, pool, queue_url
):
    pool_id, _, _ = pool
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    form = {
        "insurer_kind": "advance",
        "reference": "AVB-2026-0001",
        "insurer_starts_on": JANUARY[0].isoformat(),
        "insurer_ends_on": JANUARY[1].isoformat(),
        "net": "40,77",
        "costs": "6,20",
        "tax": "9,86",
    }
    assert (
        staff.post(f"/bureau/insurance/pools/{pool_id}/insurer-invoices", data=form).status_code
        == 302
    )
    page = staff.get(f"/bureau/insurance/pools/{pool_id}").get_data(as_text=True)
    assert "AVB-2026-0001" in page and "40,77" in page
    again = staff.post(f"/bureau/insurance/pools/{pool_id}/insurer-invoices", data=form)
    assert again.status_code == 422 and "al vastgelegd" in again.get_data(as_text=True)


def test_bureau_staff_set_a_dated_premium_tax_rate_and_a_line_treatment(
    app, engine, make_user, login_as
):
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    try:
        rate = {"valid_from": "2051-01-01", "percent": "22", "note": "test"}
        assert staff.post("/bureau/insurance/tax/rates", data=rate).status_code == 302
        page = staff.get("/bureau/insurance/").get_data(as_text=True)
        assert "1 jan 2051" in page and "22%" in page
        again = staff.post("/bureau/insurance/tax/rates", data=rate)
        assert again.status_code == 422 and "begint al een tarief" in again.get_data(as_text=True)
        treatment = {
            "treatment_line": "volunteers",
            "treatment_valid_from": "2051-01-01",
            "treatment": "taxed",
        }
        assert staff.post("/bureau/insurance/tax/treatments", data=treatment).status_code == 302
    finally:
        with unit_of_work(engine) as session:
            session.execute(
                delete(PremiumTaxRate).where(PremiumTaxRate.valid_from >= date(2051, 1, 1))
            )
            session.execute(
                delete(PremiumTaxTreatment).where(
                    PremiumTaxTreatment.valid_from >= date(2051, 1, 1)
                )
            )
            session.commit()
