"""Posting, reversing and editing transactions: Beancount's rules, checked one write at a time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.balances import balances_on
from ledger.checks import (
    AccountNotOpen,
    BalanceAssertionBroken,
    CurrencyNotAllowed,
    UnbalancedTransaction,
)
from ledger.clock import today
from ledger.documents import NewDocument
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import NotPermitted, PeriodClosed, ValidationFailed
from ledger.meta import decode_meta
from ledger.models import AuditEntry, Document, Posting, Transaction
from ledger.periods import close_period, reopen_period
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tests.balance_checks import write_balance_check

YEAR = today().year
END_OF_YEAR = date(YEAR, 12, 31)  # a "today" by which every day of YEAR may be closed
BANK = "Assets:Bank:Checking"
DONATIONS = "Income:Donations:Gifts"


def gift(amount: str, day: date | None = None, income: str | None = None) -> NewTransaction:
    return NewTransaction(
        date=day or date(YEAR, 3, 1),
        narration="Gift",
        payee="Mevrouw de Vries",
        postings=(
            NewPosting(BANK, Amount(Decimal(amount), "EUR")),
            NewPosting(DONATIONS, Amount(-Decimal(income or amount), "EUR")),
        ),
    )


def count(session: Session, table: type) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_balanced_transaction_is_posted_and_moves_the_balances(books: Session) -> None:
    post_transaction(books, gift("25.50"), actor_id=7)

    balances = balances_on(books, date(YEAR, 12, 31))

    assert balances[BANK] == {"EUR": Decimal("25.50")}
    assert balances[DONATIONS] == {"EUR": Decimal("-25.50")}


def test_every_field_of_a_transaction_is_stored_with_its_postings_and_audit_row(
    books: Session,
) -> None:
    new = NewTransaction(
        date=date(YEAR, 3, 2),
        narration="Gift voor het buurthuis",
        payee="Mevrouw de Vries",
        flag="!",
        tags=frozenset({"buurthuis", "gift"}),
        links=frozenset({"brief-12"}),
        meta={"kenmerk": "ABC-1"},
        source="bank:7",
        postings=gift("25.50").postings,
    )

    transaction_id = post_transaction(books, new, actor_id=7)

    row = books.get_one(Transaction, transaction_id)
    stored = (row.date, row.flag, row.payee, row.narration, row.tags, row.links, row.source)
    assert stored == (
        date(YEAR, 3, 2), "!", "Mevrouw de Vries", "Gift voor het buurthuis",
        ["buurthuis", "gift"], ["brief-12"], "bank:7",
    )  # fmt: skip
    assert decode_meta(row.meta) == {"kenmerk": "ABC-1"}
    postings = books.execute(
        select(Posting.position, Posting.date, Posting.number, Posting.currency)
        .where(Posting.transaction_id == transaction_id)
        .order_by(Posting.position)
    ).all()
    assert postings == [
        (0, date(YEAR, 3, 2), Decimal("25.50"), "EUR"),
        (1, date(YEAR, 3, 2), Decimal("-25.50"), "EUR"),
    ]
    audit = books.execute(
        select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.entity).where(
            AuditEntry.entity_id == transaction_id
        )
    ).all()
    assert audit == [(7, "post", "transaction")]


def test_amounts_keep_their_exact_digits(books: Session) -> None:
    post_transaction(books, gift("1.500"), actor_id=None)

    number = books.scalar(select(Posting.number).where(Posting.number > 0))

    assert str(number) == "1.500"


def test_a_balance_before_the_posting_date_leaves_it_out(books: Session) -> None:
    post_transaction(books, gift("10.00", date(YEAR, 5, 20)), actor_id=None)

    assert BANK not in balances_on(books, date(YEAR, 5, 19))
    assert balances_on(books, date(YEAR, 5, 20))[BANK] == {"EUR": Decimal("10.00")}


def test_an_unbalanced_transaction_is_refused_and_changes_nothing(books: Session) -> None:
    with pytest.raises(UnbalancedTransaction) as refused:
        post_transaction(books, gift("10.00", income="9.98"), actor_id=None)

    assert str(refused.value) == "De boeking is niet in evenwicht: er blijft €\u00a00,02 over."
    assert count(books, Transaction) == 0
    assert count(books, AuditEntry) == 0


def test_a_difference_within_beancount_tolerance_is_accepted(books: Session) -> None:
    post_transaction(books, gift("10.004", income="10.00"), actor_id=None)

    assert count(books, Transaction) == 1


def test_an_account_that_is_not_open_yet_is_refused(books: Session) -> None:
    with pytest.raises(AccountNotOpen):
        post_transaction(books, gift("5.00", date(YEAR - 1, 12, 31)), actor_id=None)


def test_an_unknown_account_is_refused(books: Session) -> None:
    nowhere = NewTransaction(
        date=date(YEAR, 2, 1),
        narration="Nowhere",
        postings=(
            NewPosting("Assets:Nowhere", Amount(Decimal(1), "EUR")),
            NewPosting(BANK, Amount(Decimal(-1), "EUR")),
        ),
    )

    with pytest.raises(AccountNotOpen):
        post_transaction(books, nowhere, actor_id=None)


def test_a_currency_the_account_was_not_opened_for_is_refused(books: Session) -> None:
    dollars = NewTransaction(
        date=date(YEAR, 2, 1),
        narration="Dollars",
        postings=(
            NewPosting(BANK, Amount(Decimal(1), "USD")),
            NewPosting(DONATIONS, Amount(Decimal(-1), "USD")),
        ),
    )

    with pytest.raises(CurrencyNotAllowed):
        post_transaction(books, dollars, actor_id=None)


def assert_bank(books: Session, day: date, number: str) -> None:
    write_balance_check(books, BANK, day, number)


def test_a_posting_that_breaks_a_later_balance_assertion_is_refused(books: Session) -> None:
    post_transaction(books, gift("100.00", date(YEAR, 2, 1)), actor_id=None)
    assert_bank(books, date(YEAR, 6, 1), "100.00")

    with pytest.raises(BalanceAssertionBroken) as refused:
        post_transaction(books, gift("5.00", date(YEAR, 3, 1)), actor_id=None)

    assert str(refused.value) == (
        f"De saldocontrole van Assets:Bank:Checking op 01-06-{YEAR} (€\u00a0100,00) klopt dan"
        " niet meer: het saldo wordt €\u00a0105,00."
    )
    assert count(books, Transaction) == 1


def test_a_posting_after_the_balance_assertion_does_not_touch_it(books: Session) -> None:
    post_transaction(books, gift("100.00", date(YEAR, 2, 1)), actor_id=None)
    assert_bank(books, date(YEAR, 6, 1), "100.00")

    post_transaction(books, gift("5.00", date(YEAR, 6, 1)), actor_id=None)

    assert count(books, Transaction) == 2


def test_a_reversal_undoes_the_balances_and_links_to_the_original(books: Session) -> None:
    original = post_transaction(books, gift("40.00"), actor_id=3)

    reversal = reverse_transaction(books, original, actor_id=3, on=date(YEAR, 4, 1))

    assert BANK not in balances_on(books, date(YEAR, 12, 31))
    row = books.get(Transaction, reversal)
    assert row is not None and row.reverses_id == original
    assert f"tegenboeking-{original}" in row.links


def test_nothing_is_posted_into_a_closed_period_but_a_reversal_in_an_open_one_is(
    books: Session,
) -> None:
    original = post_transaction(books, gift("40.00", date(YEAR, 1, 15)), actor_id=1)
    close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")

    with pytest.raises(PeriodClosed):
        post_transaction(books, gift("1.00", date(YEAR, 1, 20)), actor_id=1)
    with pytest.raises(PeriodClosed):
        edit_transaction(books, original, gift("41.00", date(YEAR, 2, 1)), actor_id=1)
    reverse_transaction(books, original, actor_id=1, on=date(YEAR, 2, 1))

    assert count(books, Transaction) == 2


def test_only_an_owner_closes_a_period_and_a_reopened_period_takes_postings(
    books: Session,
) -> None:
    with pytest.raises(NotPermitted):
        close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=2, role="bookkeeper")
    period = close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")

    reopen_period(books, period, actor_id=1, role="owner")
    post_transaction(books, gift("1.00", date(YEAR, 1, 20)), actor_id=1)

    assert count(books, Transaction) == 1


def test_an_edit_replaces_the_postings_and_the_audit_trail_keeps_before_and_after(
    books: Session,
) -> None:
    original = post_transaction(books, gift("40.00"), actor_id=5)

    edit_transaction(books, original, gift("45.00"), actor_id=6)

    assert balances_on(books, date(YEAR, 12, 31))[BANK] == {"EUR": Decimal("45.00")}
    edit = books.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).one()
    assert edit.actor_id == 6
    assert edit.before["postings"][0]["units"] == ["40.00", "EUR"]
    assert edit.after["postings"][0]["units"] == ["45.00", "EUR"]


def test_a_receipt_is_posted_with_its_transaction_or_not_at_all(books: Session) -> None:
    receipt = NewDocument(date=date(YEAR, 3, 1), path="receipts/abc.pdf", description="Bon")
    transaction_id = post_transaction(books, gift("10"), actor_id=7, documents=(receipt,))
    books.commit()
    [document] = books.scalars(select(Document)).all()
    assert document.transaction_id == transaction_id

    broken = NewDocument(date=date(YEAR, 3, 2), path="receipts/\x00.pdf", description="Bon")
    with pytest.raises(ValidationFailed):
        post_transaction(books, gift("20"), actor_id=7, documents=(broken,))
    books.rollback()  # what the unit of work around a refused call does
    assert count(books, Transaction) == 1
    assert count(books, Document) == 1
