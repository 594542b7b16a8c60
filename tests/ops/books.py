"""Books with a receipt, for the backup tests, and what a round trip must keep equal."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, select

from app.entry.receipts import organisation_folder
from ledger.importer import import_book
from ledger.models import Document
from ledger.reports.trial_balance import trial_balance
from tenants.unit_of_work import unit_of_work

RECEIPT = b"%PDF-1.4\n% huur maart, Wijkcentrum De Linde\n%%EOF\n"
RECEIPT_PATH = f"receipts/{hashlib.sha256(RECEIPT).hexdigest()}.pdf"
BOOK = f"""
option "operating_currency" "EUR"
2026-01-01 open Assets:Bank EUR
2026-01-01 open Income:Gifts EUR
2026-01-01 open Expenses:Rent EUR
2026-01-01 open Equity:Opening-Balances EUR
2026-01-02 * "Beginsaldo"
  Assets:Bank  1250.00 EUR
  Equity:Opening-Balances
2026-02-01 * "Gift van de buurtvereniging"
  Assets:Bank  100.00 EUR
  Income:Gifts
2026-03-01 * "Wijkcentrum De Linde" "Huur maart"
  Expenses:Rent  40.25 EUR
  Assets:Bank
2026-03-01 custom "document" Expenses:Rent "{RECEIPT_PATH}"
"""


def fill_books(app: Flask, engine: Engine, organisation_id: int) -> None:
    """Import ``BOOK`` and store its receipt where the application keeps receipts."""
    with unit_of_work(engine, organisation_id) as session:
        import_book(session, BOOK, None)
    with app.app_context():
        target = organisation_folder(organisation_id) / RECEIPT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(RECEIPT)


def balances(engine: Engine, organisation_id: int) -> dict[str, dict[str, Decimal]]:
    """Every account's balance per currency at the end of 2026, from the ledger's report."""
    with unit_of_work(engine, organisation_id) as session:
        report = trial_balance(session, date(2026, 12, 31))
        return {account: dict(units) for account, units in report.balances.items()}


def receipts(app: Flask, engine: Engine, organisation_id: int) -> dict[str, bytes]:
    """The bytes of every document the books point at, read from the instance folder."""
    with unit_of_work(engine, organisation_id) as session:
        paths = list(session.scalars(select(Document.path)))
    with app.app_context():
        folder = organisation_folder(organisation_id)
    return {path: (folder / path).read_bytes() for path in paths}


def folder_of(app: Flask, organisation_id: int) -> Path:
    with app.app_context():
        return organisation_folder(organisation_id)
