"""The audit trail: every service leaves who, when, what, before and after, read page by page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from ledger.accounts import add_account, close_account
from ledger.audit import audit_trail
from ledger.checks import UnbalancedTransaction
from ledger.documents import NewDocument, attach_document
from ledger.periods import close_period, reopen_period
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tests.ledger.test_edit_conflicts import version_of
from tests.ledger.test_posting import YEAR, gift


def last(books: Session) -> tuple[str, str, int | None, int | None]:
    row = audit_trail(books, limit=1)[0]
    return row.action, row.entity, row.entity_id, row.actor_id


def test_posting_editing_and_reversing_each_leave_a_row_with_before_and_after(
    books: Session,
) -> None:
    posted = post_transaction(books, gift("10.00"), actor_id=4)
    assert last(books) == ("post", "transaction", posted, 4)

    edit_transaction(books, posted, gift("12.00"), actor_id=5)
    assert last(books) == ("edit", "transaction", posted, 5)

    reversal = reverse_transaction(books, posted, actor_id=6, on=date(YEAR, 4, 1))
    assert last(books) == ("reverse", "transaction", reversal, 6)
    rows = audit_trail(books, entity="transaction", entity_id=posted)
    assert [row.action for row in rows] == ["edit", "post"]
    assert rows[0].before["postings"][0]["units"] == ["10.00", "EUR"]
    assert rows[0].after["postings"][0]["units"] == ["12.00", "EUR"]
    assert rows[1].before is None


def test_an_edit_that_changes_nothing_writes_nothing_and_leaves_no_row(books: Session) -> None:
    posted = post_transaction(books, gift("10"), actor_id=4)
    stored = version_of(books, posted)

    assert edit_transaction(books, posted, gift("10.00"), actor_id=5) is False

    assert last(books) == ("post", "transaction", posted, 4)
    assert version_of(books, posted) == stored
    assert edit_transaction(books, posted, gift("10.01"), actor_id=5) is True
    assert last(books) == ("edit", "transaction", posted, 5)


def test_closing_and_reopening_a_period_are_in_the_trail(books: Session) -> None:
    period = close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")
    assert last(books) == ("close", "period", period, 1)

    reopen_period(books, period, actor_id=2, role="owner")

    assert last(books) == ("reopen", "period", period, 2)
    assert audit_trail(books, limit=1)[0].before["closed_at"] is not None


def test_adding_and_closing_an_account_are_in_the_trail(books: Session) -> None:
    account = add_account(books, "Expenses:Porto", 3, opened_on=date(YEAR, 1, 1))
    assert last(books) == ("open", "account", account, 3)
    assert audit_trail(books, limit=1)[0].after["name"] == "Expenses:Porto"

    close_account(books, "Expenses:Porto", 3, on=date(YEAR, 2, 1))

    assert last(books) == ("close", "account", account, 3)
    assert audit_trail(books, limit=1)[0].after == {"closed_on": f"{YEAR}-02-01"}


def test_attaching_a_document_is_in_the_trail(books: Session) -> None:
    posted = post_transaction(books, gift("10.00"), actor_id=4)

    document = attach_document(
        books, NewDocument(date(YEAR, 3, 1), "bonnen/1.pdf", transaction_id=posted), actor_id=8
    )

    assert last(books) == ("attach", "document", document, 8)
    assert audit_trail(books, limit=1)[0].after["path"] == "bonnen/1.pdf"


def test_a_refused_write_leaves_no_row(books: Session) -> None:
    with pytest.raises(UnbalancedTransaction):
        post_transaction(books, gift("10.00", income="9.00"), actor_id=4)

    assert audit_trail(books) == []


def test_the_trail_pages_newest_first_without_gaps_or_repeats(books: Session) -> None:
    posted = [post_transaction(books, gift(f"{n}.00"), actor_id=1) for n in range(1, 8)]

    pages, before = [], None
    while page := audit_trail(books, entity="transaction", limit=3, before_id=before):
        pages.append([row.entity_id for row in page])
        before = page[-1].id

    assert pages == [posted[6:3:-1], posted[3:0:-1], posted[:1]]
