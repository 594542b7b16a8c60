"""Closing through a date: per fiscal year, owners only, with before and after in the trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.audit import audit_trail
from ledger.errors import NotPermitted, PeriodClosed, ValidationFailed
from ledger.fiscal_year import set_fiscal_year_start_month
from ledger.models import AccountingPeriod
from ledger.period_overview import period_overview
from ledger.periods import close_period, close_through, reopen_period
from ledger.transactions import post_transaction
from tests.ledger.test_posting import END_OF_YEAR, YEAR, gift


def stored(books: Session) -> list[tuple[date, date, bool]]:
    rows = books.scalars(select(AccountingPeriod).order_by(AccountingPeriod.starts_on))
    return [(p.starts_on, p.ends_on, p.closed_at is not None) for p in rows]


def test_closing_through_a_day_freezes_everything_from_the_first_fiscal_year_up_to_it(
    books: Session,
) -> None:
    close_through(books, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR)

    assert stored(books) == [(date(YEAR, 1, 1), date(YEAR, 3, 31), True)]
    with pytest.raises(PeriodClosed):
        post_transaction(books, gift("5.00", date(YEAR, 1, 1)), actor_id=1)
    books.rollback()
    post_transaction(books, gift("5.00", date(YEAR, 4, 1)), actor_id=1)


def test_closing_through_a_day_after_today_is_refused_and_closes_nothing(books: Session) -> None:
    """A slip of the year (31-12 of next year) would lock the books a year ahead."""
    with pytest.raises(ValidationFailed) as refused:
        close_through(books, date(YEAR, 6, 2), actor_id=1, role="owner", today=date(YEAR, 6, 1))

    assert str(refused.value) == "Je kunt de boeken afsluiten tot en met vandaag, niet verder."
    assert refused.value.field == "through"
    assert stored(books) == []
    close_through(books, date(YEAR, 6, 1), actor_id=1, role="owner", today=date(YEAR, 6, 1))
    assert stored(books) == [(date(YEAR, 1, 1), date(YEAR, 6, 1), True)]


def test_closing_through_a_day_makes_one_period_per_fiscal_year(books: Session) -> None:
    set_fiscal_year_start_month(books, 7, actor_id=1)

    closed = close_through(books, date(YEAR, 9, 30), actor_id=1, role="owner", today=END_OF_YEAR)

    assert len(closed) == 2
    assert stored(books) == [
        (date(YEAR - 1, 7, 1), date(YEAR, 6, 30), True),
        (date(YEAR, 7, 1), date(YEAR, 9, 30), True),
    ]


def test_closing_through_a_later_day_closes_a_reopened_earlier_period_and_fills_the_gap(
    books: Session,
) -> None:
    january = close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")
    reopen_period(books, january, actor_id=1, role="owner")

    close_through(books, date(YEAR, 2, 28), actor_id=1, role="owner", today=END_OF_YEAR)

    assert stored(books) == [
        (date(YEAR, 1, 1), date(YEAR, 1, 31), True),
        (date(YEAR, 2, 1), date(YEAR, 2, 28), True),
    ]


def test_a_period_running_past_the_day_is_refused_and_nothing_changes(books: Session) -> None:
    close_period(books, date(YEAR, 1, 1), date(YEAR, 6, 30), actor_id=1, role="owner")
    books.commit()
    before = stored(books)

    with pytest.raises(ValidationFailed) as refused:
        close_through(books, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR)

    assert "in zijn geheel" in str(refused.value)
    books.rollback()
    assert stored(books) == before


def test_closing_what_is_already_closed_says_so(books: Session) -> None:
    close_through(books, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR)

    with pytest.raises(ValidationFailed, match="al afgesloten"):
        close_through(books, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR)


@pytest.mark.parametrize("role", ["bookkeeper", "viewer", ""])
def test_only_the_owner_role_may_close_or_reopen(books: Session, role: str) -> None:
    period = close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")
    books.commit()

    with pytest.raises(NotPermitted):
        close_through(books, date(YEAR, 2, 28), actor_id=2, role=role, today=END_OF_YEAR)
    with pytest.raises(NotPermitted):
        reopen_period(books, period, actor_id=2, role=role)
    books.rollback()

    assert stored(books) == [(date(YEAR, 1, 1), date(YEAR, 1, 31), True)]


def test_the_audit_row_of_a_close_holds_the_period_before_and_after(books: Session) -> None:
    period = close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=7, role="owner")
    reopen_period(books, period, actor_id=7, role="owner")
    close_through(books, date(YEAR, 1, 31), actor_id=8, role="owner", today=END_OF_YEAR)

    second, reopened, first = audit_trail(books, entity="period", entity_id=period, limit=3)

    assert first.before == {
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-01-31",
        "closed_at": None,
        "closed_by": None,
    }
    assert first.after["closed_by"] == 7 and first.after["closed_at"] is not None
    assert reopened.before["closed_at"] == first.after["closed_at"]
    assert reopened.after["closed_at"] is None
    assert second.before["closed_at"] is None and second.after["closed_by"] == 8


def test_the_overview_shows_open_fiscal_years_and_closed_periods_newest_first(
    books: Session,
) -> None:
    post_transaction(books, gift("5.00", date(YEAR, 1, 10)), actor_id=1)
    post_transaction(books, gift("5.00", date(YEAR, 5, 10)), actor_id=1)
    set_fiscal_year_start_month(books, 4, actor_id=1)
    close_through(books, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR)

    rows = period_overview(books, date(YEAR, 6, 1))

    assert [(r.starts_on, r.ends_on, r.is_closed, r.transaction_count) for r in rows] == [
        (date(YEAR, 4, 1), date(YEAR + 1, 3, 31), False, 1),
        (date(YEAR - 1, 4, 1), date(YEAR, 3, 31), True, 1),
    ]
    assert rows[0].id is None and rows[1].id is not None
    assert books.scalar(select(func.count()).select_from(AccountingPeriod)) == 1
