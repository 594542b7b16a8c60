"""``read``: plain rows past the ORM's result layer, in the session's own transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from ledger.fiscal_year import OPTION, fiscal_year_start_month
from ledger.models import BookOption
from ledger.statements import read

_OPTIONS = BookOption.__table__.c


def test_a_read_sees_what_the_unit_of_work_has_not_flushed_yet(books: Session):
    # Session.execute would autoflush the pending option first; read must do the same, or a
    # domain function reading after it wrote would see the books as they were before.
    books.add(BookOption(name=OPTION, value=7))

    assert fiscal_year_start_month(books) == 7
    assert not books.new


def test_a_read_runs_in_the_session_s_transaction_and_ends_with_it(books: Session):
    books.add(BookOption(name=OPTION, value=4))
    rows = read(books, select(_OPTIONS.name, _OPTIONS.value).where(_OPTIONS.name == OPTION)).all()
    assert [tuple(row) for row in rows] == [(OPTION, 4)]
    assert all(isinstance(row, Row) for row in rows)

    books.rollback()

    assert fiscal_year_start_month(books) == 1  # the option was never committed
