"""Hostile or ambiguous input is refused with a reason, in the service, the CLI and the browser."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.cli import cli
from ledger.bank.accounts import add_bank_account, set_csv_mapping
from ledger.bank.csvfile import parse_amount
from ledger.bank.formats import MAX_BYTES
from ledger.bank.importing import import_statement
from ledger.bank.models import BankLine
from ledger.bank.statement import StatementRefused
from tenants.roles import Role
from tests.bank.conftest import FILES, statement_file
from tests.bank.test_import import TRIODOS_MAPPING
from tests.bank.test_web import signed_in, upload

ING = "NL20INGB0001234567"


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("text", "decimal_comma"),
    [
        ("12.50", True),  # would be 1250
        ("1,5", False),  # would be 15
        ("1.2.3,00", True),
        ("1E+999999", True),
        ("1e3", False),
        ("12,345", True),  # a fraction of a cent
        ("100.000.000.000,00", True),  # no bank account holds that
        ("NaN", False),
        ("", True),
    ],
)
def test_an_amount_that_does_not_fit_the_mapping_is_refused(text, decimal_comma):
    with pytest.raises(StatementRefused, match="Ongeldig bedrag"):
        parse_amount(text, decimal_comma)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [("1.500,00", True, "1500.00"), ("1,500.00", False, "1500.00"), ("+12,5", True, "12.5")],
)
def test_thousands_separators_that_fit_the_mapping_are_read(text, decimal_comma, expected):
    assert parse_amount(text, decimal_comma) == Decimal(expected)


@pytest.mark.parametrize(
    "name",
    [
        "exponent.camt053.xml",
        "too_many_decimals.camt053.xml",
        "absurd_amount.camt053.xml",
        "exponent.csv",
        "point_with_decimal_comma.csv",
    ],
)
def test_a_hostile_amount_is_refused_and_changes_nothing(books, name):
    add_bank_account(books, ING, None)

    with pytest.raises(StatementRefused, match="Ongeldig bedrag"):
        import_statement(books, statement_file(name), None)

    assert books.scalar(select(func.count()).select_from(BankLine)) == 0


def test_an_overlong_bank_reference_is_kept_and_recognised_on_a_second_import(books):
    add_bank_account(books, ING, None)
    data = statement_file("long_reference.camt053.xml")

    first = import_statement(books, data, None)
    again = import_statement(books, data, None)

    assert (first.imported, again.duplicates) == (3, 3)
    references = books.scalars(select(BankLine.bank_reference)).all()
    assert "R" * 300 in references


def test_a_csv_naming_no_account_is_refused_when_two_saved_mappings_fit(books):
    for iban in ("NL63TRIO0212345678", "NL26TRIO0390000001"):
        set_csv_mapping(books, add_bank_account(books, iban, None), TRIODOS_MAPPING, None)

    with pytest.raises(StatementRefused, match="meer bankrekeningen"):
        import_statement(books, statement_file("triodos.csv"), None)

    assert books.scalar(select(func.count()).select_from(BankLine)) == 0


@pytest.mark.parametrize(
    "name",
    ["exponent.csv", "exponent.camt053.xml", "absurd_amount.camt053.xml", "truncated.mt940"],
)
def test_the_cli_prints_a_json_refusal_and_exits_non_zero(app, org, name):
    runner = app.test_cli_runner()
    runner.invoke(cli, ["bank", "add-account", org.slug, ING])

    refused = runner.invoke(cli, ["bank", "import", org.slug, str(FILES / name)])

    assert refused.exit_code == 1
    assert set(last_json(refused.output)) == {"refused"}


@pytest.mark.parametrize(
    "arguments",
    [
        ["bank", "import", "no-such-organisation", str(FILES / "ing.camt053.xml")],
        ["bank", "import", "{slug}", str(FILES / "no-such-file.xml")],
        ["bank", "import", "{slug}", str(FILES / "triodos.csv"), "--iban", "NL63TRIO0212345678"],
        ["bank", "add-account", "{slug}", "NL00INGB0001234567"],
    ],
)
def test_every_refusal_of_the_cli_is_a_json_line(app, org, arguments):
    runner = app.test_cli_runner()

    refused = runner.invoke(cli, [a.replace("{slug}", org.slug) for a in arguments])

    assert refused.exit_code == 1, refused.output
    assert "refused" in last_json(refused.output)


def test_the_browser_refuses_a_hostile_amount_with_a_message(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    response = upload(client, org.slug, statement_file("exponent.camt053.xml"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Ongeldig bedrag" in page
    assert books.scalar(select(func.count()).select_from(BankLine)) == 0


def test_the_upload_limit_covers_the_largest_statement_the_import_accepts(app):
    assert app.config["MAX_CONTENT_LENGTH"] > MAX_BYTES


def test_an_upload_without_content_length_beyond_the_limit_gets_a_dutch_413(
    app, client, make_user, login_as, org, books, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    boundary = "grens"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="statement"; '
            f'filename="groot.xml"\r\nContent-Type: application/xml\r\n\r\n'
        ).encode()
        + b"x" * (200 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = client.post(
        f"/o/{org.slug}/bank/import",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )

    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)
    assert books.scalar(select(func.count()).select_from(BankLine)) == 0
