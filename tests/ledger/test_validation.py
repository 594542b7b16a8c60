"""Beancount's full validation: run over the export, findings stored per run, read by the owner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.importer import import_book
from ledger.models import ValidationRun
from ledger.validation import latest_validation, validate_book
from tenants.binding import bind_session
from tests.balance_checks import write_balance_check

CLEAN = """
2024-01-01 open Assets:Bank EUR
2024-01-01 open Income:Gifts EUR
2024-02-01 * "Gift"
  Assets:Bank 12.50 EUR
  Income:Gifts
2024-03-01 balance Assets:Bank 12.50 EUR
"""


def break_a_balance_assertion(books: Session) -> None:
    """What no service allows: an assertion that does not hold, written straight to the table."""
    write_balance_check(books, "Assets:Bank", date(2024, 4, 1), "99.00")


def test_clean_books_give_a_finished_run_without_findings(books: Session) -> None:
    import_book(books, CLEAN, actor_id=None)

    assert validate_book(books) == []

    report = latest_validation(books)
    assert report is not None
    assert report.finished_at is not None and report.finished_at >= report.started_at
    assert report.entry_count >= 4
    assert report.findings == ()


def test_a_broken_balance_assertion_is_found_with_its_date_and_kept_for_the_owner(
    books: Session,
) -> None:
    import_book(books, CLEAN, actor_id=None)
    break_a_balance_assertion(books)

    findings = validate_book(books)

    assert [f.kind for f in findings] == ["BalanceError"]
    report = latest_validation(books)
    assert report is not None and report.findings == tuple(findings)
    assert report.findings[0].date == date(2024, 4, 1)
    assert "99.00 EUR" in report.findings[0].source


def test_validating_twice_adds_a_second_run_and_keeps_the_first(books: Session) -> None:
    import_book(books, CLEAN, actor_id=None)
    validate_book(books)
    break_a_balance_assertion(books)

    validate_book(books)

    runs = books.scalars(select(ValidationRun).order_by(ValidationRun.id)).all()
    assert [run.finding_count for run in runs] == [0, 1]


def test_never_validated_books_have_no_report(books: Session) -> None:
    assert latest_validation(books) is None


def test_validate_wait_prints_the_findings_and_fails_on_broken_books(
    app: Flask, make_org: Callable[..., Any], engine: Any, tmp_path: Path
) -> None:
    org = make_org()
    source = tmp_path / "clean.beancount"
    source.write_text(CLEAN)
    runner = app.test_cli_runner()
    runner.invoke(cli, ["ledger", "import", org.slug, str(source)])

    clean = runner.invoke(cli, ["ledger", "validate", org.slug, "--wait"])
    with Session(engine) as books:
        bind_session(books, org.tenant)
        break_a_balance_assertion(books)
        broken = runner.invoke(cli, ["ledger", "validate", org.slug, "--wait"])
        runs = books.scalar(select(func.count()).select_from(ValidationRun))

    assert clean.exit_code == 0, clean.output
    assert "0 findings" in clean.output
    assert broken.exit_code == 1
    assert "BalanceError" in broken.output
    assert runs == 2
