"""Both sides book an invoice in the same periods; releases are posted when due, by a job, once.

A fee for next year issued in December: the bureau books it as invoiced in advance (a
liability) and the member as prepaid; each month of the year moves one twelfth (by days, to
the cent) into the bureau's income and the member's expense, on the first of that month, and
not before that day has come.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.models import Account, Posting, Release, Transaction
from ledger.periods import close_period
from ledger.releases import outstanding
from ledger.transactions import post_transaction
from ledger.validation import validate_book
from purchasing.invoices import accounts
from purchasing.invoices.bookings import post_entries
from purchasing.invoices.documents import NewInvoice, NewLine, credit_invoice, issue_invoice
from purchasing.invoices.entries import Entry, folded
from purchasing.models import Booking, InvoicePurpose, LineKind
from tenants.binding import TenantRef, bind_session
from tests.purchasing import billing
from tests.purchasing.billing import EXEMPT, premium_invoice
from tests.purchasing.books import balance, transactions_with_source
from workers.bookings import book_invoice
from workers.release_jobs import release_due, reschedule_everywhere

D = Decimal
ISSUED = date(2026, 12, 10)

billed_bureau = billing.billed_bureau
member = billing.member


def next_year_fee(session: Session, bureau_id: int, member_id: int, amount: str = "365.00") -> int:
    return issue_invoice(
        session,
        NewInvoice(
            supplier_id=bureau_id,
            customer_id=member_id,
            purpose=InvoicePurpose.MEMBERSHIP_FEE,
            issued_on=ISSUED,
            supply_from=date(2027, 1, 1),
            supply_until=date(2027, 12, 31),
            lines=[NewLine(LineKind.FEE, "Contributie 2027", D(amount), vat_exemption=EXEMPT)],
        ),
    )


def premium_for(session: Session, bureau_id: int, member_id: int, until: date) -> int:
    return premium_invoice(
        session,
        bureau_id,
        member_id,
        issued_on=ISSUED,
        supply_from=date(2027, 1, 1),
        supply_until=until,
    )


def per_month(engine, tenant: TenantRef, account: str) -> dict[str, Decimal]:
    """The account's postings summed per month of their date."""
    with Session(engine) as books:
        bind_session(books, tenant)
        rows = books.execute(
            select(Posting.date, Posting.number)
            .join(Account, Account.id == Posting.account_id)
            .where(Account.name == account)
        )
        months: dict[str, Decimal] = defaultdict(Decimal)
        for day, number in rows:
            months[f"{day:%Y-%m}"] += number
        return {month: total for month, total in sorted(months.items()) if total}


def latest_date(engine, tenant: TenantRef) -> date | None:
    with Session(engine) as books:
        bind_session(books, tenant)
        return books.scalar(select(Transaction.date).order_by(Transaction.date.desc()).limit(1))


def released(engine, tenant: TenantRef) -> int:
    """How many releases are posted in these books."""
    with Session(engine) as books:
        bind_session(books, tenant)
        return len(
            books.scalars(select(Release.id).where(Release.transaction_id.is_not(None))).all()
        )


def findings(engine, tenant: TenantRef) -> list[str]:
    with Session(engine) as books:
        bind_session(books, tenant)
        return [finding.message for finding in validate_book(books)]


@pytest.fixture
def fee(engine, session, billed_bureau, member) -> int:
    invoice_id = next_year_fee(session, billed_bureau.id, member.id)
    session.commit()
    assert book_invoice(engine, invoice_id, today=ISSUED).booked == 2
    return invoice_id


def test_a_fee_for_next_year_is_deferred_on_both_sides_with_nothing_dated_ahead(
    engine, fee, billed_bureau, member
):
    assert balance(engine, billed_bureau.tenant, accounts.FEE_INCOME) == 0
    assert balance(engine, billed_bureau.tenant, accounts.DEFERRED_INCOME) == D("-365.00")
    assert balance(engine, member.tenant, accounts.FEE_EXPENSE) == 0
    assert balance(engine, member.tenant, accounts.PREPAID_FEES) == D("365.00")
    # The journals end on the invoice date: no release is written before it is due.
    assert latest_date(engine, billed_bureau.tenant) == ISSUED
    assert latest_date(engine, member.tenant) == ISSUED
    with Session(engine) as books:
        bind_session(books, member.tenant)
        [left] = outstanding(books)
    assert (left.account, left.amount, left.releases) == (accounts.PREPAID_FEES, D("365.00"), 12)
    assert left.last_due_on == date(2027, 12, 1)


def test_the_job_posts_each_release_once_when_due_in_the_same_months_on_both_sides(
    engine, fee, billed_bureau, member
):
    def posted() -> tuple[int, int]:
        return released(engine, billed_bureau.tenant), released(engine, member.tenant)

    assert release_due(engine, date(2026, 12, 31))["refused"] == 0
    assert posted() == (0, 0)
    release_due(engine, date(2027, 1, 15))
    assert posted() == (1, 1)  # January, on each side
    release_due(engine, date(2027, 1, 15))
    assert posted() == (1, 1)  # run twice, booked once
    release_due(engine, date(2027, 3, 1))
    assert posted() == (3, 3)  # February and March

    income = per_month(engine, billed_bureau.tenant, accounts.FEE_INCOME)
    expense = per_month(engine, member.tenant, accounts.FEE_EXPENSE)
    assert expense == {"2027-01": D("31.00"), "2027-02": D("28.00"), "2027-03": D("31.00")}
    assert {month: -amount for month, amount in income.items()} == expense
    assert latest_date(engine, member.tenant) == date(2027, 3, 1)

    release_due(engine, date(2028, 1, 1))
    assert balance(engine, member.tenant, accounts.FEE_EXPENSE) == D("365.00")
    assert balance(engine, billed_bureau.tenant, accounts.FEE_INCOME) == D("-365.00")
    assert balance(engine, member.tenant, accounts.PREPAID_FEES) == 0
    assert balance(engine, billed_bureau.tenant, accounts.DEFERRED_INCOME) == 0
    assert findings(engine, member.tenant) == [] and findings(engine, billed_bureau.tenant) == []


@pytest.mark.parametrize(
    ("until", "months"),
    [(date(2027, 3, 31), ["2027-01", "2027-02", "2027-03"]), (date(2027, 12, 31), None)],
)
def test_a_premium_for_a_quarter_or_a_year_is_expensed_in_the_months_it_covers(
    engine, session, billed_bureau, member, until, months
):
    invoice_id = premium_for(session, billed_bureau.id, member.id, until)
    session.commit()
    book_invoice(engine, invoice_id, today=ISSUED)
    assert balance(engine, member.tenant, accounts.PREPAID_INSURANCE) == D("375.10")
    release_due(engine, date(2028, 1, 1))
    expense = per_month(engine, member.tenant, "Expenses:Insurance:Liability")
    assert sum(expense.values()) == D("375.10")
    assert list(expense) == (months or [f"2027-{month:02}" for month in range(1, 13)])
    assert balance(engine, member.tenant, accounts.PREPAID_INSURANCE) == 0
    # The bureau passes the premium on to the insurer: no result of its own to spread.
    assert per_month(engine, billed_bureau.tenant, accounts.INSURER_PAYABLE) == {
        "2026-12": D("-310.00")
    }
    assert findings(engine, member.tenant) == []


def test_a_credit_note_on_a_partly_released_invoice_takes_back_what_was_released_and_stops_the_rest(
    engine, session, fee, billed_bureau, member
):
    release_due(engine, date(2027, 3, 1))  # January to March released
    note_id = credit_invoice(session, fee, date(2027, 3, 15), "Lid opgezegd")
    session.commit()
    assert book_invoice(engine, note_id, today=date(2027, 3, 15)).booked == 2
    release_due(engine, date(2028, 1, 1))
    assert released(engine, member.tenant) == 6  # three released and taken back; no more
    for tenant, result, deferral in (
        (member.tenant, accounts.FEE_EXPENSE, accounts.PREPAID_FEES),
        (billed_bureau.tenant, accounts.FEE_INCOME, accounts.DEFERRED_INCOME),
    ):
        assert balance(engine, tenant, result) == 0
        assert balance(engine, tenant, deferral) == 0
        assert per_month(engine, tenant, result)["2027-03"] in (D("-59.00"), D("59.00"))
        with Session(engine) as books:
            bind_session(books, tenant)
            assert outstanding(books) == []
    assert balance(engine, member.tenant, accounts.PAYABLE) == 0


def test_a_release_due_in_a_closed_period_is_posted_on_the_first_open_day_saying_so(
    engine, fee, member
):
    with Session(engine) as books:
        bind_session(books, member.tenant)
        close_period(books, date(2027, 1, 1), date(2027, 1, 31), None, role="owner")
        books.commit()
    release_due(engine, date(2027, 2, 10))
    with Session(engine) as books:
        bind_session(books, member.tenant)
        posted = books.execute(
            select(Release.due_on, Transaction.date, Transaction.narration)
            .join(Transaction, Transaction.id == Release.transaction_id)
            .order_by(Release.due_on)
        ).all()
    assert [(due, on) for due, on, _ in posted] == [
        (date(2027, 1, 1), date(2027, 2, 1)),
        (date(2027, 2, 1), date(2027, 2, 1)),
    ]
    assert "vervallen op 01-01-2027, in een afgesloten periode" in posted[0][2]
    assert "afgesloten" not in posted[1][2]


def test_an_outbox_row_written_with_releases_dated_ahead_posts_them_only_when_due(
    engine, session, billed_bureau, member
):
    """A row issued before releases were scheduled lists each release as an entry of its own."""
    invoice_id = next_year_fee(session, billed_bureau.id, member.id)
    row = session.scalar(
        select(Booking).where(Booking.invoice_id == invoice_id, Booking.side == "member")
    )
    [entry] = [Entry.from_json(data) for data in row.entries]
    legacy = [
        replace(entry, schedule=None),
        *(
            Entry(
                entry.release_key(due),
                due,
                entry.schedule.narration,
                ((accounts.FEE_EXPENSE, amount), (accounts.PREPAID_FEES, -amount)),
                entry.payee,
                entry.link,
            )
            for due, amount in entry.schedule.releases
        ),
    ]
    [again] = folded(legacy)
    assert again.postings == entry.postings
    assert replace(again.schedule, not_before=None) == entry.schedule
    row.entries = [each.to_json() for each in legacy]
    session.commit()
    book_invoice(engine, invoice_id, today=ISSUED)
    assert latest_date(engine, member.tenant) == ISSUED
    release_due(engine, date(2027, 2, 1))
    assert released(engine, member.tenant) == 2
    assert transactions_with_source(engine, member.tenant, entry.key + ":") == [
        entry.key + ":2027-01",
        entry.key + ":2027-02",
    ]


def test_releases_posted_ahead_the_old_way_are_taken_out_and_posted_when_due(
    engine, session, billed_bureau, member
):
    invoice_id = next_year_fee(session, billed_bureau.id, member.id)
    session.commit()
    row = session.scalar(
        select(Booking).where(Booking.invoice_id == invoice_id, Booking.side == "member")
    )
    [entry] = [Entry.from_json(data) for data in row.entries]
    with Session(engine) as books:  # the member's books as the old booking left them
        bind_session(books, member.tenant)
        post_entries(books, [replace(entry, schedule=None)], "EUR", ISSUED)
        for due, amount in entry.schedule.releases:
            old = Entry(
                entry.release_key(due),
                due,
                entry.schedule.narration,
                ((accounts.FEE_EXPENSE, amount), (accounts.PREPAID_FEES, -amount)),
                entry.payee,
                entry.link,
            )
            post_transaction(books, old.to_transaction("EUR"), None)
        books.commit()
    assert latest_date(engine, member.tenant) == date(2027, 12, 1)

    assert reschedule_everywhere(engine, date(2027, 1, 20))["rescheduled"] >= 11
    assert latest_date(engine, member.tenant) == date(2027, 1, 1)  # January was due already
    assert balance(engine, member.tenant, accounts.FEE_EXPENSE) == D("31.00")
    release_due(engine, date(2027, 2, 1))
    assert balance(engine, member.tenant, accounts.FEE_EXPENSE) == D("59.00")
    release_due(engine, date(2028, 1, 1))
    assert balance(engine, member.tenant, accounts.PREPAID_FEES) == 0
    assert findings(engine, member.tenant) == []


def test_the_command_line_lists_what_is_still_to_be_released_and_posts_what_is_due(
    app, fee, member
):
    runner = app.test_cli_runner()
    listed = runner.invoke(cli, ["releases", "list", member.slug])
    assert listed.exit_code == 0, listed.output
    assert listed.output == (
        "Assets:Prepaid:Expenses\t365.00 EUR\t12 releases\tlast on 01-12-2027\n"
    )
    posted = runner.invoke(cli, ["releases", "post", "--on", "2027-01-15"])
    assert posted.exit_code == 0 and "refused=0" in posted.output
    listed = runner.invoke(cli, ["releases", "list", member.slug])
    assert "334.00 EUR\t11 releases" in listed.output
    assert runner.invoke(cli, ["releases", "list", "no-such-org"]).exit_code != 0
