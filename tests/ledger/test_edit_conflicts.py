"""An edit names the version it started from; the ledger refuses one made from a stale version."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.errors import EditConflict
from ledger.queries import load_transaction
from ledger.transactions import edit_transaction, post_transaction
from ledger.versions import transaction_version
from tenants.binding import bind_session
from tests.ledger.test_posting import gift


def version_of(books: Session, transaction_id: int) -> str:
    stored = load_transaction(books, transaction_id)
    assert stored is not None
    return transaction_version(stored)


def amount_of(books: Session, transaction_id: int) -> str:
    stored = load_transaction(books, transaction_id)
    assert stored is not None
    return str(stored.postings[0].units.number)


def test_an_edit_from_the_current_version_is_saved(books: Session) -> None:
    posted = post_transaction(books, gift("10.00"), actor_id=1)

    edit_transaction(books, posted, gift("12.00"), actor_id=1, version=version_of(books, posted))

    assert amount_of(books, posted) == "12.00"


def test_an_edit_from_a_stale_version_is_an_edit_conflict_and_changes_nothing(
    books: Session,
) -> None:
    posted = post_transaction(books, gift("10.00"), actor_id=1)
    opened = version_of(books, posted)
    edit_transaction(books, posted, gift("11.00"), actor_id=2, version=opened)
    books.commit()

    with pytest.raises(EditConflict, match="Iemand anders"):
        edit_transaction(books, posted, gift("99.00"), actor_id=1, version=opened)
    books.rollback()

    assert amount_of(books, posted) == "11.00"


def test_of_two_edits_from_one_version_the_second_waits_for_the_first_and_is_refused(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    """The row lock is held until the first edit's unit of work commits, so the second sees it."""
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        posted = post_transaction(books, gift("10.00"), actor_id=1)
        books.commit()
        opened = version_of(books, posted)
    outcome: list[BaseException | None] = []

    def second_edit() -> None:
        try:
            with Session(engine) as other:
                bind_session(other, org.tenant)
                edit_transaction(other, posted, gift("30.00"), actor_id=2, version=opened)
                other.commit()
            outcome.append(None)
        except BaseException as error:  # reported by the test's own thread
            outcome.append(error)

    with Session(engine) as first:
        bind_session(first, org.tenant)
        edit_transaction(first, posted, gift("20.00"), actor_id=1, version=opened)
        writer = threading.Thread(target=second_edit)
        writer.start()
        writer.join(timeout=1.0)
        waited = writer.is_alive()
        first.commit()
        writer.join(timeout=30)
        first.expire_all()
        amount = amount_of(first, posted)

    assert waited
    assert len(outcome) == 1 and isinstance(outcome[0], EditConflict)
    assert amount == "20.00"
