"""Invoice pages: the bureau's invoices, PDF, runs with progress, arrears, SEPA; a member's own."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from lxml import etree
from rq.job import Job
from sqlalchemy.orm import Session

from app.invoices.bureau import today
from purchasing.models import Cadence, Invoice, RunKind, SepaBatch
from purchasing.plans import NewPlan, create_plan, subscribe
from purchasing.proration import Period
from purchasing.runs.runs import start_run
from purchasing.sepa.creditor import creditor_identifier, set_creditor
from purchasing.sepa.pain008 import check_against_schema
from tenants.roles import Role
from tests.purchasing import billing
from tests.purchasing.billing import BUREAU_IBAN, EXEMPT, MEMBER_IBAN, fee_invoice
from workers.queues import redis_connection

billed_bureau = billing.billed_bureau
member = billing.member


@pytest.fixture
def staff(client, make_user, login_as):
    login_as(client, make_user(is_bureau_admin=True))
    return client


@pytest.fixture
def invoice(session: Session, billed_bureau, member) -> Invoice:
    return session.get_one(Invoice, fee_invoice(billed_bureau.id, member.id, session=session))


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
    assert f"/bureau/runs/{run_id}" in staff.get("/bureau/runs").get_data(as_text=True)
    page = staff.get(f"/bureau/runs/{run_id}").get_data(as_text=True)
    assert f'data-run-progress="/bureau/runs/{run_id}/progress"' in page and "<progress" in page
    assert "run-progress.js" in page
    progress = staff.get(f"/bureau/runs/{run_id}/progress")
    assert progress.json == {
        "status": "pending",
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
    response = staff.post(
        "/bureau/sepa/batches",
        data={"bureau": billed_bureau.id, "collection_on": collect_on.isoformat()},
        follow_redirects=True,
    )
    assert "De incassobatch is aangemaakt" in response.get_data(as_text=True)
    batch = session.query(SepaBatch).filter_by(creditor_id=billed_bureau.id).one()
    for schema in ("pain.008.001.02", "pain.008.001.08"):
        download = staff.get(f"/bureau/sepa/batches/{batch.id}/pain008?schema={schema}")
        assert download.status_code == 200
        check_against_schema(download.data, schema)
        assert f"WEB-{member.id}".encode() in download.data
        assert etree.fromstring(download.data).tag.endswith("Document")


def test_a_batch_date_inside_the_notice_period_is_refused_with_the_reason(
    session: Session, staff, billed_bureau
) -> None:
    set_creditor(session, billed_bureau.id, creditor_identifier("87654321"), "Bureau", BUREAU_IBAN)
    response = staff.post(
        "/bureau/sepa/batches",
        data={"bureau": billed_bureau.id, "collection_on": today().isoformat()},
        follow_redirects=True,
    )
    assert "Een incasso moet minstens 14 dagen vooraf aangekondigd zijn." in response.get_data(
        as_text=True
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
    assert invoice.number not in client.get(f"/o/{other.slug}/invoices").get_data(as_text=True)
    assert client.get(f"/o/{other.slug}/invoices/{invoice.id}/pdf").status_code == 404
