"""``servicebureau bank``: add an account, import a file, a JSON summary as the last line."""

from __future__ import annotations

import json

from app.cli import cli
from tests.bank.conftest import FILES


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_add_account_then_import_prints_the_figures_as_json_on_the_last_line(app, org):
    runner = app.test_cli_runner()

    added = runner.invoke(cli, ["bank", "add-account", org.slug, "NL20 INGB 0001 2345 67"])
    imported = runner.invoke(cli, ["bank", "import", org.slug, str(FILES / "ing.camt053.xml")])
    again = runner.invoke(cli, ["bank", "import", org.slug, str(FILES / "ing.camt053.xml")])

    assert added.exit_code == 0, added.output
    assert imported.exit_code == 0, imported.output
    assert last_json(imported.output) == {
        "imported": 3,
        "duplicates": 0,
        "pending": 1,
        "account": "Assets:Bank:Checking",
        "iban": "NL20INGB0001234567",
        "format": "camt.053",
        "closing_balance": "2367.45",
        "closing_date": "2024-04-02",
        "assertions": 0,
    }
    assert (last_json(again.output)["imported"], last_json(again.output)["duplicates"]) == (0, 3)


def test_add_account_with_another_ledger_account_and_a_csv_preset(app, org):
    runner = app.test_cli_runner()

    added = runner.invoke(
        cli,
        ["bank", "add-account", org.slug, "NL32BUNQ2012345678", "--account", "Assets:Bank:Savings"],
    )
    imported = runner.invoke(cli, ["bank", "import", org.slug, str(FILES / "bunq.csv")])

    assert added.exit_code == 0, added.output
    assert last_json(imported.output)["account"] == "Assets:Bank:Savings"
    assert last_json(imported.output)["closing_balance"] is None


def test_a_refused_file_exits_non_zero_with_the_reason(app, org):
    runner = app.test_cli_runner()
    runner.invoke(cli, ["bank", "add-account", org.slug, "NL20INGB0001234567"])

    refused = runner.invoke(
        cli, ["bank", "import", org.slug, str(FILES / "other_iban.camt053.xml")]
    )

    assert refused.exit_code == 1
    assert "NL36INGB0007654321" in refused.output
    assert "refused" in last_json(refused.output)


def test_an_invalid_iban_is_refused_by_add_account(app, org):
    result = app.test_cli_runner().invoke(
        cli, ["bank", "add-account", org.slug, "NL00INGB0000000000"]
    )

    assert result.exit_code == 1
    assert "geen geldig IBAN" in result.output
