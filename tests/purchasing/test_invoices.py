"""Invoices against PostgreSQL: Dutch contents, both sides booked once, payments, credit notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum import iso11649

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.transactions import post_transaction
from purchasing.errors import ValidationFailed
from purchasing.invoices import accounts
from purchasing.invoices.bookings import BookingRound, post_entries
from purchasing.invoices.documents import (
    PREMIUM_EXEMPTION,
    PREMIUM_TAX_NOTE,
    NewInvoice,
    NewLine,
    credit_invoice,
    issue_invoice,
)
from purchasing.invoices.entries import Entry
from purchasing.invoices.numbering import check_payment_reference
from purchasing.invoices.parties import Party, set_billing_details
from purchasing.invoices.payments import record_payment, reverse_payment
from purchasing.invoices.queries import invoice_state
from purchasing.models import Booking, Invoice, InvoicePurpose, LineKind, PaymentMethod
from purchasing.rating import Line
from tenants.binding import bind_session
from tests.purchasing.billing import give_billing_details, give_member_details
from tests.purchasing.books import balance, balances, transactions_with_source
from workers.bookings import BookingPipeline, book, book_invoice, book_pending

D = Decimal
EXEMPT = "Vrijgesteld van btw (art. 11 lid 1 onder f Wet OB 1968)"


@pytest.fixture
def billed_bureau(session, bureau):
    give_billing_details(session, bureau.id, payment_days=30)
    session.commit()
    return bureau


@pytest.fixture
def member(session, make_org):
    org = make_org(name="Buurthuis De Linde")
    give_member_details(session, org.id, kvk_number=None)
    session.commit()
    return org


def fee_invoice(supplier_id: int, customer_id: int, amount: str = "240.00", **fields) -> NewInvoice:
    values = {
        "supplier_id": supplier_id,
        "customer_id": customer_id,
        "purpose": InvoicePurpose.MEMBERSHIP_FEE,
        "issued_on": date(2026, 3, 10),
        "supply_from": date(2026, 1, 1),
        "supply_until": date(2026, 12, 31),
        "lines": [NewLine(LineKind.FEE, "Contributie 2026", D(amount), vat_exemption=EXEMPT)],
    }
    return NewInvoice(**{**values, **fields})


def premium_invoice(supplier_id: int, customer_id: int) -> NewInvoice:
    return NewInvoice(
        supplier_id=supplier_id,
        customer_id=customer_id,
        purpose=InvoicePurpose.PREMIUM,
        issued_on=date(2026, 1, 15),
        supply_from=date(2026, 1, 1),
        supply_until=date(2026, 3, 31),
        line=Line.AVB,
        lines=[
            NewLine(LineKind.PREMIUM, "Premie AVB", D("300.00"), vat_exemption=PREMIUM_EXEMPTION),
            NewLine(LineKind.COSTS, "Poliskosten", D("10.00"), vat_exemption=PREMIUM_EXEMPTION),
            NewLine(
                LineKind.PREMIUM_TAX,
                "Assurantiebelasting 21%",
                D("65.10"),
                vat_exemption=PREMIUM_TAX_NOTE,
            ),
        ],
    )


def test_an_invoice_carries_its_number_both_parties_dates_lines_and_a_valid_rf_reference(
    session, billed_bureau, member
):
    session.commit()
    invoice = session.get(Invoice, issue_invoice(session, fee_invoice(billed_bureau.id, member.id)))
    assert invoice.number.startswith("F2026-") and invoice.series == "F"
    assert invoice.supplier["name"] == "Stichting Servicebureau"
    assert invoice.supplier["kvk_number"] == "87654321"
    assert invoice.supplier["vat_number"] == "NL000099998B57"
    assert invoice.customer == {**invoice.customer, "name": "Stichting De Linde", "city": "Zeist"}
    assert (invoice.issued_on, invoice.due_on) == (date(2026, 3, 10), date(2026, 4, 9))
    assert iso11649.is_valid(invoice.payment_reference)
    assert check_payment_reference(invoice.payment_reference) == invoice.payment_reference
    [line] = invoice.lines
    assert (line.quantity, line.amount, line.vat_exemption) == (1, D("240.00"), EXEMPT)
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D(240), D(0), D(240))


def test_the_customer_details_on_an_issued_invoice_do_not_follow_later_changes(
    session, billed_bureau, member
):
    invoice_id = issue_invoice(session, fee_invoice(billed_bureau.id, member.id))
    set_billing_details(session, member.id, Party(name="Stichting De Nieuwe Linde"))
    session.expire_all()
    session.commit()
    assert session.get(Invoice, invoice_id).customer["name"] == "Stichting De Linde"


def test_a_taxed_line_shows_its_vat_and_a_line_needs_a_rate_or_an_exemption(
    session, billed_bureau, member
):
    taxed = fee_invoice(
        billed_bureau.id,
        member.id,
        lines=[NewLine(LineKind.FEE, "Advies", D("99.99"), vat_percent=D(21))],
    )
    session.commit()
    invoice = session.get(Invoice, issue_invoice(session, taxed))
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        D("99.99"),
        D("21.00"),
        D("120.99"),
    )
    with pytest.raises(ValidationFailed):
        issue_invoice(
            session,
            fee_invoice(billed_bureau.id, member.id, lines=[NewLine(LineKind.FEE, "x", D(1))]),
        )


def test_a_bad_payment_reference_is_refused():
    with pytest.raises(ValidationFailed):
        check_payment_reference("RF00F2026000001")


def test_issuing_books_both_sides_once_the_outbox_is_driven(engine, session, billed_bureau, member):
    invoice_id = issue_invoice(session, fee_invoice(billed_bureau.id, member.id))
    assert invoice_state(session, invoice_id).bureau_booking == "pending"
    session.commit()
    assert book_pending(engine).failed == 0
    session.expire_all()
    state = invoice_state(session, invoice_id)
    assert (state.bureau_booking, state.member_booking) == ("booked", "booked")
    assert balances(engine, billed_bureau.tenant) == {
        accounts.RECEIVABLE: D("240.00"),
        accounts.FEE_INCOME: D("-240.00"),
    }
    member_books = balances(engine, member.tenant)
    assert member_books[accounts.PAYABLE] == D("-240.00")
    assert member_books[accounts.FEE_EXPENSE] == D("240.00")  # every month released by now
    assert accounts.PREPAID_FEES not in member_books  # fully released by December


def test_the_member_expenses_the_months_so_far_and_prepays_the_rest(
    engine, session, billed_bureau, member
):
    invoice_id = issue_invoice(session, fee_invoice(billed_bureau.id, member.id, amount="365.00"))
    session.commit()
    book_pending(engine, today=date(2026, 3, 10))
    booking = session.scalar(
        select(Booking).where(Booking.invoice_id == invoice_id, Booking.side == "member")
    )
    [first] = [Entry.from_json(data) for data in booking.entries]
    # January to March (90 days) now; April (30 days) released on 1 April, and so on.
    assert dict(first.postings)[accounts.FEE_EXPENSE] == D("90.00")
    assert dict(first.postings)[accounts.PREPAID_FEES] == D("275.00")
    releases = first.schedule.releases
    assert [day for day, _ in releases][:2] == [date(2026, 4, 1), date(2026, 5, 1)]
    assert releases[0][1] == D("30.00")
    assert len(releases) == 9
    # Nothing of April or later is in the books yet: the releases wait for their day.
    assert balance(engine, member.tenant, accounts.PREPAID_FEES) == D("275.00")


def test_a_premium_invoice_books_the_insurer_and_the_premium_tax_apart(
    engine, session, billed_bureau, member
):
    invoice_id = issue_invoice(session, premium_invoice(billed_bureau.id, member.id))
    session.commit()
    assert book_invoice(engine, invoice_id).booked == 2
    session.commit()
    invoice = session.get(Invoice, invoice_id)
    assert (invoice.net_total, invoice.vat_total, invoice.premium_tax_total) == (
        D("310.00"),
        D(0),
        D("65.10"),
    )
    assert balances(engine, billed_bureau.tenant) == {
        accounts.RECEIVABLE: D("375.10"),
        accounts.INSURER_PAYABLE: D("-310.00"),
        accounts.PREMIUM_TAX_PAYABLE: D("-65.10"),
    }
    assert balance(engine, member.tenant, "Expenses:Insurance:Liability") == D("375.10")
    assert balance(engine, member.tenant, accounts.PAYABLE) == D("-375.10")


def test_driving_the_outbox_twice_posts_nothing_twice(engine, session, billed_bureau, member):
    issue_invoice(session, fee_invoice(billed_bureau.id, member.id))
    session.commit()
    first = book_pending(engine, today=date(2026, 3, 10))
    session.commit()
    second = book_pending(engine, today=date(2026, 3, 10))
    assert first.booked == 2 and (second.booked, second.failed) == (0, 0)
    assert len(transactions_with_source(engine, billed_bureau.tenant, "booking:")) == 1


def test_the_booking_threads_post_every_side_handed_in_once_however_often_it_is(
    engine, session, billed_bureau, member
):
    invoice_ids = [
        issue_invoice(session, fee_invoice(billed_bureau.id, member.id, amount))
        for amount in ("10.00", "20.00", "30.00", "40.00")
    ]
    booking_ids = list(
        session.scalars(select(Booking.id).where(Booking.invoice_id.in_(invoice_ids)))
    )
    session.commit()
    with BookingPipeline(engine, threads=3, today=date(2026, 3, 10)) as pipeline:
        pipeline.submit(booking_ids)
        pipeline.submit(reversed(booking_ids))  # a second hand-in of the same rows
    assert pipeline.outcome() == BookingRound(booked=8, failed=0, skipped=0)
    assert len(transactions_with_source(engine, billed_bureau.tenant, "booking:")) == 4
    assert balance(engine, billed_bureau.tenant, accounts.RECEIVABLE) == D("100.00")
    assert balance(engine, member.tenant, accounts.PAYABLE) == D("-100.00")


def test_a_crash_after_posting_one_side_before_marking_it_is_finished_without_doubles(
    engine, session, billed_bureau, member
):
    invoice_id = issue_invoice(session, fee_invoice(billed_bureau.id, member.id))
    rows = {
        row.side: row
        for row in session.scalars(select(Booking).where(Booking.invoice_id == invoice_id))
    }
    session.commit()
    assert book(engine, rows["bureau"].id) == "booked"
    # The member side is posted, then the process dies before the outbox row is marked.
    with Session(engine) as books:
        bind_session(books, member.tenant)
        post_entries(books, [Entry.from_json(data) for data in rows["member"].entries], "EUR")
    session.expire_all()
    assert invoice_state(session, invoice_id).member_booking == "pending"
    session.commit()
    book_pending(engine)
    session.expire_all()
    assert invoice_state(session, invoice_id).member_booking == "booked"
    assert balance(engine, member.tenant, accounts.PAYABLE) == D("-240.00")
    assert balance(engine, billed_bureau.tenant, accounts.RECEIVABLE) == D("240.00")


def test_the_ledger_refuses_a_second_transaction_with_the_same_booking_key(engine, member):
    new = NewTransaction(
        date=date(2026, 2, 1),
        narration="x",
        postings=(
            NewPosting(accounts.FEE_EXPENSE, Amount(D(1), "EUR")),
            NewPosting(accounts.PAYABLE, Amount(D(-1), "EUR")),
        ),
        source="booking:test:1:member",
    )
    with Session(engine) as books:
        bind_session(books, member.tenant)
        post_transaction(books, new, None)
        with pytest.raises(IntegrityError, match="uq_transactions_booking_source"):
            post_transaction(books, new, None)


def test_a_payment_settles_both_sides_and_a_returned_payment_reopens_them(
    engine, session, billed_bureau, member
):
    invoice_id = issue_invoice(session, fee_invoice(billed_bureau.id, member.id))
    payment_id = record_payment(
        session, invoice_id, D("240.00"), date(2026, 3, 20), PaymentMethod.BANK_TRANSFER, "E2E-1"
    )
    session.commit()
    book_pending(engine)
    session.expire_all()
    state = invoice_state(session, invoice_id)
    assert (state.open, state.is_settled, state.member_booking) == (D(0), True, "booked")
    assert balance(engine, billed_bureau.tenant, accounts.RECEIVABLE) == 0
    assert balance(engine, billed_bureau.tenant, accounts.BUREAU_BANK) == D("240.00")
    assert balance(engine, member.tenant, accounts.PAYABLE) == 0
    assert balance(engine, member.tenant, accounts.MEMBER_BANK) == D("-240.00")

    reverse_payment(session, payment_id, date(2026, 3, 27), "AM04")
    session.commit()
    book_pending(engine)
    session.expire_all()
    state = invoice_state(session, invoice_id)
    assert (state.open, state.is_settled) == (D("240.00"), False)
    assert balance(engine, billed_bureau.tenant, accounts.RECEIVABLE) == D("240.00")
    assert balance(engine, member.tenant, accounts.PAYABLE) == D("-240.00")
    with pytest.raises(ValidationFailed):
        reverse_payment(session, payment_id, date(2026, 3, 28), "again")


def test_a_payment_recorded_twice_with_one_reference_counts_once_and_overpaying_is_refused(
    session, billed_bureau, member
):
    invoice_id = issue_invoice(session, fee_invoice(billed_bureau.id, member.id))
    args = (D("100.00"), date(2026, 3, 20), PaymentMethod.STRIPE, "pi_123")
    first = record_payment(session, invoice_id, *args)
    assert record_payment(session, invoice_id, *args) == first
    assert invoice_state(session, invoice_id).open == D("140.00")
    with pytest.raises(ValidationFailed):
        record_payment(
            session, invoice_id, D("140.01"), date(2026, 3, 21), PaymentMethod.CASH, None
        )


def test_a_credit_note_refers_to_the_invoice_and_undoes_its_bookings_on_both_sides(
    engine, session, billed_bureau, member
):
    invoice_id = issue_invoice(session, premium_invoice(billed_bureau.id, member.id))
    note_id = credit_invoice(session, invoice_id, date(2026, 2, 1), "Dubbel gefactureerd")
    session.commit()
    book_pending(engine)
    session.commit()
    note = session.get(Invoice, note_id)
    assert note.kind == "credit_note" and note.credits_invoice_id == invoice_id
    assert note.number.startswith("C2026-") and note.total == D("-375.10")
    assert [line.amount for line in note.lines] == [D("-300.00"), D("-10.00"), D("-65.10")]
    assert all(value == 0 for value in balances(engine, billed_bureau.tenant).values())
    assert all(value == 0 for value in balances(engine, member.tenant).values())
    session.expire_all()
    state = invoice_state(session, invoice_id)
    assert state.is_credited and state.open == 0
    session.commit()
    assert session.get(Invoice, invoice_id).total == D("375.10")  # the invoice stays as issued
    with pytest.raises(ValidationFailed):
        credit_invoice(session, invoice_id, date(2026, 2, 2), "again")


def test_the_bureau_needs_address_and_kvk_and_a_vat_number_only_when_it_charges_vat() -> None:
    from purchasing.invoices.requirements import missing_of_customer, missing_of_supplier

    bureau = Party(name="Stichting Servicebureau", address="Marktstraat 1", city="Utrecht")
    assert missing_of_supplier(bureau, has_vat=False) == ["postcode", "kvk_number"]
    complete = Party(
        name="Stichting Servicebureau", address="Marktstraat 1", postcode="1234 AB",
        city="Utrecht", kvk_number="87654321",
    )  # fmt: skip
    assert missing_of_supplier(complete, has_vat=False) == []
    assert missing_of_supplier(complete, has_vat=True) == ["vat_number"]
    assert missing_of_customer(Party(name="Stichting De Linde", city="Zeist")) == [
        "address",
        "postcode",
    ]
