"""Reports on a small inline ledger: balance sheet, income statement, trial balance and the rest."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.errors import NotFound, ValidationFailed
from ledger.importer import import_book
from ledger.reports.account_ledger import account_ledger
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.budgets import budget_report, set_budget
from ledger.reports.catalogue import build_report
from ledger.reports.income_statement import income_statement
from ledger.reports.journal import JournalFilter, journal
from ledger.reports.periods import Period, previous_period
from ledger.reports.projects import project_report, tag_report
from ledger.reports.trial_balance import trial_balance

BOOK = """
option "operating_currency" "EUR"
2023-01-01 open Assets:Bank EUR
2023-01-01 open Assets:Stock HOOL "FIFO"
2023-01-01 open Liabilities:Payable EUR
2023-01-01 open Equity:Opening EUR
2023-01-01 open Income:Subsidy EUR
2023-01-01 open Income:Gifts EUR
2023-01-01 open Expenses:Rent EUR
2023-01-01 open Expenses:Activities EUR

2023-01-02 * "Opening balance"
  Assets:Bank 1000.00 EUR
  Equity:Opening

2023-06-01 * "Gemeente" "Subsidie buurthuis" #buurthuis
  project: "buurthuis"
  Assets:Bank 500.00 EUR
  Income:Subsidy

2023-12-31 * "Verhuurder" "Huur december"
  Assets:Bank -100.00 EUR
  Expenses:Rent

2024-01-15 * "Buy shares"
  Assets:Stock 2 HOOL {10.00 EUR}
  Assets:Bank -20.00 EUR

2024-01-20 * "Buy shares"
  Assets:Stock 3 HOOL {11.00 EUR}
  Assets:Bank -33.00 EUR

2024-02-01 * "Mevrouw de Vries" "Gift" #buurthuis #zomerfeest
  Assets:Bank 40.00 EUR
  Income:Gifts

2024-02-10 * "Bakker" "Taart zomerfeest" #zomerfeest
  Expenses:Activities 25.00 EUR
    project: "zomerfeest"
  Liabilities:Payable
"""


@pytest.fixture
def book(books: Session) -> Session:
    import_book(books, BOOK, actor_id=None)
    return books


def test_the_balance_sheet_shows_last_years_and_this_years_result_so_it_balances(
    book: Session,
) -> None:
    sheet = balance_sheet(book, date(2024, 2, 10))

    assert sheet.balances["Assets:Bank"] == {"EUR": Decimal("1387.00")}
    assert sheet.balances["Assets:Stock"] == {"HOOL": Decimal("5")}
    assert sheet.retained_earnings == {"EUR": Decimal("-400.00")}
    assert sheet.net_income == {"EUR": Decimal("-15.00")}
    assert "Income:Gifts" not in sheet.balances
    assert sheet.liabilities.totals == {"EUR": Decimal("-25.00")}


def test_the_balance_sheet_is_as_of_the_end_of_its_day(book: Session) -> None:
    before = balance_sheet(book, date(2024, 2, 9))
    after = balance_sheet(book, date(2024, 2, 10))

    assert "Liabilities:Payable" not in before.balances
    assert after.balances["Liabilities:Payable"] == {"EUR": Decimal("-25.00")}


def test_a_balance_sheet_without_holdings_at_cost_balances(book: Session) -> None:
    assert balance_sheet(book, date(2023, 12, 31)).is_balanced


def test_the_income_statement_covers_both_days_of_its_period(book: Session) -> None:
    statement = income_statement(book, Period(date(2023, 6, 1), date(2023, 12, 31)))

    assert statement.balances == {
        "Income:Subsidy": {"EUR": Decimal("-500.00")},
        "Expenses:Rent": {"EUR": Decimal("100.00")},
    }
    assert statement.net_income == {"EUR": Decimal("-400.00")}


def test_a_trial_balance_sums_to_zero_in_every_currency_not_held_at_cost(book: Session) -> None:
    as_of = trial_balance(book, date(2023, 12, 31))
    period = trial_balance(book, date(2024, 2, 29), start=date(2024, 2, 1))

    assert as_of.totals == {"EUR": Decimal("0.00")}
    assert period.balances["Assets:Bank"] == {"EUR": Decimal("40.00")}
    assert period.totals == {"EUR": Decimal("0.00")}


def test_the_account_ledger_carries_the_running_balance_across_pages(book: Session) -> None:
    first = account_ledger(book, "Assets:Bank", limit=2)
    second = account_ledger(book, "Assets:Bank", after=first.next_cursor, limit=2)
    third = account_ledger(book, "Assets:Bank", after=second.next_cursor, limit=2)

    balances = [line.balance for page in (first, second, third) for line in page.lines]
    assert balances == [Decimal(n) for n in ("1000", "1500", "1400", "1380", "1347", "1387")]
    assert second.opening == {"EUR": Decimal("1500.00")}
    assert third.next_cursor is None


def test_the_account_ledger_of_a_period_opens_with_the_balance_before_it(book: Session) -> None:
    ledger = account_ledger(book, "Assets:Bank", period=Period(date(2024, 1, 1), date(2024, 1, 31)))

    assert ledger.opening == {"EUR": Decimal("1400.00")}
    assert [line.balance for line in ledger.lines] == [Decimal("1380.00"), Decimal("1347.00")]


def test_an_unknown_account_has_no_ledger(book: Session) -> None:
    with pytest.raises(NotFound):
        account_ledger(book, "Assets:Nowhere")


def test_the_journal_pages_newest_first_and_filters(book: Session) -> None:
    first = journal(book, limit=4)
    rest = journal(book, before=first.next_cursor, limit=4)
    tagged = journal(book, JournalFilter(tag="zomerfeest"))
    text = journal(book, JournalFilter(text="huur"))
    bank_2024 = journal(book, JournalFilter(account="Assets", start=date(2024, 1, 1)))

    dates = [e.transaction.date for e in first.entries + rest.entries]
    assert dates == sorted(dates, reverse=True) and len(dates) == 7
    assert rest.next_cursor is None
    assert [e.transaction.narration for e in tagged.entries] == ["Taart zomerfeest", "Gift"]
    assert [e.transaction.payee for e in text.entries] == ["Verhuurder"]
    assert len(bank_2024.entries) == 3


def test_the_journal_keeps_metadata_and_shows_none_where_there_is_none(book: Session) -> None:
    entries = {e.transaction.narration: e.transaction for e in journal(book).entries}

    subsidy = next(t for t in entries.values() if t.meta)
    assert subsidy.meta == {"project": "buurthuis"}
    cake = entries["Taart zomerfeest"]
    assert cake.meta == {}
    assert [p.meta for p in cake.postings] == [{"project": "zomerfeest"}, {}]
    assert all(p.meta == {} for p in entries["Gift"].postings)


def test_a_journal_text_filter_treats_percent_signs_as_text(book: Session) -> None:
    assert journal(book, JournalFilter(text="%")).entries == ()


@pytest.mark.parametrize("typed", ["100", "100,00", "€ 100,-", "-100.00", " 100 "])
def test_a_journal_search_for_an_amount_finds_postings_of_that_size_either_way(
    book: Session, typed: str
) -> None:
    found = journal(book, JournalFilter(text=typed))

    assert [e.transaction.narration for e in found.entries] == ["Huur december"]


def test_a_journal_search_for_an_amount_no_posting_has_finds_nothing(book: Session) -> None:
    assert [e.transaction.narration for e in journal(book, JournalFilter(text="25")).entries] == [
        "Taart zomerfeest"
    ]
    assert journal(book, JournalFilter(text="12,34")).entries == ()


def test_an_account_ledger_search_for_an_amount_lists_its_postings_of_that_size(
    book: Session,
) -> None:
    found = account_ledger(book, "Assets:Bank", text="33,00")

    assert [(line.narration, line.balance) for line in found.lines] == [
        ("Buy shares", Decimal("-33.00"))
    ]
    assert account_ledger(book, "Assets:Bank", text="Huur").lines[0].units.number == Decimal(
        "-100.00"
    )


def test_projects_count_posting_metadata_before_transaction_metadata(book: Session) -> None:
    report = project_report(book, Period(date(2023, 1, 1), date(2024, 12, 31)))

    by_name = {p.project: p for p in report.projects}
    assert by_name["buurthuis"].income.totals == {"EUR": Decimal("-500.00")}
    assert by_name["zomerfeest"].expenses.totals == {"EUR": Decimal("25.00")}
    assert set(by_name) == {"buurthuis", "zomerfeest"}


def test_tags_count_a_transaction_towards_each_of_its_tags(book: Session) -> None:
    report = tag_report(book, Period(date(2024, 1, 1), date(2024, 12, 31)))

    by_tag = {p.project: p.net_income for p in report.projects}
    assert by_tag == {
        "buurthuis": {"EUR": Decimal("-40.00")},
        "zomerfeest": {"EUR": Decimal("-15.00")},
    }


def test_budget_against_actual_sums_the_budgets_inside_the_period(book: Session) -> None:
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    set_budget(
        book,
        "Expenses:Activities",
        Period(date(2024, 1, 1), date(2024, 6, 30)),
        Decimal("100"),
        "EUR",
        None,
    )
    set_budget(
        book,
        "Expenses:Activities",
        Period(date(2024, 7, 1), date(2024, 12, 31)),
        Decimal("50"),
        "EUR",
        None,
    )
    set_budget(
        book,
        "Expenses:Activities",
        Period(date(2024, 7, 1), date(2024, 12, 31)),
        Decimal("60"),
        "EUR",
        None,
    )

    [line] = budget_report(book, year).lines

    assert (line.account, line.budget, line.actual) == (
        "Expenses:Activities",
        Decimal("160"),
        Decimal("25.00"),
    )
    assert line.difference == Decimal("-135.00")


def test_a_budget_for_an_unknown_account_is_refused(book: Session) -> None:
    with pytest.raises(NotFound):
        set_budget(
            book,
            "Expenses:Nowhere",
            Period(date(2024, 1, 1), date(2024, 1, 31)),
            Decimal(1),
            "EUR",
            None,
        )


def test_a_report_takes_a_date_or_a_period_but_not_both(book: Session) -> None:
    with pytest.raises(ValidationFailed):
        build_report(
            book,
            "trial-balance",
            today=date(2024, 3, 1),
            on=date(2024, 1, 1),
            start=date(2024, 1, 1),
            end=date(2024, 2, 1),
        )
    with pytest.raises(ValidationFailed):
        build_report(book, "income-statement", today=date(2024, 3, 1), start=date(2024, 1, 1))


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (
            Period(date(2024, 1, 1), date(2024, 12, 31)),
            Period(date(2023, 1, 1), date(2023, 12, 31)),
        ),
        (Period(date(2024, 3, 1), date(2024, 5, 31)), Period(date(2023, 12, 1), date(2024, 2, 29))),
        (
            Period(date(2024, 1, 10), date(2024, 1, 19)),
            Period(date(2023, 12, 31), date(2024, 1, 9)),
        ),
        (
            Period(date(2024, 1, 1), date(2024, 2, 28)),
            Period(date(2023, 1, 1), date(2023, 2, 28)),
        ),
        (
            Period(date(2024, 1, 1), date(2024, 11, 27)),
            Period(date(2023, 1, 1), date(2023, 11, 27)),
        ),
    ],
)
def test_the_previous_period_is_the_months_before_the_year_before_or_the_days_before(
    period: Period, previous: Period
) -> None:
    assert previous_period(period) == previous


def test_the_cli_prints_one_json_object_with_balances_as_decimal_strings(
    app: Flask, make_org: Callable[..., Any], tmp_path: Any
) -> None:
    org = make_org()
    source = tmp_path / "book.beancount"
    source.write_text(BOOK)
    runner = app.test_cli_runner()
    runner.invoke(cli, ["ledger", "import", org.slug, str(source)])

    sheet = runner.invoke(
        cli,
        ["ledger", "report", org.slug, "balance-sheet", "--date", "2024-01-31", "--format", "json"],
    )
    income = runner.invoke(
        cli,
        [
            "ledger",
            "report",
            org.slug,
            "income-statement",
            "--from",
            "2023-01-01",
            "--to",
            "2023-12-31",
            "--format",
            "json",
        ],
    )
    trial = runner.invoke(
        cli,
        ["ledger", "report", org.slug, "trial-balance", "--date", "2024-02-10", "--format", "csv"],
    )

    assert sheet.exit_code == 0, sheet.output
    data = json.loads(sheet.output)
    assert data["balances"]["Assets:Stock"] == {"HOOL": "5"}
    assert data["balances"]["Assets:Bank"] == {"EUR": "1347.00"}
    assert data["date"] == "2024-01-31" and data["report"] == "balance-sheet"
    assert json.loads(income.output)["net_income"] == {"EUR": "-400.00"}
    assert "Liabilities:Payable,,EUR,-25.00" in trial.output.splitlines()


def test_the_cli_refuses_a_date_together_with_a_period(
    app: Flask, make_org: Callable[..., Any]
) -> None:
    org = make_org()

    result = app.test_cli_runner().invoke(
        cli,
        [
            "ledger",
            "report",
            org.slug,
            "trial-balance",
            "--date",
            "2024-01-01",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
        ],
    )

    assert result.exit_code == 2
