"""Differential tests: the account ledger, journal filters and tag report agree with bean-query.

On the same bean-example books as ``test_reports_beanquery`` (the ``example`` fixture):

- account ledger of account A over S..E, paged: every line's units and running balance equal
  bean-query's ``SELECT date, narration, units(position), balance WHERE account = 'A'`` over the
  whole history (so ``balance`` includes all before S), restricted to S..E; the opening balance
  equals the ``balance`` of the last row before S, the closing that of the last row up to E;
- journal with a filter, paged through every page: its transactions (date, payee, narration,
  with multiplicity) equal ``SELECT DISTINCT id, date, payee, narration WHERE ...`` with the
  same filter (``account ~ '^A(:|$)'``, ``narration ~ 'x' OR payee ~ 'x'``, ``'t' IN tags``);
- tag report for S..E: each tag's accounts and net result equal
  ``SELECT account, units(sum(position)) WHERE 't' IN tags AND S <= date <= E
  AND account ~ '^(Income|Expenses):' GROUP BY account``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from beancount.core.data import Transaction
from sqlalchemy.orm import Session

from ledger.reports.account_ledger import AccountLedger, LedgerLine, account_ledger
from ledger.reports.journal import JournalFilter, journal
from ledger.reports.periods import Period
from ledger.reports.projects import tag_report
from tests.ledger.example_books import Beanquery

RESULT_ACCOUNTS = r"account ~ '^(Income|Expenses):'"
FIXED_ACCOUNTS = [
    "Assets:US:BofA:Checking",
    "Expenses:Food:Restaurant",
    "Liabilities:US:Chase:Slate",
]

Line = tuple[date, str, str, Decimal, Decimal]


def periods_of(begin: date, end: date) -> list[Period | None]:
    """The whole history, its last two thirds, one calendar year, a month and a single day."""
    span = (end - begin).days
    return [
        None,
        Period(begin + timedelta(days=span // 3), end),
        Period(date(begin.year + 1, 1, 1), date(begin.year + 1, 12, 31)),
        Period(date(end.year, 3, 1), date(end.year, 3, 31)),
        Period(begin + timedelta(days=40), begin + timedelta(days=40)),
    ]


def lot_account(bq: Beanquery) -> str:
    """The account held at cost (lots) with the most postings."""
    rows = bq.run(
        "SELECT account, count(position) AS n WHERE cost_number IS NOT NULL"
        " GROUP BY account ORDER BY n DESC, account LIMIT 1"
    )
    return str(rows[0][0])


def units(inventory: Any) -> dict[str, Decimal]:
    """An inventory's units per currency, without those that are zero."""
    result: dict[str, Decimal] = {}
    for pos in inventory:
        result[pos.units.currency] = result.get(pos.units.currency, Decimal(0)) + pos.units.number
    return {currency: number for currency, number in result.items() if number != 0}


def expected_ledger(
    bq: Beanquery, account: str, period: Period | None
) -> tuple[dict[str, Decimal], list[Line], dict[str, Decimal]]:
    """bean-query's opening balance, lines (units and running balance) and closing balance."""
    rows = bq.run(f"SELECT date, narration, units(position), balance WHERE account = '{account}'")
    opening: dict[str, Decimal] = {}
    closing: dict[str, Decimal] = {}
    lines: list[Line] = []
    for day, narration, amount, balance in rows:
        if period is not None and day < period.start:
            opening = closing = units(balance)
        elif period is None or day <= period.end:
            running = units(balance).get(amount.currency, Decimal(0))
            lines.append((day, narration, amount.currency, amount.number, running))
            closing = units(balance)
    return opening, lines, closing


def whole_ledger(
    session: Session, account: str, period: Period | None, limit: int
) -> tuple[AccountLedger, list[LedgerLine], dict[str, Decimal]]:
    """The first page, every line of every page, and the last page's closing balance."""
    first = page = account_ledger(session, account, period=period, limit=limit)
    lines = list(page.lines)
    while page.next_cursor is not None:
        page = account_ledger(session, account, period=period, after=page.next_cursor, limit=limit)
        assert page.opening == {c: n for c, n in page.opening.items() if n != 0}
        lines += page.lines
    return first, lines, {c: n for c, n in page.closing.items() if n != 0}


def test_the_account_ledger_agrees_with_beanquery_line_by_line(example: Any) -> None:
    session, bq, begin, end = example
    for account in [*FIXED_ACCOUNTS, lot_account(bq)]:
        for period in periods_of(begin, end):
            opening, expected, closing = expected_ledger(bq, account, period)
            first, lines, last_closing = whole_ledger(session, account, period, limit=37)
            got = [
                (x.date, x.narration, x.units.currency, x.units.number, x.balance) for x in lines
            ]

            assert first.opening == opening, (account, period)
            assert got == expected, (account, period)
            assert last_closing == closing, (account, period)


def journal_transactions(session: Session, filters: JournalFilter) -> Counter[Any]:
    """Every transaction the journal lists for ``filters``, over all pages, newest first."""
    found: Counter[Any] = Counter()
    keys = []
    page = journal(session, filters, limit=40)
    while True:
        for entry in page.entries:
            found[
                (entry.transaction.date, entry.transaction.payee, entry.transaction.narration)
            ] += 1
            keys.append((entry.transaction.date, entry.id))
        if page.next_cursor is None:
            break
        page = journal(session, filters, before=page.next_cursor, limit=40)
    assert keys == sorted(keys, reverse=True)
    return found


def beanquery_transactions(bq: Beanquery, where: str) -> Counter[Any]:
    rows = bq.run(f"SELECT DISTINCT id, date, payee, narration WHERE {where}")
    return Counter((day, payee, narration) for _id, day, payee, narration in rows)


def tags_of(bq: Beanquery) -> list[str]:
    return sorted({t for e in bq.entries if isinstance(e, Transaction) for t in e.tags})


def journal_filters(bq: Beanquery, begin: date, end: date) -> list[tuple[JournalFilter, str]]:
    """Journal filters, each with the bean-query condition that selects the same transactions."""
    middle = begin + timedelta(days=(end - begin).days // 2)
    dates = f"date >= {middle} AND date <= {end}"
    pairs = [
        (JournalFilter(), "TRUE"),
        (JournalFilter(start=middle, end=end), dates),
        (JournalFilter(end=middle), f"date <= {middle}"),
        (JournalFilter(account="Expenses:Food"), "account ~ '^Expenses:Food(:|$)'"),
        (JournalFilter(account="Assets:US"), "account ~ '^Assets:US(:|$)'"),
        (
            JournalFilter(account="Assets:US:BofA:Checking", start=middle, end=end),
            f"account = 'Assets:US:BofA:Checking' AND {dates}",
        ),
    ]
    for text in ["groceries", "EATING OUT", "bank fee", "Chase", "60% of", "Buy shares"]:
        pairs.append((JournalFilter(text=text), f"(narration ~ '{text}' OR payee ~ '{text}')"))
    for tag in tags_of(bq):
        days = sorted(e.date for e in bq.entries if isinstance(e, Transaction) and tag in e.tags)
        since = days[len(days) // 2]
        pairs.append((JournalFilter(tag=tag), f"'{tag}' IN tags"))
        pairs.append(
            (
                JournalFilter(tag=tag, account="Expenses", text="a", start=since),
                f"'{tag}' IN tags AND account ~ '^Expenses:' AND date >= {since}"
                " AND (narration ~ 'a' OR payee ~ 'a')",
            )
        )
    return pairs


def test_the_journal_filters_select_the_transactions_beanquery_selects(example: Any) -> None:
    session, bq, begin, end = example
    pairs = journal_filters(bq, begin, end)
    assert len(pairs) > 12
    for filters, where in pairs:
        expected = beanquery_transactions(bq, where)

        assert expected, filters
        assert journal_transactions(session, filters) == expected, filters


def test_the_tag_report_agrees_with_beanquery_per_tag_and_account(example: Any) -> None:
    session, bq, begin, end = example
    tags = tags_of(bq)
    assert tags
    years = [Period(date(y, 1, 1), date(y, 12, 31)) for y in range(begin.year, end.year + 1)]
    for period in [Period(begin, end), *years, *filter(None, periods_of(begin, end))]:
        where = f"date >= {period.start} AND date <= {period.end} AND {RESULT_ACCOUNTS}"
        expected = {tag: bq.balances(f"'{tag}' IN tags AND {where}") for tag in tags}
        report = tag_report(session, period)
        got = {
            p.project: {line.account: line.units for line in p.income.lines + p.expenses.lines}
            for p in report.projects
        }

        assert got == {tag: balances for tag, balances in expected.items() if balances}, period
        for project in report.projects:
            net = {c: n for c, n in project.net_income.items() if n != 0}
            assert net == bq.total(f"'{project.project}' IN tags AND {where}"), period
