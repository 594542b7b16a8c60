"""A member pays an invoice online from its invoice page: iDEAL, card, SEPA under a mandate."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app import create_app
from purchasing.invoices.queries import invoice_state
from purchasing.models import Cadence, Invoice, RunItem, RunKind
from purchasing.payments.fake import FakeProvider
from purchasing.payments.models import MandateStatus, PaymentAttempt, PaymentMandate
from purchasing.payments.webhooks import handle_event
from purchasing.plans import NewPlan, create_plan, subscribe
from purchasing.proration import Period
from purchasing.runs.membership import membership_invoices
from purchasing.runs.runs import start_run
from tenants.roles import Role
from tests.conftest import login, worker_runtime
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.payments.drivers import GOOD_CARD, GOOD_IBAN
from tests.purchasing.billing import make_member
from tests.purchasing.books import run_redis, session_factory  # noqa: F401  (fixture)
from workers.bookings import book_pending
from workers.purchasing_jobs import execute_run
from workers.worker import run_worker

COPIED = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL")
TEST_SETTINGS = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}


@pytest.fixture(scope="module")
def paying_app(app: Flask) -> Flask:
    """An application whose payment provider each test sets (the fake, or Stripe's adapter)."""
    return create_app({**{key: app.config[key] for key in COPIED}, **TEST_SETTINGS})


@pytest.fixture
def fake(paying_app: Flask) -> FakeProvider:
    provider = FakeProvider(webhook_secret=WEBHOOK_SECRET, now=datetime.now(UTC))
    paying_app.extensions["payment_provider"] = provider
    return provider


@pytest.fixture
def treasurer(paying_app, make_user, invoice):
    client = paying_app.test_client()
    login(client, make_user(org=invoice.member, role=Role.OWNER))
    return client


def pay_url(invoice, tail: str = "") -> str:
    return f"/o/{invoice.member.slug}/invoices/{invoice.id}/pay{tail}"


def settled(session, invoice_id: int) -> bool:
    session.expire_all()
    session.commit()
    return invoice_state(session, invoice_id).is_settled


def test_the_invoice_list_offers_online_payment_only_when_a_provider_is_configured(
    engine, fake, treasurer, client, make_user, invoice
):
    book_pending(engine)
    page = treasurer.get(f"/o/{invoice.member.slug}/invoices").get_data(as_text=True)
    assert pay_url(invoice) in page and "Online betalen" in page
    login(client, make_user(org=invoice.member, role=Role.OWNER))  # the app without keys
    plain = client.get(f"/o/{invoice.member.slug}/invoices").get_data(as_text=True)
    assert "Online betalen" not in plain
    assert client.get(pay_url(invoice)).status_code == 404


def test_ideal_sends_the_member_to_its_bank_and_the_return_page_settles_both_books(
    engine, session, fake, treasurer, invoice
):
    session.commit()
    book_pending(engine)  # the invoice itself, in both books
    session.commit()
    response = treasurer.post(pay_url(invoice, "/ideal"))
    assert response.status_code == 302
    bank = urlsplit(response.location)
    assert bank.netloc == "bank.fake"
    back = urlsplit(parse_qs(bank.query)["return_url"][0])
    intent_id = bank.path.rsplit("/", 1)[1]
    assert fake.retrieve_payment_intent(intent_id).status == "requires_action"
    fake.authorise_ideal(intent_id)  # the member approves at the bank
    session.commit()
    page = treasurer.get(f"{back.path}?payment_intent={intent_id}").get_data(as_text=True)
    assert 'data-status="paid"' in page
    assert settled(session, invoice.id)
    state = invoice_state(session, invoice.id)
    assert (state.bureau_booking, state.member_booking) == ("booked", "booked")


def test_a_declined_ideal_payment_says_so_and_leaves_the_invoice_open(
    session, fake, treasurer, invoice
):
    session.commit()
    bank = urlsplit(treasurer.post(pay_url(invoice, "/ideal")).location)
    intent_id = bank.path.rsplit("/", 1)[1]
    fake.authorise_ideal(intent_id, approved=False)
    session.commit()
    page = treasurer.get(pay_url(invoice, f"/return?payment_intent={intent_id}"))
    assert 'data-status="failed"' in page.get_data(as_text=True)
    assert not settled(session, invoice.id)


def test_a_card_payment_goes_through_the_hosted_page_and_a_second_click_reuses_it(
    session, fake, treasurer, invoice
):
    session.commit()
    first = treasurer.post(pay_url(invoice, "/card")).location
    session.commit()
    assert treasurer.post(pay_url(invoice, "/card")).location == first
    checkout_id = urlsplit(first).path.rsplit("/", 1)[1]
    fake.pay_checkout(checkout_id, GOOD_CARD)
    session.commit()
    page = treasurer.get(pay_url(invoice, f"/return?session_id={checkout_id}"))
    assert 'data-status="paid"' in page.get_data(as_text=True)
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.invoice_id == invoice.id))
    assert attempt.intent_ref.startswith("pi_")  # moved from the page to the intent it made
    assert settled(session, invoice.id)


def test_a_card_payment_is_settled_by_the_webhooks_when_the_member_never_comes_back(
    session, fake, treasurer, invoice
):
    session.commit()
    checkout_id = urlsplit(treasurer.post(pay_url(invoice, "/card")).location).path.split("/")[-1]
    fake.pay_checkout(checkout_id, GOOD_CARD)
    for delivery in fake.outbox:  # payment_intent.succeeded first, then checkout completed
        handle_event(session, fake, fake.parse_event(delivery.payload, delivery.signature),
                     datetime.now(UTC).date())  # fmt: skip
    assert settled(session, invoice.id)


def test_someone_elses_invoice_cannot_be_paid_from_this_organisation(
    fake, paying_app, make_org, make_user, invoice
):
    stranger = paying_app.test_client()
    other = make_org()
    login(stranger, make_user(org=other, role=Role.OWNER))
    url = f"/o/{other.slug}/invoices/{invoice.id}/pay"
    assert stranger.get(url).status_code == 404
    assert stranger.post(f"{url}/ideal").status_code == 404


def test_a_viewer_may_see_invoices_but_not_pay_them(fake, paying_app, make_user, invoice):
    viewer = paying_app.test_client()
    login(viewer, make_user(org=invoice.member, role=Role.VIEWER))
    listing = viewer.get(f"/o/{invoice.member.slug}/invoices").get_data(as_text=True)
    assert "my-invoices" in listing and "Online betalen" not in listing
    assert viewer.get(pay_url(invoice)).status_code == 403


def test_a_mandate_needs_the_acceptance_and_a_valid_iban(session, fake, treasurer, invoice):
    url = f"/o/{invoice.member.slug}/payments/mandate"
    form = {"iban": GOOD_IBAN, "account_holder": "Stichting De Linde"}
    session.commit()
    assert "Ga akkoord" in treasurer.post(url, data=form).get_data(as_text=True)
    session.commit()
    wrong = treasurer.post(url, data={**form, "iban": "NL00ABNA0000000000", "accept": "yes"})
    assert "geen geldig IBAN" in wrong.get_data(as_text=True)
    mandates = select(PaymentMandate).where(PaymentMandate.organisation_id == invoice.member.id)
    assert session.scalars(mandates).all() == []


def test_a_mandate_given_online_is_confirmed_with_its_acceptance_then_debited_days_later(
    session, fake, treasurer, invoice
):
    url = f"/o/{invoice.member.slug}/payments/mandate"
    form = {"iban": "nl91 abna 0417 1643 00", "account_holder": "Stichting De Linde"}
    session.commit()
    response = treasurer.post(url, data={**form, "accept": "yes"})
    assert response.location.endswith("/invoices")
    (acceptance,) = fake.acceptances.values()
    assert (acceptance.iban, acceptance.account_holder) == (GOOD_IBAN, "Stichting De Linde")
    assert acceptance.user_agent.startswith("Werkzeug/") and acceptance.ip_address == "127.0.0.1"
    assert "De Linde" not in acceptance.email and "@" in acceptance.email
    session.commit()
    debit = treasurer.post(pay_url(invoice, "/debit"))
    session.commit()
    page = treasurer.get(debit.location).get_data(as_text=True)
    assert 'data-status="processing"' in page
    fake.advance(days=14)  # the bank answers
    for delivery in fake.outbox[-1:]:
        handle_event(session, fake, fake.parse_event(delivery.payload, delivery.signature),
                     datetime.now(UTC).date())  # fmt: skip
    assert settled(session, invoice.id)


@pytest.fixture
def on_stripe(paying_app, localstripe):
    from workers.settings import provider_from

    paying_app.extensions["payment_provider"] = provider_from(
        {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
         "STRIPE_API_BASE": localstripe}
    )  # fmt: skip
    return localstripe


def test_on_stripe_a_mandate_is_confirmed_server_side_and_the_debit_settles_on_return(
    session, on_stripe, treasurer, invoice
):
    url = f"/o/{invoice.member.slug}/payments/mandate"
    form = {"iban": GOOD_IBAN, "account_holder": "Stichting De Linde", "accept": "yes"}
    session.commit()
    assert treasurer.post(url, data=form).status_code == 302
    mandate = session.scalar(
        select(PaymentMandate).where(PaymentMandate.organisation_id == invoice.member.id)
    )
    assert mandate.status == MandateStatus.ACTIVE and mandate.payment_method_ref
    session.commit()
    sent = requests.get(f"{on_stripe}/_test/mandates/{mandate.setup_ref}",
                        auth=(SECRET_KEY, ""), timeout=5).json()  # fmt: skip
    assert sent["customer_acceptance"]["type"] == "online"
    assert sent["customer_acceptance"]["online"]["ip_address"] == "127.0.0.1"
    session.commit()
    return_page = treasurer.post(pay_url(invoice, "/debit")).location
    deadline = time.monotonic() + 10
    session.commit()
    while 'data-status="paid"' not in treasurer.get(return_page).get_data(as_text=True):
        assert time.monotonic() < deadline, "the SEPA debit never settled"
        time.sleep(0.2)
    assert settled(session, invoice.id)
    assert invoice_state(session, invoice.id).paid == Decimal("240.00")


def test_bureau_staff_debit_an_invoice_under_the_members_mandate(
    session, fake, paying_app, treasurer, make_user, invoice
):
    staff = paying_app.test_client()
    login(staff, make_user(is_bureau_admin=True))
    session.commit()
    assert "debit-form" not in staff.get(f"/bureau/invoices/{invoice.id}").get_data(as_text=True)
    form = {"iban": GOOD_IBAN, "account_holder": "Stichting De Linde", "accept": "yes"}
    session.commit()
    treasurer.post(f"/o/{invoice.member.slug}/payments/mandate", data=form)
    session.commit()
    assert "debit-form" in staff.get(f"/bureau/invoices/{invoice.id}").get_data(as_text=True)
    session.commit()
    assert staff.post(f"/bureau/invoices/{invoice.id}/debit").status_code == 302
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.invoice_id == invoice.id))
    assert (attempt.method, attempt.status) == ("sepa_debit", "processing")
    fake.advance(days=14)
    for delivery in fake.outbox[-1:]:
        handle_event(session, fake, fake.parse_event(delivery.payload, delivery.signature),
                     datetime.now(UTC).date())  # fmt: skip
    assert settled(session, invoice.id)


def test_without_a_provider_the_mandate_page_says_how_else_and_takes_nothing(
    client, make_user, invoice
):
    login(client, make_user(org=invoice.member, role=Role.OWNER))
    url = f"/o/{invoice.member.slug}/payments/mandate"
    assert "mandate-not-offered" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"iban": GOOD_IBAN, "accept": "yes"}).status_code == 404


def test_staff_collect_a_run_under_the_mandates_once_however_often_they_press(
    engine,
    session,
    fake,
    paying_app,
    treasurer,
    make_org,
    make_user,
    invoice,
    run_redis,  # noqa: F811
):
    plan_id = create_plan(
        session,
        NewPlan(bureau_id=invoice.bureau.id, name=f"Plan {invoice.bureau.slug}",
                cadence=Cadence.YEARLY, tiers=[(Decimal(0), Decimal("120.00"))],
                vat_exemption="Vrijgesteld van btw (art. 11 lid 1 onder f Wet OB 1968)"),
    )  # fmt: skip
    without_mandate = make_member(make_org, session)
    for organisation in (invoice.member, without_mandate):
        subscribe(session, plan_id, organisation.id, Decimal(1), date(2025, 1, 1))
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    run_id = start_run(session, RunKind.MEMBERSHIP, plan_id, year, date(2026, 1, 5))
    session.commit()
    execute_run(engine, run_id, membership_invoices)
    form = {"iban": GOOD_IBAN, "account_holder": "Stichting De Linde", "accept": "yes"}
    session.commit()
    treasurer.post(f"/o/{invoice.member.slug}/payments/mandate", data=form)
    staff = paying_app.test_client()
    login(staff, make_user(is_bureau_admin=True))
    session.commit()
    assert "debit-run" in staff.get(f"/bureau/runs/{run_id}").get_data(as_text=True)

    for _press in range(2):
        session.commit()
        assert staff.post(f"/bureau/runs/{run_id}/debit").status_code == 302
        session.commit()
        assert run_worker(worker_runtime(paying_app), burst=True, fork=False, connection=run_redis)

    run_invoices = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    attempts = session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.invoice_id.in_(run_invoices))
    ).all()
    assert [(a.method, a.status, a.amount) for a in attempts] == [
        ("sepa_debit", "processing", Decimal("120.00"))
    ]
    mandated = session.get_one(Invoice, attempts[0].invoice_id)
    assert mandated.customer_id == invoice.member.id
