"""The ``servicebureau ledger`` commands: export and import, refusing with the reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from app.cli import cli

GOOD = """
2024-01-01 open Assets:Bank EUR
2024-01-01 open Income:Gifts EUR
2024-02-01 * "Gift" "with a \\"quote\\""
  Assets:Bank 12.50 EUR
  Income:Gifts
"""


def test_import_then_export_gives_back_the_same_transaction(
    app: Flask, make_org: Callable[..., Any], tmp_path: Path
) -> None:
    org = make_org()
    source = tmp_path / "in.beancount"
    source.write_text(GOOD)
    target = tmp_path / "out.beancount"
    runner = app.test_cli_runner()

    imported = runner.invoke(cli, ["ledger", "import", org.slug, str(source)])
    exported = runner.invoke(cli, ["ledger", "export", org.slug, "-o", str(target)])

    assert imported.exit_code == 0, imported.output
    assert exported.exit_code == 0, exported.output
    assert '"Gift" "with a \\"quote\\""' in target.read_text()
    assert "12.50 EUR" in target.read_text()


def test_import_of_a_broken_file_exits_non_zero_with_beancounts_reason(
    app: Flask, make_org: Callable[..., Any], tmp_path: Path
) -> None:
    org = make_org()
    source = tmp_path / "bad.beancount"
    source.write_text(GOOD.replace("open Income:Gifts EUR", "open Income:Other EUR"))

    result = app.test_cli_runner().invoke(cli, ["ledger", "import", org.slug, str(source)])

    assert result.exit_code == 1
    assert "Income:Gifts" in result.output
