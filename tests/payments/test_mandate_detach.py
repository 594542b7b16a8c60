"""A replaced mandate's payment method is detached at the provider, once, by the hourly job.

On localstripe: a member gives a mandate and, months later, a new one; the job detaches the
first one's payment method from the member's customer (no debit under it again) and leaves the
active one attached. A run after that finds nothing; a method the provider does not know is
counted as refused and tried again on the next run, without stopping the others; a method the
active mandate also uses is kept attached.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from purchasing.payments.models import MandateStatus, PaymentMandate
from tests.conftest import worker_runtime
from tests.payments.conftest import SECRET_KEY, Issued
from tests.payments.test_mandate_once import FORM, GIVEN, mandate_url, said
from tests.payments.test_paying import on_stripe, paying_app, treasurer  # noqa: F401  (fixtures)
from workers import runtime
from workers.mandate_jobs import detach_replaced_mandates_job


def give_two_mandates(session: Session, browser: FlaskClient, invoice: Issued) -> None:
    """The job sweeps every organisation: what earlier tests left waiting is settled first."""
    session.execute(
        update(PaymentMandate)
        .where(PaymentMandate.detached_at.is_(None))
        .values(detached_at=func.now())
    )
    session.commit()
    assert GIVEN in said(browser, browser.post(mandate_url(invoice), data=FORM))
    session.execute(  # given months ago, not moments: the next one replaces it
        update(PaymentMandate)
        .where(PaymentMandate.organisation_id == invoice.member.id)
        .values(confirmed_at=PaymentMandate.confirmed_at - timedelta(days=90))
    )
    session.commit()
    assert GIVEN in said(browser, browser.post(mandate_url(invoice), data=FORM))


@pytest.fixture
def two_mandates(
    session: Session,
    paying_app: Flask,  # noqa: F811  (a fixture)
    on_stripe: str,  # noqa: F811
    treasurer: FlaskClient,  # noqa: F811
    invoice: Issued,
) -> tuple[str, str]:
    """The replaced mandate's payment method and the active one's; jobs run on this app."""
    give_two_mandates(session, treasurer, invoice)
    runtime.use(worker_runtime(paying_app))
    (_, replaced, _), (_, active, _) = stored(session, invoice)
    return replaced, active


def stored(session: Session, invoice: Issued) -> list[tuple[str, str, bool]]:
    """Each mandate of the organisation: status, payment method, whether marked detached."""
    session.commit()
    rows = session.execute(
        select(PaymentMandate.status, PaymentMandate.payment_method_ref, PaymentMandate.detached_at)
        .where(PaymentMandate.organisation_id == invoice.member.id)
        .order_by(PaymentMandate.attempt)
    )
    return [(str(status), str(method), detached is not None) for status, method, detached in rows]


def customer_at_stripe(stripe_url: str, payment_method_id: str) -> str | None:
    method = requests.get(
        f"{stripe_url}/v1/payment_methods/{payment_method_id}", auth=(SECRET_KEY, ""), timeout=5
    ).json()
    return method["customer"]


def test_the_job_detaches_the_replaced_mandates_method_once_and_keeps_the_active_one(
    session: Session,
    on_stripe: str,  # noqa: F811  (a fixture)
    invoice: Issued,
    two_mandates: tuple[str, str],
) -> None:
    replaced, active = two_mandates
    customer = customer_at_stripe(on_stripe, replaced)
    assert customer is not None and customer_at_stripe(on_stripe, active) == customer

    first = detach_replaced_mandates_job()
    again = detach_replaced_mandates_job()

    assert (first, again) == (
        {"detached": 1, "kept": 0, "refused": 0},
        {"detached": 0, "kept": 0, "refused": 0},
    )
    assert customer_at_stripe(on_stripe, replaced) is None
    assert customer_at_stripe(on_stripe, active) == customer
    assert stored(session, invoice) == [
        (MandateStatus.REPLACED, replaced, True),
        (MandateStatus.ACTIVE, active, False),
    ]


def test_a_method_the_provider_refuses_is_tried_again_and_stops_no_other(
    session: Session,
    on_stripe: str,  # noqa: F811  (a fixture)
    invoice: Issued,
    two_mandates: tuple[str, str],
) -> None:
    replaced, _active = two_mandates
    unknown = PaymentMandate(
        organisation_id=invoice.member.id,
        attempt=0,
        provider="stripe",
        setup_ref="seti_unknown_to_stripe",
        payment_method_ref="pm_unknown_to_stripe",
        status=MandateStatus.REPLACED,
    )
    session.add(unknown)
    session.commit()

    counts = [detach_replaced_mandates_job(), detach_replaced_mandates_job()]

    assert counts == [
        {"detached": 1, "kept": 0, "refused": 1},
        {"detached": 0, "kept": 0, "refused": 1},
    ]
    assert customer_at_stripe(on_stripe, replaced) is None
    session.refresh(unknown)
    assert unknown.detached_at is None


def test_a_method_the_active_mandate_also_uses_stays_attached(
    session: Session,
    on_stripe: str,  # noqa: F811  (a fixture)
    invoice: Issued,
    two_mandates: tuple[str, str],
) -> None:
    replaced, active = two_mandates
    session.execute(  # as if the provider had handed the new mandate the same method
        update(PaymentMandate)
        .where(PaymentMandate.payment_method_ref == replaced)
        .values(payment_method_ref=active)
    )
    session.commit()

    counts = detach_replaced_mandates_job()

    assert counts == {"detached": 0, "kept": 1, "refused": 0}
    assert customer_at_stripe(on_stripe, active) is not None
    assert stored(session, invoice) == [
        (MandateStatus.REPLACED, active, True),
        (MandateStatus.ACTIVE, active, False),
    ]
