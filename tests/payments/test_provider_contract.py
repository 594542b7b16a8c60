"""One contract, two providers: Stripe's adapter against localstripe, and the in-memory fake."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from purchasing.payments.fake import FakeProvider
from purchasing.payments.provider import (
    CheckoutStatus,
    IntentStatus,
    MandateAcceptance,
    Method,
    NewIntent,
    ProviderError,
    SignatureInvalid,
)
from tests.payments.drivers import DECLINED_CARD, FAILING_IBAN, GOOD_CARD, GOOD_IBAN

_invoices = itertools.count(900_001)


def new_intent(customer: str, amount: str = "240.10", method: Method = Method.CARD) -> NewIntent:
    return NewIntent(next(_invoices), 1, Decimal(amount), customer, method, invoice_number="F1")


def test_a_customer_is_made_once_per_organisation_even_when_asked_twice(provider_and_driver):
    provider, _ = provider_and_driver
    organisation = next(_invoices)
    first = provider.create_customer(organisation, "Stichting De Linde", None)
    assert provider.create_customer(organisation, "Stichting De Linde", None) == first


def test_an_intent_asks_for_the_invoice_amount_in_whole_cents_in_euros(provider_and_driver):
    provider, _ = provider_and_driver
    intent = provider.create_payment_intent(
        new_intent(provider.create_customer(next(_invoices), "X", None))
    )
    assert (intent.amount_cents, intent.currency, intent.amount) == (
        24010,
        "EUR",
        Decimal("240.10"),
    )
    assert intent.status == IntentStatus.REQUIRES_PAYMENT_METHOD
    assert intent.client_secret
    assert provider.retrieve_payment_intent(intent.id).invoice_id == intent.invoice_id


def test_the_same_attempt_asked_twice_is_one_intent_and_other_terms_are_refused(
    provider_and_driver,
):
    provider, _ = provider_and_driver
    wanted = new_intent(provider.create_customer(next(_invoices), "X", None))
    first = provider.create_payment_intent(wanted)
    assert provider.create_payment_intent(wanted).id == first.id
    with pytest.raises(ProviderError):
        provider.create_payment_intent(
            NewIntent(wanted.invoice_id, 1, Decimal("1.00"), wanted.customer_id, Method.CARD)
        )


def test_a_good_card_succeeds_and_a_declining_card_fails(provider_and_driver):
    provider, driver = provider_and_driver
    customer = provider.create_customer(next(_invoices), "X", None)
    paid = driver.confirm_card(provider.create_payment_intent(new_intent(customer)).id, GOOD_CARD)
    declined = driver.confirm_card(
        provider.create_payment_intent(new_intent(customer)).id, DECLINED_CARD
    )
    assert (paid.status, paid.is_paid, paid.charge_id is not None) == ("succeeded", True, True)
    assert (declined.status, declined.is_paid) == ("requires_payment_method", False)
    assert declined.failure_code


def test_an_ideal_intent_is_created_for_ideal_and_waits_for_the_bank(provider_and_driver):
    provider, _ = provider_and_driver
    customer = provider.create_customer(next(_invoices), "X", None)
    intent = provider.create_payment_intent(new_intent(customer, method=Method.IDEAL))
    assert intent.status == IntentStatus.REQUIRES_PAYMENT_METHOD and not intent.is_paid


@pytest.mark.parametrize(("iban", "is_paid"), [(GOOD_IBAN, True), (FAILING_IBAN, False)])
def test_a_sepa_debit_is_processing_first_and_the_bank_answers_later(
    provider_and_driver, iban, is_paid
):
    provider, driver = provider_and_driver
    customer = provider.create_customer(next(_invoices), "X", None)
    intent = provider.create_payment_intent(new_intent(customer, method=Method.SEPA_DEBIT))
    # Stripe says processing until the bank answers; localstripe already says succeeded when
    # the debit will succeed. Either way, it has not failed yet.
    confirmed = driver.confirm_sepa(intent.id, iban)
    assert confirmed.status in (IntentStatus.PROCESSING, IntentStatus.SUCCEEDED)
    assert driver.let_the_bank_answer(intent.id).is_paid is is_paid


def test_a_setup_intent_stores_a_sepa_mandate_for_later_debits(provider_and_driver):
    provider, driver = provider_and_driver
    organisation = next(_invoices)
    customer = provider.create_customer(organisation, "X", None)
    setup = provider.create_setup_intent(customer, organisation, 1)
    assert setup.status == IntentStatus.REQUIRES_PAYMENT_METHOD
    confirmed = driver.confirm_setup(setup.id, GOOD_IBAN)
    assert (confirmed.status, confirmed.organisation_id) == ("succeeded", organisation)
    assert confirmed.payment_method_id is not None
    debit = provider.create_payment_intent(
        NewIntent(next(_invoices), 1, Decimal("75.00"), customer, Method.SEPA_DEBIT,
                  payment_method_id=confirmed.payment_method_id)
    )  # fmt: skip
    assert debit.status in (IntentStatus.PROCESSING, IntentStatus.SUCCEEDED)
    assert driver.let_the_bank_answer(debit.id).is_paid


def test_a_mandates_payment_method_is_detached_once_and_an_unknown_one_is_refused(
    provider_and_driver,
):
    provider, driver = provider_and_driver
    organisation = next(_invoices)
    customer = provider.create_customer(organisation, "X", None)
    first = driver.confirm_setup(
        provider.create_setup_intent(customer, organisation, 1).id, GOOD_IBAN
    )
    second = driver.confirm_setup(
        provider.create_setup_intent(customer, organisation, 2).id, GOOD_IBAN
    )
    assert first.payment_method_id and second.payment_method_id
    assert driver.is_attached(first.payment_method_id)

    provider.detach_payment_method(first.payment_method_id)
    provider.detach_payment_method(first.payment_method_id)  # a retry: done already

    assert not driver.is_attached(first.payment_method_id)
    assert driver.is_attached(second.payment_method_id)
    with pytest.raises(ProviderError):
        provider.detach_payment_method("pm_unknown")


def test_a_signed_webhook_is_read_and_a_tampered_one_is_refused(provider_and_driver):
    provider, driver = provider_and_driver
    customer = provider.create_customer(next(_invoices), "X", None)
    intent = driver.confirm_card(provider.create_payment_intent(new_intent(customer)).id, GOOD_CARD)
    payload, signature = driver.delivery(intent.id, "payment_intent.succeeded")
    event = provider.parse_event(payload, signature)
    assert (event.type, event.object_id) == ("payment_intent.succeeded", intent.id)
    with pytest.raises(SignatureInvalid):
        provider.parse_event(payload.replace(b"succeeded", b"sucCeeded"), signature)
    with pytest.raises(SignatureInvalid):
        provider.parse_event(payload, None)


def test_a_mandate_confirmed_on_the_server_with_its_acceptance_can_be_debited(
    provider_and_driver,
):
    provider, driver = provider_and_driver
    organisation = next(_invoices)
    customer = provider.create_customer(organisation, "X", None)
    setup = provider.create_setup_intent(customer, organisation, 1)
    acceptance = MandateAcceptance(
        GOOD_IBAN, "Stichting De Linde", "penningmeester@delinde.example", "192.0.2.7",
        "Firefox/140", datetime(2026, 3, 20, 9, tzinfo=UTC),
    )  # fmt: skip
    confirmed = provider.confirm_mandate(setup.id, acceptance)
    assert confirmed.status == IntentStatus.SUCCEEDED and confirmed.payment_method_id
    debit = provider.create_payment_intent(
        NewIntent(next(_invoices), 1, Decimal("75.00"), customer, Method.SEPA_DEBIT,
                  payment_method_id=confirmed.payment_method_id)
    )  # fmt: skip
    assert driver.let_the_bank_answer(debit.id).is_paid


def test_the_fake_sends_ideal_to_the_bank_and_back_and_reuses_a_hosted_card_page():
    fake = FakeProvider()
    customer = fake.create_customer(next(_invoices), "X", None)
    intent = fake.create_payment_intent(new_intent(customer, method=Method.IDEAL))
    waiting = fake.confirm_ideal(intent.id, "https://bureau.example/back")
    assert waiting.status == IntentStatus.REQUIRES_ACTION and waiting.redirect_url
    assert fake.authorise_ideal(intent.id).is_paid
    with pytest.raises(ProviderError):
        fake.confirm_ideal(intent.id, "https://bureau.example/back")  # paid already
    wanted = new_intent(customer)
    page = fake.create_checkout(wanted, "https://bureau.example/ok", "https://bureau.example/no")
    assert fake.create_checkout(wanted, "https://x/ok", "https://x/no").id == page.id
    assert (page.status, page.payment_intent_id) == (CheckoutStatus.OPEN, None)
    declined = fake.pay_checkout(page.id, "4000000000000002")
    assert declined.status == CheckoutStatus.OPEN and declined.payment_intent_id
    paid = fake.pay_checkout(page.id, GOOD_CARD)
    assert paid.status == CheckoutStatus.COMPLETE
    assert fake.retrieve_payment_intent(paid.payment_intent_id).invoice_id == wanted.invoice_id
