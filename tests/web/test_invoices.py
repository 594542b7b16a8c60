"""Invoice pages: the bureau's invoices, PDF, runs with progress, arrears, SEPA; a member's own."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from lxml import etree
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.clock import today
from purchasing.errors import ValidationFailed
from purchasing.models import (
    Cadence,
    Invoice,
    InvoiceMessage,
    InvoiceRun,
    MessageKind,
    RunKind,
    SepaBatch,
    SepaMandate,
)
from purchasing.plans import NewPlan, create_plan, subscribe
from purchasing.proration import Period
from purchasing.runs.membership import membership_invoices
from purchasing.runs.runs import start_run
from purchasing.sepa.creditor import creditor_identifier, set_creditor
from purchasing.sepa.pain008 import check_against_schema
from tenants.roles import Role
from tests.conftest import worker_runtime
from tests.purchasing import billing
from tests.purchasing.billing import (
    BUREAU_IBAN,
    EXEMPT,
    MEMBER_IBAN,
    fee_invoice,
    give_billing_details,
    make_member,
)
from tests.purchasing.books import run_redis, session_factory  # noqa: F401  (fixture)
from workers.purchasing_jobs import execute_run
from workers.queues import redis_connection
from workers.worker import run_worker

billed_bureau = billing.billed_bureau
member = billing.member


@pytest.fixture
def staff(client, make_user, login_as):
    login_as(client, make_user(is_bureau_admin=True))
    return client


@pytest.fixture
def invoice(session: Session, billed_bureau, member) -> Invoice:
    invoice = session.get_one(Invoice, fee_invoice(billed_bureau.id, member.id, session=session))
    session.commit()
    return invoice


def test_bureau_staff_list_invoices_open_one_and_download_its_pdf(staff, invoice) -> None:
    assert invoice.number in staff.get("/bureau/invoices").get_data(as_text=True)
    page = staff.get(f"/bureau/invoices/{invoice.id}").get_data(as_text=True)
    assert invoice.payment_reference in page and "Stichting De Linde" in page
    response = staff.get(f"/bureau/invoices/{invoice.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f"factuur-{invoice.number}.pdf" in response.headers["Content-Disposition"]


def test_sending_an_invoice_queues_its_mail_job(app, staff, invoice) -> None:
    response = staff.post(f"/bureau/invoices/{invoice.id}/mail")
    assert response.status_code == 302
    connection = redis_connection(app.config["REDIS_URL"])
    job = Job.fetch(f"invoice-mail-{invoice.id}", connection=connection)
    assert job.args == (invoice.id,)
    job.delete()


def test_an_organisation_member_who_is_not_staff_gets_403_on_every_bureau_invoice_page(
    client, make_user, login_as, member, invoice
) -> None:
    login_as(client, make_user(org=member))
    for url in (
        "/bureau/invoices",
        f"/bureau/invoices/{invoice.id}",
        f"/bureau/invoices/{invoice.id}/pdf",
        "/bureau/runs",
        "/bureau/arrears",
        "/bureau/sepa/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_run_page_has_a_progress_bar_that_polls_a_json_endpoint(
    session: Session, staff, billed_bureau, member
) -> None:
    plan_id = create_plan(
        session,
        NewPlan(
            bureau_id=billed_bureau.id,
            name=f"Plan {billed_bureau.slug}",
            cadence=Cadence.YEARLY,
            tiers=[(Decimal(0), Decimal("120.00"))],
            vat_exemption=EXEMPT,
        ),
    )
    subscribe(session, plan_id, member.id, Decimal(3), date(2025, 1, 1))
    run_id = start_run(
        session,
        RunKind.MEMBERSHIP,
        plan_id,
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        date(2026, 1, 5),
    )
    session.commit()
    assert f"/bureau/runs/{run_id}" in staff.get("/bureau/runs").get_data(as_text=True)
    session.commit()
    page = staff.get(f"/bureau/runs/{run_id}").get_data(as_text=True)
    assert f'data-run-progress="/bureau/runs/{run_id}/progress"' in page and "<progress" in page
    assert "run-progress.js" in page
    session.commit()
    progress = staff.get(f"/bureau/runs/{run_id}/progress")
    assert progress.json == {
        "status": "pending",
        "status_label": "in de wachtrij",
        "done": 0,
        "total": 0,
        "percent": 100,
        "error": None,
        "finished": False,
    }
    assert progress.headers["Cache-Control"] == "no-store"


def test_the_arrears_page_ages_what_members_owe(staff, invoice) -> None:
    on = invoice.due_on + timedelta(days=40)
    page = staff.get(f"/bureau/arrears?on={on.isoformat()}").get_data(as_text=True)
    assert "31–60 dagen" in page and "Stichting De Linde" in page
    assert "240,00" in page


def test_staff_set_the_creditor_record_a_mandate_make_a_batch_and_download_valid_pain_008(
    session: Session, staff, billed_bureau, member, invoice
) -> None:
    session.commit()
    response = staff.post(
        "/bureau/sepa/creditor",
        data={
            "bureau": billed_bureau.id,
            "creditor_id": creditor_identifier("87654321"),
            "name": "Stichting Servicebureau",
            "iban": BUREAU_IBAN,
        },
        follow_redirects=True,
    )
    assert "Het incassant-ID is opgeslagen." in response.get_data(as_text=True)
    session.commit()
    response = staff.post(
        "/bureau/sepa/mandates",
        data={
            "organisation": member.id,
            "reference": f"WEB-{member.id}",
            "debtor_name": "Stichting De Linde",
            "iban": MEMBER_IBAN,
            "signed_on": "2026-01-05",
        },
        follow_redirects=True,
    )
    assert "De machtiging is vastgelegd." in response.get_data(as_text=True)
    collect_on = max(today() + timedelta(days=15), invoice.due_on)
    session.commit()
    response = staff.post(
        "/bureau/sepa/batches",
        data={"bureau": billed_bureau.id, "collection_on": collect_on.isoformat()},
        follow_redirects=True,
    )
    assert "De incassobatch is aangemaakt" in response.get_data(as_text=True)
    batch = session.query(SepaBatch).filter_by(creditor_id=billed_bureau.id).one()
    for schema in ("pain.008.001.02", "pain.008.001.08"):
        session.commit()
        download = staff.get(f"/bureau/sepa/batches/{batch.id}/pain008?schema={schema}")
        assert download.status_code == 200
        check_against_schema(download.data, schema)
        assert f"WEB-{member.id}".encode() in download.data
        assert etree.fromstring(download.data).tag.endswith("Document")


def test_a_batch_date_inside_the_notice_period_is_refused_with_the_reason(
    session: Session, staff, billed_bureau
) -> None:
    set_creditor(session, billed_bureau.id, creditor_identifier("87654321"), "Bureau", BUREAU_IBAN)
    session.commit()
    earliest = today() + timedelta(days=14)
    page = staff.get("/bureau/sepa/").get_data(as_text=True)
    assert 'id="collection_on" name="collection_on"' in page
    assert f'value="{earliest:%d-%m-%Y}"' in page  # the form offers the first day it takes
    response = staff.post(
        "/bureau/sepa/batches",
        data={
            "bureau": billed_bureau.id,
            "collection_on": f"{earliest - timedelta(days=1):%d-%m-%Y}",
        },
        follow_redirects=True,
    )
    assert "Een incasso moet minstens 14 dagen vooraf aangekondigd zijn." in response.get_data(
        as_text=True
    )


def test_a_mandate_without_its_signing_day_is_refused_at_that_field_and_nothing_is_saved(
    session: Session, staff, member
) -> None:
    session.commit()
    response = staff.post(
        "/bureau/sepa/mandates",
        data={
            "organisation": member.id,
            "reference": f"LEEG-{member.id}",
            "debtor_name": "Stichting De Linde",
            "iban": MEMBER_IBAN,
            "signed_on": "",
        },
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-signed_on"' in page and f"LEEG-{member.id}" in page
    session.rollback()
    assert (
        session.scalar(select(SepaMandate.id).where(SepaMandate.organisation_id == member.id))
        is None
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OWNER])
def test_a_member_sees_its_own_invoices_and_downloads_their_pdf(
    client, make_user, login_as, member, invoice, role
) -> None:
    login_as(client, make_user(org=member, role=role))
    page = client.get(f"/o/{member.slug}/invoices").get_data(as_text=True)
    assert invoice.number in page and invoice.payment_reference in page
    response = client.get(f"/o/{member.slug}/invoices/{invoice.id}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_a_member_cannot_download_another_organisations_invoice(
    session: Session, client, make_user, make_org, login_as, billed_bureau, invoice
) -> None:
    other = make_org()
    login_as(client, make_user(org=other))
    session.commit()
    assert invoice.number not in client.get(f"/o/{other.slug}/invoices").get_data(as_text=True)
    session.commit()
    assert client.get(f"/o/{other.slug}/invoices/{invoice.id}/pdf").status_code == 404


def test_staff_make_a_plan_subscribe_members_and_run_it_with_progress_and_mails(
    app,
    session: Session,
    staff,
    billed_bureau,
    member,
    make_org,
    run_redis,  # noqa: F811
) -> None:
    grown = make_member(make_org, session, name="Wijkcoöperatie Oost")
    session.commit()
    response = staff.post(
        "/bureau/plans",
        data={
            "name": f"Contributie {billed_bureau.slug}",
            "bureau_id": billed_bureau.id,
            "cadence": "quarterly",
            "size_label": "werknemers",
            "threshold_0": "0",
            "fee_0": "120,00",
            "threshold_1": "10",
            "fee_1": "480,00",
            "vat_exemption": EXEMPT,
        },
    )
    assert response.status_code == 302
    plan_url = response.location
    session.commit()
    tiers = staff.get(plan_url).get_data(as_text=True)
    assert "vanaf 0 werknemers" in tiers and "vanaf 10 werknemers" in tiers
    for organisation, size in ((member, "3"), (grown, "12")):
        session.commit()
        staff.post(
            f"{plan_url}/subscriptions",
            data={"organisation_id": organisation.id, "size": size, "joined_on": "2025-01-01"},
        )
    session.commit()
    page = staff.get(plan_url).get_data(as_text=True)
    assert "Buurthuis De Linde" in page and "Wijkcoöperatie Oost" in page
    second_quarter = f"{today().year}-04-01/{today().year}-06-30"  # the page offers this year's
    assert f'value="{second_quarter}"' in page
    session.commit()
    started = staff.post(
        f"{plan_url}/runs", data={"period": second_quarter, "issued_on": f"{today().year}-04-01"}
    )
    run_url = started.location
    session.commit()
    assert "/bureau/runs/" in run_url and "data-run-progress" in staff.get(run_url).get_data(
        as_text=True
    )

    session.commit()
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    session.commit()
    progress = staff.get(f"{run_url}/progress").json
    assert (progress["status"], progress["done"], progress["total"]) == ("done", 2, 2)
    invoices = session.scalars(
        select(Invoice).where(Invoice.customer_id.in_([member.id, grown.id]))
    ).all()
    assert sorted(invoice.total for invoice in invoices) == [Decimal("30.00"), Decimal("120.00")]
    sent = session.scalars(
        select(InvoiceMessage.invoice_id).where(InvoiceMessage.kind == MessageKind.INVOICE.value)
    ).all()
    mailed = {invoice.id for invoice in invoices if invoice.customer_id == member.id}
    assert mailed <= set(sent)  # sent by the worker; the other member has no e-mail address


def test_a_plan_without_a_tier_from_zero_is_refused_with_the_reason(staff, billed_bureau) -> None:
    response = staff.post(
        "/bureau/plans",
        data={"name": "Zonder basis", "bureau_id": billed_bureau.id, "threshold_0": "5",
              "fee_0": "100", "vat_exemption": EXEMPT},
        follow_redirects=True,
    )  # fmt: skip
    assert "staffel vanaf 0" in response.get_data(as_text=True)


@pytest.fixture
def fee_plan(session: Session, billed_bureau, member) -> int:
    plan_id = create_plan(
        session,
        NewPlan(
            bureau_id=billed_bureau.id,
            name=f"Plan {billed_bureau.slug}",
            cadence=Cadence.YEARLY,
            tiers=[(Decimal(0), Decimal("120.00"))],
            vat_exemption=EXEMPT,
        ),
    )
    subscribe(session, plan_id, member.id, Decimal(3), date(2025, 1, 1))
    session.commit()
    return plan_id


def test_a_run_from_a_bureau_without_an_address_is_refused_saying_where_to_fill_it_in(
    session: Session, staff, billed_bureau, fee_plan
) -> None:
    give_billing_details(session, billed_bureau.id, address="", kvk_number=None)
    session.commit()
    page = staff.post(
        f"/bureau/plans/{fee_plan}/runs",
        data={"period": "2026-01-01/2026-12-31", "issued_on": "2026-01-05"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "ontbreekt adres, KvK-nummer" in page
    assert "Factuurgegevens" in page and "/bureau/billing" in page
    assert session.scalar(select(InvoiceRun.id).where(InvoiceRun.plan_id == fee_plan)) is None


def test_a_run_whose_bureau_lost_its_address_shows_why_it_failed_on_its_page(
    engine, session: Session, staff, billed_bureau, fee_plan
) -> None:
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    run_id = start_run(session, RunKind.MEMBERSHIP, fee_plan, period, date(2026, 1, 5))
    give_billing_details(session, billed_bureau.id, address="")
    with pytest.raises(ValidationFailed):
        session.commit()
        execute_run(engine, run_id, membership_invoices)
    session.commit()
    page = staff.get(f"/bureau/runs/{run_id}").get_data(as_text=True)
    assert "kan nog geen facturen uitgeven" in page and "ontbreekt adres" in page
    session.commit()
    assert staff.get(f"/bureau/runs/{run_id}/progress").json["status"] == "failed"


def test_an_invoice_issued_before_its_member_needed_an_address_warns_staff_on_its_page(
    session: Session, staff, billed_bureau, make_org, invoice
) -> None:
    newcomer = make_member(make_org, session, name="Bewonersinitiatief Zuid")
    bare = fee_invoice(billed_bureau.id, newcomer.id, session=session)
    # As issued before an invoice to a member without an address was refused.
    old = session.get_one(Invoice, bare)
    old.customer = {**old.customer, "address": "", "postcode": "", "city": ""}
    session.commit()
    page = staff.get(f"/bureau/invoices/{bare}").get_data(as_text=True)
    warning = page.split('data-testid="customer-missing">', 1)[1].split("</p>", 1)[0]
    assert "adres, postcode, plaats" in warning
    assert f"/bureau/billing/{newcomer.id}" in warning
    session.commit()
    complete = staff.get(f"/bureau/invoices/{invoice.id}").get_data(as_text=True)
    assert 'data-testid="customer-missing"' not in complete


def test_staff_see_which_billing_details_an_invoice_still_lacks_and_fill_them_in(
    session: Session, staff, make_org
) -> None:
    newcomer = make_org(name="Bewonersinitiatief Noord")
    session.commit()
    overview = staff.get("/bureau/billing").get_data(as_text=True)
    assert "Bewonersinitiatief Noord" in overview
    assert "adres, postcode, plaats" in overview
    url = f"/bureau/billing/{newcomer.id}"
    form = {
        "name": "Bewonersinitiatief Noord",
        "address": "Noordweg 2",
        "postcode": "1021 ab",
        "city": "Amsterdam",
        "kvk_number": "1234",
        "payment_days": "14",
    }
    session.commit()
    refused = staff.post(url, data=form).get_data(as_text=True)
    assert "8 cijfers" in refused
    session.commit()
    saved = staff.post(url, data={**form, "kvk_number": "12345678"})
    assert saved.status_code == 302
    session.commit()
    page = staff.get("/bureau/billing").get_data(as_text=True)
    row = page.split(f'data-testid="missing-{newcomer.id}">', 1)[1].split("</td>", 1)[0]
    assert row.strip() == "compleet"
    session.commit()
    details = staff.get(url).get_data(as_text=True)
    assert 'value="1021 AB"' in details and 'value="Noordweg 2"' in details
