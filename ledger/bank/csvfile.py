"""CSV exports, read with a column mapping saved per bank account (or a known bank's preset)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.bank.statement import (
    Statement,
    StatementBalance,
    StatementLine,
    StatementRefused,
    with_identities,
)
from ledger.errors import message

MAX_COLUMNS = 60


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Which column holds what. Column names are the header's; amounts may use a decimal comma.

    ``direction`` with ``debit_values`` is for banks that give an unsigned amount and a separate
    "Af"/"Bij" column; ``balance_after`` (the balance after each line) gives the statement's
    opening and closing balances.
    """

    date: str
    amount: str
    date_format: str = "%Y-%m-%d"
    delimiter: str = ","
    decimal_comma: bool = False
    direction: str = ""
    debit_values: tuple[str, ...] = ()
    counterparty_name: str = ""
    counterparty_iban: str = ""
    description: tuple[str, ...] = ()
    account: str = ""
    reference: str = ""
    balance_after: str = ""
    currency: str = "EUR"
    bank: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CsvMapping:
        known = {name: value[name] for name in cls.__dataclass_fields__ if name in value}
        for name in ("description", "debit_values"):
            if name in known:
                known[name] = tuple(known[name])
        return cls(**known)


@dataclass(frozen=True, slots=True)
class CsvRows:
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...] = field(default=())


def read_rows(text: str, delimiter: str) -> CsvRows:
    """The header and rows; refuses ragged or absurdly wide files."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = tuple(cell.strip() for cell in next(reader))
        if len(header) > MAX_COLUMNS:
            raise StatementRefused(message("het CSV-bestand heeft te veel kolommen"))
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise StatementRefused(
                    message(
                        "regel %(line)s van het CSV-bestand heeft niet het juiste aantal kolommen"
                    ),
                    line=number,
                )
            rows.append(dict(zip(header, cells, strict=True)))
    except (csv.Error, StopIteration) as error:
        raise StatementRefused(message("het CSV-bestand is onleesbaar")) from error
    return CsvRows(header, tuple(rows))


def parse_csv(text: str, mapping: CsvMapping, iban: str) -> Statement:
    """One statement for ``iban`` from a CSV export, the rows in the file's order."""
    table = read_rows(text, mapping.delimiter)
    missing = [c for c in _columns(mapping) if c not in table.header]
    if missing:
        raise StatementRefused(
            message("het CSV-bestand mist de kolom(men) %(columns)s"), columns=", ".join(missing)
        )
    if not table.rows:
        raise StatementRefused(message("het bestand bevat geen afschriftregels"))
    lines = tuple(_line(row, mapping) for row in table.rows)
    own = {row[mapping.account].replace(" ", "").upper() for row in table.rows if mapping.account}
    if own - {iban}:
        raise StatementRefused(
            message("het afschrift is van rekening %(iban)s, niet van %(expected)s"),
            iban=", ".join(sorted(own - {iban})),
            expected=iban,
        )
    rows = table.rows
    if lines[0].date > lines[-1].date:  # newest first, as ING exports: read it oldest first
        rows, lines = rows[::-1], lines[::-1]
    opening, closing = _balances(rows, lines, mapping)
    return Statement(
        iban=iban,
        currency=mapping.currency,
        lines=with_identities(lines),
        opening=opening,
        closing=closing,
    )


def _columns(mapping: CsvMapping) -> list[str]:
    named = [
        mapping.date,
        mapping.amount,
        mapping.direction,
        mapping.counterparty_name,
        mapping.counterparty_iban,
        mapping.account,
        mapping.reference,
        mapping.balance_after,
        *mapping.description,
    ]
    return [column for column in named if column]


def _line(row: Mapping[str, str], mapping: CsvMapping) -> StatementLine:
    amount = parse_amount(row[mapping.amount], mapping.decimal_comma)
    if mapping.direction:
        amount = abs(amount)
        if row[mapping.direction].strip() in mapping.debit_values:
            amount = -amount
    return StatementLine(
        date=_date(row[mapping.date], mapping.date_format),
        amount=amount,
        currency=mapping.currency,
        description=" ".join(" ".join(row[c] for c in mapping.description).split()),
        counterparty_name=_cell(row, mapping.counterparty_name),
        counterparty_iban=_cell(row, mapping.counterparty_iban).replace(" ", "").upper(),
        bank_reference=_cell(row, mapping.reference),
    )


def _balances(
    rows: Sequence[Mapping[str, str]], lines: Sequence[StatementLine], mapping: CsvMapping
) -> tuple[StatementBalance | None, StatementBalance | None]:
    if not mapping.balance_after:
        return None, None
    first = parse_amount(rows[0][mapping.balance_after], mapping.decimal_comma)
    last = parse_amount(rows[-1][mapping.balance_after], mapping.decimal_comma)
    opening_day = lines[0].date.fromordinal(lines[0].date.toordinal() - 1)
    return (
        StatementBalance(opening_day, first - lines[0].amount, mapping.currency),
        StatementBalance(lines[-1].date, last, mapping.currency),
    )


def _cell(row: Mapping[str, str], column: str) -> str:
    return row[column].strip() if column else ""


def parse_amount(text: str, decimal_comma: bool) -> Decimal:
    """A bank's amount text as Decimal: ``1.234,56`` with a decimal comma, ``1,234.56`` without."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    cleaned = (
        cleaned.replace(".", "").replace(",", ".") if decimal_comma else cleaned.replace(",", "")
    )
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise StatementRefused(message("ongeldig bedrag: %(amount)s"), amount=text[:40]) from error
    if not amount.is_finite():
        raise StatementRefused(message("ongeldig bedrag: %(amount)s"), amount=text[:40])
    return amount


def _date(text: str, date_format: str) -> date:
    try:
        return datetime.strptime(text.strip(), date_format).date()  # noqa: DTZ007 (a date only)
    except ValueError as error:
        raise StatementRefused(message("ongeldige datum: %(date)s"), date=text[:20]) from error
