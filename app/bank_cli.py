"""``servicebureau bank``: link bank accounts and import their statements from the shell.

Every command prints one JSON object as its last line; a refusal prints ``{"refused": ...}``
and exits with status 1, whatever went wrong (other tools rely on this).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.commands import bound_session, in_unit_of_work
from ledger.bank.accounts import (
    DEFAULT_LEDGER_ACCOUNT,
    add_bank_account,
    normalised_iban,
    set_csv_mapping,
)
from ledger.bank.csvmapping import CsvMapping
from ledger.bank.importing import import_statement
from ledger.bank.models import BankAccount
from ledger.bank.presets import PRESETS
from ledger.errors import DomainError


class Refused(Exception):
    """A refusal of the command line itself (an unreadable file, an unknown bank account)."""


@click.group("bank")
def bank_group() -> None:
    """Bank accounts and statements (CAMT.053, MT940, CSV)."""


@bank_group.command("add-account")
@click.argument("slug")
@click.argument("iban")
@click.option("--account", default=DEFAULT_LEDGER_ACCOUNT, show_default=True)
@click.option("--csv-preset", type=click.Choice(sorted(PRESETS)), default=None)
@in_unit_of_work
def bank_add_account(slug: str, iban: str, account: str, csv_preset: str | None) -> None:
    """Link IBAN to a ledger ACCOUNT of organisation SLUG."""
    mapping = PRESETS[csv_preset] if csv_preset else None
    try:
        session = bound_session(slug)
        add_bank_account(session, iban, None, account=account, csv_mapping=mapping)
    except (DomainError, Refused) as error:
        _refuse(error)
    click.echo(json.dumps({"iban": normalised_iban(iban), "account": account}))


@bank_group.command("csv-mapping")
@click.argument("slug")
@click.argument("iban")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), help="A known bank's columns.")
@click.option("--date", "date_column", help="Column with the booking date.")
@click.option("--amount", help="Column with the amount.")
@click.option("--date-format", default="%Y-%m-%d", show_default=True)
@click.option("--delimiter", default=",", show_default=True)
@click.option("--decimal-comma", is_flag=True, help="Amounts are written 1.234,56.")
@click.option("--direction", default="", help="Column saying whether money went out or in.")
@click.option("--debit-value", multiple=True, help="A --direction value meaning 'out'.")
@click.option("--counterparty-name", default="")
@click.option("--counterparty-iban", default="")
@click.option("--description", multiple=True, help="Column(s) joined into the description.")
@click.option("--account-column", default="", help="Column with the account's own IBAN.")
@click.option("--reference", default="", help="Column with the bank's unique line reference.")
@click.option("--balance-after", default="", help="Column with the balance after each line.")
@click.option("--balance-before", default="", help="Column with the balance before each line.")
@click.option("--payment-reference", default="", help="Column with the payment reference.")
@click.option("--header", multiple=True, help="Column names, for a file without a header row.")
@click.option("--skip-lines", default=0, show_default=True, help="Lines above the header.")
@click.option("--split-codes", is_flag=True, help="The description has /NAME/, /IBAN/ codes.")
@click.option(
    "--split-labels", is_flag=True, help="The description has Naam:, Omschrijving:, Kenmerk: (ING)."
)
@in_unit_of_work
def bank_csv_mapping(slug: str, iban: str, preset: str | None, **columns: Any) -> None:
    """Save how the CSV exports of bank account IBAN of organisation SLUG are read."""
    try:
        mapping = PRESETS[preset] if preset else _mapping(columns)
        session = bound_session(slug)
        set_csv_mapping(session, _bank_account_id(session, iban), mapping, None)
    except (DomainError, Refused) as error:
        _refuse(error)
    click.echo(json.dumps({"iban": normalised_iban(iban), "csv_mapping": mapping.to_json()}))


@bank_group.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--iban", default=None, help="The bank account, for a CSV file that names none.")
@in_unit_of_work
def bank_import(slug: str, file: Path, iban: str | None) -> None:
    """Read a statement FILE into the inbox of organisation SLUG; last line is JSON."""
    try:
        data = _read(file)
        session = bound_session(slug)
        bank_account_id = _bank_account_id(session, iban) if iban else None
        result = import_statement(
            session, data, None, filename=file.name, bank_account_id=bank_account_id
        )
    except (DomainError, Refused) as error:
        _refuse(error)
    click.echo(json.dumps(result.to_json()))


def _refuse(error: Exception) -> NoReturn:
    click.echo(f"refused: {error}", err=True)
    click.echo(json.dumps({"refused": str(error)}, ensure_ascii=False))
    sys.exit(1)


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as error:
        raise Refused(f"cannot read {file}: {error.strerror or error}") from error


def _mapping(columns: dict[str, Any]) -> CsvMapping:
    if not columns["date_column"] or not columns["amount"]:
        raise Refused("give --preset, or at least --date and --amount")
    return CsvMapping(
        date=columns["date_column"],
        amount=columns["amount"],
        date_format=columns["date_format"],
        delimiter=columns["delimiter"],
        decimal_comma=columns["decimal_comma"],
        direction=columns["direction"],
        debit_values=tuple(columns["debit_value"]),
        counterparty_name=columns["counterparty_name"],
        counterparty_iban=columns["counterparty_iban"],
        description=tuple(columns["description"]),
        account=columns["account_column"],
        reference=columns["reference"],
        balance_after=columns["balance_after"],
        balance_before=columns["balance_before"],
        payment_reference=columns["payment_reference"],
        header=tuple(columns["header"]),
        skip_lines=columns["skip_lines"],
        split_codes=columns["split_codes"],
        split_labels=columns["split_labels"],
    )


def _bank_account_id(session: Session, iban: str) -> int:
    found = session.scalar(select(BankAccount.id).where(BankAccount.iban == normalised_iban(iban)))
    if found is None:
        raise Refused(f"no bank account {iban!r}")
    return int(found)
