"""Every big Dutch bank's own export imports whole: lines, amounts, counterparties, balances.

The files under tests/bank/files are made for these tests after each bank's documented layout
(none is copied from elsewhere). Each is imported into a fresh organisation as a bookkeeper
would, and what lands in the inbox is compared with the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.models import BankBalance, BankLine
from ledger.bank.presets import PRESETS
from tests.bank.conftest import statement_file


@dataclass(frozen=True)
class Export:
    file: str
    format: str
    iban: str
    lines: tuple[tuple[str, str], ...]  # (amount, counterparty IBAN) in the file's order
    closing: str | None
    preset: str | None = None  # an export without a header row is read with its bank's mapping


EXPORTS = [
    Export(
        "ing.csv",
        "csv",
        "NL20INGB0001234567",
        (("-35.00", "NL91ABNA0417164300"), ("1500.00", "NL44RABO0123456789"), ("-23.45", "")),
        "1941.55",
    ),
    Export(
        "ing.camt053.xml",
        "camt.053",
        "NL20INGB0001234567",
        (
            ("35.00", "NL02ABNA0123456789"),
            ("-120.00", "NL44RABO0123456789"),
            ("-47.55", "NL36INGB0007654321"),
        ),
        "2367.45",
    ),
    Export(
        "ing.mt940",
        "mt940",
        "NL20INGB0001234567",
        (
            ("-25.50", "NL44RABO0123456789"),
            ("150.00", "NL91ABNA0417164300"),
            ("-12.35", "NL02ABNA0123456789"),
        ),
        "1112.15",
    ),
    Export(
        "rabobank.csv",
        "csv",
        "NL38RABO0300000001",
        (
            ("-12.50", "NL20INGB0001234567"),
            ("40.00", "NL02ABNA0123456789"),
            ("40.00", "NL02ABNA0123456789"),
        ),
        "1789.20",
    ),
    Export(
        "rabobank.mt940",
        "mt940",
        "NL38RABO0300000001",
        (("1250.00", "NL02ABNA0123456789"), ("-12.10", ""), ("-250.00", "NL91ABNA0417164300")),
        "1722.70",
    ),
    Export(
        "rabobank_costs.mt940",
        "mt940",
        "NL38RABO0300000001",
        (
            ("34.80", "NL02ABNA0123456789"),
            ("1250.00", "NL44RABO0123456789"),
            ("-12.10", ""),
            ("-250.00", "NL91ABNA0417164300"),
        ),
        "1722.70",
    ),
    Export(
        "rabobank.camt053.xml",
        "camt.053",
        "NL38RABO0300000001",
        (("750.00", "NL02ABNA0123456789"),),
        "734.80",
    ),
    Export(
        "abnamro.mt940",
        "mt940",
        "NL91ABNA0417164300",
        (("-49.95", "NL44RABO0123456789"), ("250.00", "NL20INGB0001234567")),
        "700.05",
    ),
    Export(
        "abnamro.camt053.xml",
        "camt.053",
        "NL91ABNA0417164300",
        (("240.00", "NL44RABO0123456789"), ("-70.55", "NL02ABNA0123456789")),
        "1369.45",
    ),
    Export(
        "abnamro.tab",
        "csv",
        "NL91ABNA0417164300",
        (("-49.95", "NL44RABO0123456789"), ("250.00", "NL20INGB0001234567")),
        "700.05",
        preset="abnamro",
    ),
    Export(
        "asn.mt940",
        "mt940",
        "NL66ASNB0707070707",
        (("15.00", "NL02ABNA0123456789"), ("-240.00", "NL91ABNA0417164300"), ("-1.65", "")),
        "773.35",
    ),
    Export(
        "sns.mt940",
        "mt940",
        "NL22SNSB0912345678",
        (("-89.50", "NL81RABO0312345678"), ("500.00", "NL67INGB0006543210")),
        "2860.60",
    ),
    Export(
        "regiobank.mt940",
        "mt940",
        "NL18RBRB0945678123",
        (("75.00", "NL02ABNA0123456789"),),
        "50.00",
    ),
    Export(
        "asn.csv",
        "csv",
        "NL66ASNB0707070707",
        (("15.00", "NL02ABNA0123456789"), ("-240.00", "NL91ABNA0417164300")),
        "775.00",
        preset="asn",
    ),
    Export(
        "asn.camt053.xml",
        "camt.053",
        "NL66ASNB0707070707",
        (("-47.50", "NL02ABNA0123456789"),),
        "952.50",
    ),
    Export(
        "triodos.camt053.xml",
        "camt.053",
        "NL63TRIO0212345678",
        (("60.00", ""), ("-30.00", "NL02ABNA0123456789"), ("7.50", "")),
        "1037.50",
    ),
    Export(
        "bunq.csv",
        "csv",
        "NL32BUNQ2012345678",
        (("-8.99", ""), ("125.00", "NL02ABNA0123456789")),
        None,
    ),
    Export("bunq.camt053.xml", "camt.053", "NL32BUNQ2012345678", (("-16.90", ""),), "293.30"),
    Export(
        "knab.csv",
        "csv",
        "NL82KNAB0255551234",
        (("120.00", "NL02ABNA0123456789"), ("-1250.00", "NL44RABO0123456789")),
        None,
    ),
    Export(
        "knab.camt053.xml",
        "camt.053",
        "NL82KNAB0255551234",
        (("-90.00", "NL91ABNA0417164300"), ("45.00", "NL91ABNA0417164300")),
        "455.00",
    ),
]


@pytest.mark.parametrize("export", EXPORTS, ids=[e.file for e in EXPORTS])
def test_a_banks_own_export_imports_with_its_lines_amounts_counterparties_and_balance(
    books, export
):
    mapping = PRESETS[export.preset] if export.preset else None
    bank_account_id = add_bank_account(books, export.iban, None, csv_mapping=mapping)

    result = import_statement(
        books,
        statement_file(export.file),
        None,
        bank_account_id=bank_account_id if export.preset else None,
    )

    lines = books.scalars(select(BankLine).where(~BankLine.is_pending).order_by(BankLine.id))
    stored = [(line.amount, line.counterparty_iban) for line in lines]
    assert stored == [(Decimal(amount), iban) for amount, iban in export.lines]
    assert all(isinstance(amount, Decimal) for amount, _ in stored)
    assert (result.format, result.iban, result.imported) == (
        export.format,
        export.iban,
        len(export.lines),
    )
    closing = None if export.closing is None else Decimal(export.closing)
    assert result.closing_balance == closing
    if closing is not None:  # the last balance kept is the file's closing balance
        last = books.scalars(select(BankBalance).order_by(BankBalance.date.desc())).first()
        assert last is not None and last.number == closing
