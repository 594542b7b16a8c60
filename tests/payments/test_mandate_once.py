"""The mandate form sent twice (a double click, a retry, two at the same moment): one mandate.

Sends take turns on the organisation's customer row; a send that finds a mandate given moments
ago says so and asks the provider for nothing (``purchasing.payments.services.start_mandate``).
On localstripe, which keeps Stripe's idempotency keys in front.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from purchasing.payments.models import MandateStatus, PaymentCustomer, PaymentMandate
from purchasing.payments.services import active_mandate, customer_for
from tenants.roles import Role
from tests.conftest import login
from tests.payments.conftest import SECRET_KEY, Issued
from tests.payments.drivers import GOOD_IBAN
from tests.payments.test_paying import on_stripe, paying_app, treasurer  # noqa: F401  (fixtures)
from tests.web.test_second_factor_once import waiting_for_locks

FORM = {"iban": GOOD_IBAN, "account_holder": "Stichting De Linde", "accept": "yes"}
GIVEN = "De machtiging is vastgelegd."
REPEATED = "Er is zojuist al een machtiging vastgelegd."


def mandate_url(invoice: Issued) -> str:
    return f"/o/{invoice.member.slug}/payments/mandate"


def mandates(session: Session, invoice: Issued) -> list[tuple[str, bool]]:
    """The organisation's mandates: their status, and whether they hold a payment method."""
    session.commit()
    rows = session.execute(
        select(PaymentMandate.status, PaymentMandate.payment_method_ref)
        .where(PaymentMandate.organisation_id == invoice.member.id)
        .order_by(PaymentMandate.attempt)
    )
    return [(str(status), method is not None) for status, method in rows]


def setup_intents_at_stripe(stripe_url: str, invoice: Issued) -> list[str]:
    """Every setup intent localstripe holds for the organisation (paged through)."""
    found: list[str] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = requests.get(
            f"{stripe_url}/v1/setup_intents", params=params, auth=(SECRET_KEY, ""), timeout=5
        ).json()
        found += [
            setup["id"]
            for setup in page["data"]
            if (setup.get("metadata") or {}).get("organisation_id") == str(invoice.member.id)
        ]
        if not page.get("has_more"):
            return found
        params["starting_after"] = page["data"][-1]["id"]


def said(browser: FlaskClient, answer: TestResponse) -> str:
    """The page the browser lands on after ``answer``, with the message it flashed."""
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert answer.location.endswith("/invoices")
    return browser.get(answer.location).get_data(as_text=True)


def test_the_mandate_form_sent_twice_gives_one_mandate_and_the_second_answer_says_so(
    session: Session,
    on_stripe: str,  # noqa: F811  (a fixture)
    treasurer: FlaskClient,  # noqa: F811
    invoice: Issued,
) -> None:
    session.commit()

    first = treasurer.post(mandate_url(invoice), data=FORM)
    first_page = said(treasurer, first)
    again = treasurer.post(mandate_url(invoice), data=FORM)

    assert mandates(session, invoice) == [(MandateStatus.ACTIVE, True)]
    assert len(setup_intents_at_stripe(on_stripe, invoice)) == 1
    assert GIVEN in first_page
    assert REPEATED in said(treasurer, again)


def test_the_mandate_form_sent_at_the_same_moment_twice_gives_one_mandate(
    session: Session,
    on_stripe: str,  # noqa: F811  (a fixture)
    paying_app: Flask,  # noqa: F811
    treasurer: FlaskClient,  # noqa: F811
    make_user: Any,
    invoice: Issued,
) -> None:
    """Both sends are under way before either commits: they wait for the customer's row."""
    other = paying_app.test_client()
    login(other, make_user(org=invoice.member, role=Role.OWNER))
    customer_for(session, paying_app.extensions["payment_provider"], invoice.member.id)
    session.commit()
    browsers = (treasurer, other)
    start = threading.Barrier(len(browsers) + 1)
    answers: dict[int, TestResponse] = {}

    def send(index: int) -> None:
        start.wait()
        answers[index] = browsers[index].post(mandate_url(invoice), data=FORM)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(browsers))]
    for thread in threads:
        thread.start()
    held = select(PaymentCustomer.customer_ref).where(
        PaymentCustomer.organisation_id == invoice.member.id
    )
    session.execute(held.with_for_update())  # until both sends wait for it
    start.wait()
    waiting_for_locks(session.get_bind(), len(browsers), seconds=5)  # type: ignore[arg-type]
    session.rollback()
    for thread in threads:
        thread.join(timeout=60)

    pages = [said(browser, answers[index]) for index, browser in enumerate(browsers)]
    assert mandates(session, invoice) == [(MandateStatus.ACTIVE, True)]
    assert len(setup_intents_at_stripe(on_stripe, invoice)) == 1
    assert sorted(GIVEN in page for page in pages) == [False, True]
    assert sorted(REPEATED in page for page in pages) == [False, True]


def test_a_new_mandate_replaces_the_one_before_which_is_no_longer_active(
    session: Session,
    on_stripe: str,  # noqa: F811  (a fixture)
    treasurer: FlaskClient,  # noqa: F811
    invoice: Issued,
) -> None:
    session.commit()
    assert GIVEN in said(treasurer, treasurer.post(mandate_url(invoice), data=FORM))
    session.execute(  # given months ago, not moments: a new one is a replacement
        update(PaymentMandate)
        .where(PaymentMandate.organisation_id == invoice.member.id)
        .values(confirmed_at=PaymentMandate.confirmed_at - timedelta(days=90))
    )
    session.commit()

    assert GIVEN in said(treasurer, treasurer.post(mandate_url(invoice), data=FORM))

    assert mandates(session, invoice) == [
        (MandateStatus.REPLACED, True),
        (MandateStatus.ACTIVE, True),
    ]
    newest = session.scalars(
        select(PaymentMandate.id)
        .where(PaymentMandate.organisation_id == invoice.member.id)
        .order_by(PaymentMandate.attempt.desc())
    ).first()
    active = active_mandate(session, invoice.member.id)
    assert active is not None and active.id == newest
