"""Bank lines that pay the bureau's invoices settle them on both sides, and never twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.inbox import Confirmation, confirm_line, confirm_lines, open_lines
from ledger.bank.models import BankLine
from ledger.models import Transaction
from purchasing.invoices.accounts import PAYABLE, RECEIVABLE
from purchasing.invoices.payments import open_amount
from purchasing.models import Booking, CollectionStatus, Invoice, Payment, SepaBatch, SepaCollection
from purchasing.sepa.batches import create_batch
from purchasing.sepa.creditor import creditor_identifier, set_creditor
from purchasing.sepa.mandates import add_mandate
from purchasing.sepa.matching import BureauInvoices
from purchasing.sepa.payables import MemberPayables
from tenants.binding import bind_session
from tenants.roles import Role
from tests.bank.builders import camt_payments
from tests.purchasing import billing
from tests.purchasing.billing import BUREAU_IBAN, MEMBER_IBAN, fee_invoice
from tests.purchasing.books import balance
from workers.bookings import book_invoice, book_pending

billed_bureau = billing.billed_bureau
member = billing.member


@pytest.fixture
def invoice(session: Session, billed_bureau, member) -> Invoice:
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    session.commit()
    return session.get_one(Invoice, invoice_id)


def bound(engine: Engine, org) -> Session:
    session = Session(engine, expire_on_commit=False)
    bind_session(session, org.tenant)
    return session


@pytest.fixture
def bureau_books(engine: Engine, billed_bureau) -> Iterator[Session]:
    with bound(engine, billed_bureau) as session:
        add_bank_account(session, BUREAU_IBAN, None)
        session.commit()
        yield session


@pytest.fixture
def member_books(engine: Engine, member) -> Iterator[Session]:
    with bound(engine, member) as session:
        add_bank_account(session, MEMBER_IBAN, None)
        session.commit()
        yield session


def transfer(iban: str, amount: str, reference: str, **entry: str) -> bytes:
    return camt_payments(iban, [{"day": "2026-03-20", "amount": amount, "ref": reference, **entry}])


def confirm_only_line(books: Session, account: str, matcher) -> int:
    (item,) = open_lines(books, invoices=matcher)
    assert item.proposal is not None and item.proposal.account == account
    transaction_id = confirm_line(
        books, Confirmation(item.line.id, account), None, invoices=matcher
    )
    books.commit()  # the unit of work of the page or job that confirms it
    return transaction_id


def bank_transactions(books: Session) -> int:
    return books.scalar(select(func.count()).select_from(Transaction)) or 0


def test_the_bureau_statement_settles_the_invoice_and_the_member_statement_adds_nothing_twice(
    engine, session, billed_bureau, member, invoice, bureau_books, member_books
):
    session.commit()
    book_invoice(engine, invoice.id)  # the invoice itself, on both sides
    import_statement(bureau_books, transfer(BUREAU_IBAN, "240.00", invoice.payment_reference), None)
    bureau_books.commit()
    matcher = BureauInvoices(bureau_books, billed_bureau.id)
    (item,) = open_lines(bureau_books, invoices=matcher)
    assert item.proposal.invoice.number == invoice.number

    bureau_tx = confirm_only_line(bureau_books, RECEIVABLE, matcher)
    session.commit()
    book_pending(engine)  # the member's side of the payment

    assert open_amount(session, invoice.id) == 0
    assert balance(engine, billed_bureau.tenant, RECEIVABLE) == 0
    assert balance(engine, billed_bureau.tenant, "Assets:Bank:Checking") == Decimal("240.00")
    bureau_side = session.scalars(
        select(Booking.transaction_ids)
        .where(Booking.payment_id.is_not(None), Booking.side == "bureau")
        .join(Payment, Payment.id == Booking.payment_id)
        .where(Payment.invoice_id == invoice.id)
    ).all()
    assert bureau_side == [[bureau_tx]]

    import_statement(
        member_books, transfer(MEMBER_IBAN, "-240.00", invoice.payment_reference), None
    )
    member_books.commit()
    before = bank_transactions(member_books)
    member_tx = confirm_only_line(member_books, PAYABLE, MemberPayables(member_books, member.id))

    assert bank_transactions(member_books) == before  # linked to the posted payment
    assert balance(engine, member.tenant, PAYABLE) == 0
    assert balance(engine, member.tenant, "Assets:Bank:Checking") == Decimal("-240.00")
    line = member_books.scalar(select(BankLine))
    assert line.transaction_id == member_tx
    payments = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all()
    assert len(payments) == 1


def test_the_member_paying_first_books_its_payable_and_the_bureau_takes_over_the_pending_side(
    engine, session, billed_bureau, member, invoice, bureau_books, member_books
):
    session.commit()
    book_invoice(engine, invoice.id)
    import_statement(
        member_books, transfer(MEMBER_IBAN, "-240.00", invoice.payment_reference), None
    )
    member_books.commit()
    member_tx = confirm_only_line(member_books, PAYABLE, MemberPayables(member_books, member.id))
    assert open_amount(session, invoice.id) == 0

    import_statement(bureau_books, transfer(BUREAU_IBAN, "240.00", invoice.payment_reference), None)
    bureau_books.commit()
    bureau_tx = confirm_only_line(
        bureau_books, RECEIVABLE, BureauInvoices(bureau_books, billed_bureau.id)
    )
    session.commit()
    book_pending(engine)

    session.expire_all()
    (payment,) = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all()
    sides = dict(
        session.execute(
            select(Booking.side, Booking.transaction_ids).where(Booking.payment_id == payment.id)
        ).all()
    )
    assert sides == {"bureau": [bureau_tx], "member": [member_tx]}
    assert balance(engine, billed_bureau.tenant, "Assets:Bank:Checking") == Decimal("240.00")
    assert balance(engine, billed_bureau.tenant, RECEIVABLE) == 0
    assert balance(engine, member.tenant, "Assets:Bank:Checking") == Decimal("-240.00")
    assert balance(engine, member.tenant, PAYABLE) == 0


def test_a_payment_booked_elsewhere_leaves_the_invoice_open(
    session, billed_bureau, invoice, bureau_books
):
    import_statement(bureau_books, transfer(BUREAU_IBAN, "240.00", invoice.payment_reference), None)
    bureau_books.commit()
    matcher = BureauInvoices(bureau_books, billed_bureau.id)
    (item,) = open_lines(bureau_books, invoices=matcher)

    confirm_line(
        bureau_books, Confirmation(item.line.id, "Income:Donations:Donors"), None, invoices=matcher
    )

    assert open_amount(session, invoice.id) == Decimal("240.00")


def test_a_refused_settlement_books_nothing_at_all(session, billed_bureau, invoice, bureau_books):
    import_statement(bureau_books, transfer(BUREAU_IBAN, "300.00", invoice.payment_reference), None)
    bureau_books.commit()
    matcher = BureauInvoices(bureau_books, billed_bureau.id)
    (item,) = open_lines(bureau_books, invoices=matcher)

    result = confirm_lines(
        bureau_books, [Confirmation(item.line.id, RECEIVABLE)], None, invoices=matcher
    )

    assert list(result.refused) == [item.line.id]
    bureau_books.expire_all()
    line = bureau_books.get_one(BankLine, item.line.id)
    assert line.booked_at is None and line.transaction_id is None
    assert bank_transactions(bureau_books) == 0
    assert open_amount(session, invoice.id) == Decimal("240.00")
    assert (
        session.scalar(
            select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice.id)
        )
        == 0
    )


@pytest.fixture
def batch(session: Session, billed_bureau, member, invoice) -> SepaBatch:
    set_creditor(
        session,
        billed_bureau.id,
        creditor_identifier("87654321"),
        "Stichting Servicebureau",
        BUREAU_IBAN,
    )
    add_mandate(
        session, member.id, f"SB-{member.id}-1", "Stichting De Linde", MEMBER_IBAN, date(2026, 1, 5)
    )
    batch_id = create_batch(session, billed_bureau.id, date(2026, 4, 10), date(2026, 3, 12))
    session.commit()
    return session.get_one(SepaBatch, batch_id)


def test_a_batch_credit_collects_and_a_returned_debit_reopens_the_invoice(
    engine, session, billed_bureau, invoice, batch, bureau_books
):
    matcher = BureauInvoices(bureau_books, billed_bureau.id)
    credit = camt_payments(
        BUREAU_IBAN,
        [{"day": "2026-04-10", "amount": "240.00", "ref": batch.reference}],
        statement_id="B1",
    )
    import_statement(bureau_books, credit, None)
    bureau_books.commit()
    confirm_only_line(bureau_books, RECEIVABLE, matcher)
    assert open_amount(session, invoice.id) == 0

    collection = session.scalar(select(SepaCollection).where(SepaCollection.batch_id == batch.id))
    returned = camt_payments(
        BUREAU_IBAN,
        [
            {
                "day": "2026-04-14",
                "amount": "-240.00",
                "e2e": collection.end_to_end_id,
                "reason": "AM04",
            }
        ],
        opening=Decimal("240.00"),
        statement_id="R1",
    )
    import_statement(bureau_books, returned, None)
    bureau_books.commit()
    (item,) = open_lines(bureau_books, invoices=matcher)
    assert item.proposal is not None and item.proposal.invoice.number == invoice.number
    return_tx = confirm_line(
        bureau_books, Confirmation(item.line.id, RECEIVABLE), None, invoices=matcher
    )
    bureau_books.commit()
    session.commit()
    book_pending(engine)

    session.expire_all()
    assert open_amount(session, invoice.id) == Decimal("240.00")
    collection = session.get_one(SepaCollection, collection.id)
    assert collection.status == CollectionStatus.RETURNED and collection.return_reason == "AM04"
    reversal = session.scalar(
        select(Payment).where(Payment.invoice_id == invoice.id, Payment.reverses_id.is_not(None))
    )
    bureau_side = session.scalar(
        select(Booking.transaction_ids).where(
            Booking.payment_id == reversal.id, Booking.side == "bureau"
        )
    )
    assert bureau_side == [return_tx]
    assert balance(engine, billed_bureau.tenant, RECEIVABLE) == Decimal("240.00")  # open again
    assert balance(engine, billed_bureau.tenant, "Assets:Bank:Checking") == 0


def test_a_direct_debit_the_member_saw_first_is_not_booked_twice_by_the_batch_credit(
    engine, session, billed_bureau, member, invoice, batch, member_books, bureau_books
):
    session.commit()
    book_invoice(engine, invoice.id)
    collection = session.scalar(select(SepaCollection).where(SepaCollection.batch_id == batch.id))
    debit = camt_payments(
        MEMBER_IBAN, [{"day": "2026-04-10", "amount": "-240.00", "e2e": collection.end_to_end_id}]
    )
    import_statement(member_books, debit, None)
    member_books.commit()
    member_tx = confirm_only_line(member_books, PAYABLE, MemberPayables(member_books, member.id))
    session.commit()
    assert book_pending(engine).booked == 1  # the bureau's side, at once
    credit = camt_payments(
        BUREAU_IBAN, [{"day": "2026-04-10", "amount": "240.00", "ref": batch.reference}]
    )
    import_statement(bureau_books, credit, None)
    bureau_books.commit()
    bureau_tx = confirm_only_line(
        bureau_books, RECEIVABLE, BureauInvoices(bureau_books, billed_bureau.id)
    )

    session.expire_all()
    (payment,) = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all()
    sides = dict(
        session.execute(
            select(Booking.side, Booking.transaction_ids).where(Booking.payment_id == payment.id)
        ).all()
    )
    assert sides == {"bureau": [bureau_tx], "member": [member_tx]}
    assert open_amount(session, invoice.id) == 0
    assert balance(engine, billed_bureau.tenant, "Assets:Bank:Checking") == Decimal("240.00")
    assert balance(engine, billed_bureau.tenant, RECEIVABLE) == 0
    assert balance(engine, member.tenant, "Assets:Bank:Checking") == Decimal("-240.00")
    assert balance(engine, member.tenant, PAYABLE) == 0


def test_the_bureau_confirms_a_matched_line_in_the_browser(
    client, make_user, login_as, session, billed_bureau, invoice, bureau_books
):
    import_statement(bureau_books, transfer(BUREAU_IBAN, "240.00", invoice.payment_reference), None)
    bureau_books.commit()
    login_as(client, make_user(org=billed_bureau, role=Role.BOOKKEEPER))
    line_id = bureau_books.scalar(select(BankLine.id))

    session.commit()
    page = client.get(f"/o/{billed_bureau.slug}/bank/inbox").get_data(as_text=True)
    assert f"factuur {invoice.number}" in page
    session.commit()
    response = client.post(
        f"/o/{billed_bureau.slug}/bank/inbox/confirm",
        data={"line": str(line_id), f"account-{line_id}": RECEIVABLE},
    )

    assert response.status_code == 302
    assert open_amount(session, invoice.id) == 0


def test_a_member_confirms_its_payment_to_the_bureau_in_the_browser(
    client, make_user, login_as, session, member, invoice, member_books
):
    import_statement(
        member_books, transfer(MEMBER_IBAN, "-240.00", invoice.payment_reference), None
    )
    member_books.commit()
    login_as(client, make_user(org=member, role=Role.OWNER))
    line_id = member_books.scalar(select(BankLine.id))

    session.commit()
    page = client.get(f"/o/{member.slug}/bank/inbox").get_data(as_text=True)
    # The proposal shows the payable by its Dutch label (with its RGS code: the label is shared).
    assert 'value="Rekening-courant servicebureau' in page and f"factuur {invoice.number}" in page
    session.commit()
    client.post(
        f"/o/{member.slug}/bank/inbox/confirm",
        data={"line": str(line_id), f"account-{line_id}": PAYABLE},
    )

    assert open_amount(session, invoice.id) == 0
    member_side = session.scalar(
        select(Booking.status)
        .join(Payment, Payment.id == Booking.payment_id)
        .where(Payment.invoice_id == invoice.id, Booking.side == "member")
    )
    assert member_side == "booked"
