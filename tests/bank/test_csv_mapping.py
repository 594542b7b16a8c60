"""Saving a CSV column mapping per bank account, in the browser and on the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.cli import cli
from ledger.bank.accounts import add_bank_account, set_csv_mapping
from ledger.bank.importing import import_statement
from ledger.bank.models import BankAccount, BankLine
from ledger.bank.presets import PRESETS
from tenants.roles import Role
from tests.bank.conftest import FILES, statement_file
from tests.bank.test_web import signed_in

TRIODOS = "NL63TRIO0212345678"
TRIODOS_FORM = {
    "preset": "",
    "date": "Boekdatum",
    "date_format": "%d-%m-%Y",
    "amount": "Bedrag",
    "decimal_comma": "on",
    "delimiter": ";",
    "direction": "Af/Bij",
    "debit_values": "Af",
    "counterparty_name": "Naam",
    "counterparty_iban": "Tegenrekening",
    "description": "Omschrijving",
    "balance_after": "Saldo",
    "currency": "EUR",
}


@pytest.fixture
def triodos_mapping(client, make_user, login_as, org, books) -> tuple[int, str]:
    """A Triodos account with no mapping yet, a bookkeeper signed in, and its mapping page."""
    bank_account_id = add_bank_account(books, TRIODOS, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    return bank_account_id, f"/o/{org.slug}/bank/accounts/{bank_account_id}/csv"


def test_a_bookkeeper_saves_a_mapping_in_the_browser_and_the_csv_then_imports(
    client, books, triodos_mapping
):
    _bank_account_id, url = triodos_mapping

    form = client.get(url)
    saved = client.post(url, data=TRIODOS_FORM)
    again = client.get(url).get_data(as_text=True)

    assert form.status_code == 200 and saved.status_code == 302
    assert 'value="Boekdatum"' in again and 'value="Af/Bij"' in again
    books.expire_all()
    result = import_statement(books, statement_file("triodos.csv"), None)
    books.commit()
    assert (result.imported, str(result.closing_balance)) == (2, "1010.50")


def test_a_mapping_keeps_whether_its_description_holds_ings_labels(client, books, triodos_mapping):
    bank_account_id, url = triodos_mapping

    saved = client.post(url, data={**TRIODOS_FORM, "split_labels": "on"})

    assert saved.status_code == 302
    assert 'name="split_labels" checked' in client.get(url).get_data(as_text=True)
    books.expire_all()
    assert books.get_one(BankAccount, bank_account_id).csv_mapping["split_labels"] is True


def test_a_mapping_that_cannot_work_is_refused_in_the_browser(client, books, triodos_mapping):
    bank_account_id, url = triodos_mapping

    page = client.post(url, data={**TRIODOS_FORM, "date_format": "dag-maand"})

    assert page.status_code == 422 and "datumformaat" in page.get_data(as_text=True)
    books.expire_all()
    assert books.get_one(BankAccount, bank_account_id).csv_mapping is None


def test_a_viewer_cannot_change_a_mapping(client, make_user, login_as, org, books):
    bank_account_id = add_bank_account(books, TRIODOS, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.VIEWER)

    response = client.post(f"/o/{org.slug}/bank/accounts/{bank_account_id}/csv", data=TRIODOS_FORM)

    assert response.status_code == 403


def test_the_cli_saves_a_mapping_and_a_preset(app, org, books):
    runner = app.test_cli_runner()
    runner.invoke(cli, ["bank", "add-account", org.slug, TRIODOS])
    runner.invoke(cli, ["bank", "add-account", org.slug, "NL20INGB0001234567"])

    saved = runner.invoke(
        cli,
        [
            "bank",
            "csv-mapping",
            org.slug,
            TRIODOS,
            "--date",
            "Boekdatum",
            "--date-format",
            "%d-%m-%Y",
            "--amount",
            "Bedrag",
            "--decimal-comma",
            "--delimiter",
            ";",
            "--direction",
            "Af/Bij",
            "--debit-value",
            "Af",
            "--counterparty-name",
            "Naam",
            "--description",
            "Omschrijving",
            "--balance-after",
            "Saldo",
        ],
    )
    preset = runner.invoke(
        cli, ["bank", "csv-mapping", org.slug, "NL20INGB0001234567", "--preset", "ing"]
    )
    imported = runner.invoke(cli, ["bank", "import", org.slug, str(FILES / "triodos.csv")])

    assert saved.exit_code == 0, saved.output
    assert json.loads(preset.output.splitlines()[-1])["csv_mapping"]["bank"] == "ING"
    assert json.loads(imported.output.splitlines()[-1])["imported"] == 2
    amounts = sorted(books.scalars(select(BankLine.amount)).all())
    assert [str(a) for a in amounts] == ["-4.50", "15.00"]


def test_the_cli_refuses_a_mapping_without_date_or_amount_as_json(app, org):
    runner = app.test_cli_runner()
    runner.invoke(cli, ["bank", "add-account", org.slug, TRIODOS])

    refused = runner.invoke(cli, ["bank", "csv-mapping", org.slug, TRIODOS, "--amount", "Bedrag"])

    assert refused.exit_code == 1
    assert "refused" in json.loads(refused.output.splitlines()[-1])


def test_a_headerless_export_is_read_with_column_names_typed_in_the_form(
    client, make_user, login_as, org, books
):
    bank_account_id = add_bank_account(books, "NL66ASNB0707070707", None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.OWNER)
    columns = "|".join(PRESETS["asn"].header)

    client.post(
        f"/o/{org.slug}/bank/accounts/{bank_account_id}/csv",
        data={
            "date": "Boekingsdatum",
            "date_format": "%d-%m-%Y",
            "amount": "Transactiebedrag",
            "delimiter": ",",
            "header": columns,
            "account": "Opdrachtgeversrekening",
            "payment_reference": "Betalingskenmerk",
            "balance_before": "Saldo rekening voor mutatie",
            "description": "Omschrijving",
        },
    )
    books.expire_all()
    result = import_statement(books, statement_file("asn.csv"), None)
    books.commit()

    assert (result.imported, str(result.closing_balance)) == (2, "775.00")
    references = books.scalars(select(BankLine.payment_reference).order_by(BankLine.id)).all()
    assert references == ["", "RF18539007547034"]


def test_a_saved_preset_reads_an_export_without_a_header_that_no_file_names(books):
    bank_account_id = add_bank_account(books, "NL91ABNA0417164300", None)
    set_csv_mapping(books, bank_account_id, PRESETS["abnamro"], None)
    books.commit()

    result = import_statement(books, statement_file("abnamro.tab"), None)
    books.commit()

    assert (result.imported, result.iban, str(result.closing_balance)) == (
        2,
        "NL91ABNA0417164300",
        "700.05",
    )
