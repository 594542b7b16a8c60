"""CSV exports, read with a column mapping saved per bank account (or a known bank's preset)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ledger.bank.csvmapping import CsvMapping
from ledger.bank.details import Details, split_details, split_ing_labels
from ledger.bank.statement import (
    Progress,
    Statement,
    StatementBalance,
    StatementLine,
    StatementRefused,
    checked_amount,
    report,
    with_identities,
)
from ledger.errors import message

MAX_COLUMNS = 60
# Digits with an optional sign, thousands grouped by the other separator or not at all.
DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
DECIMAL_POINT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class CsvRows:
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...] = field(default=())


def read_rows(
    text: str, delimiter: str, header: tuple[str, ...] = (), skip_lines: int = 0
) -> CsvRows:
    """The header (the file's first row, or ``header`` for a file without one) and rows;
    refuses ragged or absurdly wide files. ``skip_lines`` lines above it are left out."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _ in range(skip_lines):
            next(reader)
        header = header or tuple(cell.strip() for cell in next(reader))
        if len(header) > MAX_COLUMNS:
            raise StatementRefused(message("Het CSV-bestand heeft te veel kolommen."))
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise StatementRefused(
                    message(
                        "Regel %(line)s van het CSV-bestand heeft niet het juiste aantal kolommen."
                    ),
                    line=number,
                )
            rows.append(dict(zip(header, cells, strict=True)))
    except (csv.Error, StopIteration) as error:
        raise StatementRefused(message("Het CSV-bestand is onleesbaar.")) from error
    return CsvRows(header, tuple(rows))


def parse_csv(
    text: str, mapping: CsvMapping, iban: str, on_progress: Progress | None = None
) -> Statement:
    """One statement for ``iban`` from a CSV export, the rows in the file's order."""
    table = read_rows(text, mapping.delimiter, mapping.header, mapping.skip_lines)
    missing = [c for c in _columns(mapping) if c not in table.header]
    if missing:
        raise StatementRefused(
            message("Het CSV-bestand mist de kolom(men) %(columns)s."), columns=", ".join(missing)
        )
    if not table.rows:
        raise StatementRefused(message("Het bestand bevat geen afschriftregels."))
    lines = []
    for number, row in enumerate(table.rows, start=1):
        lines.append(_line(row, mapping))
        report(on_progress, "parse", number, len(table.rows))
    own = {row[mapping.account].replace(" ", "").upper() for row in table.rows if mapping.account}
    if own - {iban}:
        raise StatementRefused(
            message("Het afschrift is van rekening %(iban)s, niet van %(expected)s."),
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
        lines=with_identities(tuple(lines)),
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
        mapping.balance_before,
        mapping.payment_reference,
        *mapping.description,
    ]
    return [column for column in named if column]


def _line(row: Mapping[str, str], mapping: CsvMapping) -> StatementLine:
    amount = parse_amount(row[mapping.amount], mapping.decimal_comma)
    if mapping.direction:
        amount = abs(amount)
        if row[mapping.direction].strip() in mapping.debit_values:
            amount = -amount
    description = " ".join(" ".join(row[c] for c in mapping.description).split())
    codes = split_details(description) if mapping.split_codes else None
    labelled = split_ing_labels(description) if mapping.split_labels else None
    if labelled is not None:
        return _labelled_line(row, mapping, amount, description, labelled)
    return StatementLine(
        date=_date(row[mapping.date], mapping.date_format),
        amount=amount,
        currency=mapping.currency,
        description=codes.description if codes else description,
        counterparty_name=codes.name if codes else _cell(row, mapping.counterparty_name),
        counterparty_iban=(
            codes.iban if codes else _cell(row, mapping.counterparty_iban).replace(" ", "").upper()
        ),
        bank_reference=_cell(row, mapping.reference),
        end_to_end_id=codes.end_to_end_id if codes else "",
        payment_reference=(
            codes.payment_reference if codes else _cell(row, mapping.payment_reference)
        ),
        return_reason=codes.return_reason if codes else "",
    )


def _labelled_line(
    row: Mapping[str, str], mapping: CsvMapping, amount: Decimal, text: str, labelled: Details
) -> StatementLine:
    """A line whose description held ING's labels: its own columns first, the labels' after.

    Its identity is still made from the whole text (``identity_text``), so a file imported
    before the labels were read is recognised again line by line, not imported twice.
    """
    iban = _cell(row, mapping.counterparty_iban).replace(" ", "").upper() or labelled.iban
    return StatementLine(
        date=_date(row[mapping.date], mapping.date_format),
        amount=amount,
        currency=mapping.currency,
        description=labelled.description,
        counterparty_name=_cell(row, mapping.counterparty_name) or labelled.name,
        counterparty_iban=iban,
        bank_reference=_cell(row, mapping.reference),
        payment_reference=_cell(row, mapping.payment_reference) or labelled.payment_reference,
        identity_text=text,
    )


def _balances(
    rows: Sequence[Mapping[str, str]], lines: Sequence[StatementLine], mapping: CsvMapping
) -> tuple[StatementBalance | None, StatementBalance | None]:
    """From the balance after each line, or before it: the opening and closing balances."""
    column = mapping.balance_after or mapping.balance_before
    if not column:
        return None, None
    first = parse_amount(rows[0][column], mapping.decimal_comma)
    last = parse_amount(rows[-1][column], mapping.decimal_comma)
    if mapping.balance_after:
        first -= lines[0].amount
    else:
        last += lines[-1].amount
    opening_day = lines[0].date.fromordinal(lines[0].date.toordinal() - 1)
    return (
        StatementBalance(opening_day, first, mapping.currency),
        StatementBalance(lines[-1].date, last, mapping.currency),
    )


def _cell(row: Mapping[str, str], column: str) -> str:
    return row[column].strip() if column else ""


def parse_amount(text: str, decimal_comma: bool) -> Decimal:
    """A bank's amount text as Decimal: ``1.234,56`` with a decimal comma, ``1,234.56`` without.

    A separator that does not fit the mapping is refused rather than guessed at: ``12.50``
    read with a decimal comma would otherwise be 1250, and ``1,5`` without one 15.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    pattern = DECIMAL_COMMA if decimal_comma else DECIMAL_POINT
    if not pattern.fullmatch(cleaned):
        raise StatementRefused(
            message("Ongeldig bedrag: %(amount)s (past niet bij de kolomindeling)."),
            amount=text.strip()[:40],
        )
    thousands, decimal = (".", ",") if decimal_comma else (",", ".")
    number = cleaned.replace(thousands, "").replace(decimal, ".")
    try:
        amount = Decimal(number)
    except InvalidOperation as error:
        raise StatementRefused(message("Ongeldig bedrag: %(amount)s."), amount=text[:40]) from error
    return checked_amount(amount, text)


def _date(text: str, date_format: str) -> date:
    try:
        return datetime.strptime(text.strip(), date_format).date()  # noqa: DTZ007 (a date only)
    except ValueError as error:
        raise StatementRefused(message("Ongeldige datum: %(date)s."), date=text[:20]) from error
