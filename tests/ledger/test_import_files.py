"""Importing files as people write them: their own root names, and ``include`` of other files."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.balances import balances_before
from ledger.export import export_book
from ledger.importer import import_book, import_book_file
from tenants.binding import bind_session
from tests.ledger.test_roundtrip import END_OF_TIME, beanquery_balances

DUTCH_ROOTS = """
option "name_assets" "Activa"
option "name_liabilities" "Passiva"
option "name_equity" "Vermogen"
option "name_income" "Baten"
option "name_expenses" "Lasten"
2024-01-01 open Activa:Bank EUR
2024-01-01 open Vermogen:Opening
2024-01-01 open Baten:Giften EUR
2024-01-01 open Lasten:Huur EUR
2024-01-01 open Passiva:Crediteuren EUR
2024-01-01 custom "budget" Lasten:Huur "month" 100.00 EUR
2024-01-02 * "Beginsaldo"
  Activa:Bank  500.00 EUR
  Vermogen:Opening
2024-02-01 * "Gift" #project-zomer
  Activa:Bank  25.00 EUR
  Baten:Giften
2024-02-15 * "Huur februari"
  Lasten:Huur  300.00 EUR
  Passiva:Crediteuren
2024-03-01 pad Activa:Bank Vermogen:Opening
2024-03-02 balance Activa:Bank 600.00 EUR
2024-03-03 note Passiva:Crediteuren "nog te betalen"
"""
OURS = {
    "Activa": "Assets",
    "Passiva": "Liabilities",
    "Vermogen": "Equity",
    "Baten": "Income",
    "Lasten": "Expenses",
}


def under_our_roots(balances: dict[str, Any]) -> dict[str, Any]:
    return {OURS[a.split(":")[0]] + a[a.index(":") :]: b for a, b in balances.items()}


def test_a_file_with_its_own_root_names_is_imported_under_ours_with_the_same_balances(
    books: Session, tmp_path: Path
) -> None:
    import_book(books, DUTCH_ROOTS, actor_id=None)

    balances = balances_before(books, END_OF_TIME)
    assert balances == under_our_roots(beanquery_balances(DUTCH_ROOTS))
    assert "Assets:Bank" in balances and "Income:Giften" in balances
    exported = export_book(books)
    assert not any(f"{root}:" in exported for root in OURS)
    assert "Expenses:Huur" in exported
    assert 'custom "budget" Expenses:Huur' in exported
    assert beanquery_balances(exported) == balances
    check = tmp_path / "export.beancount"
    check.write_text(exported)
    result = subprocess.run(["bean-check", str(check)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_file_is_imported_with_the_files_it_includes(books: Session, tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "open.beancount").write_text(
        "2024-01-01 open Assets:Bank EUR\n2024-01-01 open Income:Gifts EUR\n"
    )
    main = tmp_path / "main.beancount"
    main.write_text(
        'include "accounts/open.beancount"\n'
        '2024-02-01 * "Gift"\n  Assets:Bank 12.50 EUR\n  Income:Gifts\n'
    )

    summary = import_book_file(books, main, actor_id=None)

    assert summary.counts["NewTransaction"] == 1
    assert balances_before(books, END_OF_TIME)["Assets:Bank"] == {"EUR": 12.5}


def test_the_cli_follows_includes_and_names_the_missing_file(
    app: Flask, make_org: Callable[..., Any], engine: Any, tmp_path: Path
) -> None:
    good, bad = make_org(), make_org()
    (tmp_path / "open.beancount").write_text("2024-01-01 open Assets:Bank EUR\n")
    main = tmp_path / "main.beancount"
    main.write_text('include "open.beancount"\n2024-01-05 balance Assets:Bank 0 EUR\n')
    broken = tmp_path / "broken.beancount"
    broken.write_text('include "missing.beancount"\n')
    runner = app.test_cli_runner()

    imported = runner.invoke(cli, ["ledger", "import", good.slug, str(main)])
    refused = runner.invoke(cli, ["ledger", "import", bad.slug, str(broken)])

    assert imported.exit_code == 0, imported.output
    with Session(engine) as books:
        bind_session(books, good.tenant)
        assert "Assets:Bank" in export_book(books)
    assert refused.exit_code == 1
    assert "missing.beancount" in refused.output
