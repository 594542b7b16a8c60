"""Tables of one organisation's books; importing this package registers them all."""

from __future__ import annotations

from ledger.models.accounts import Account
from ledger.models.books import AccountingPeriod, AuditEntry, BalanceBucket, BookOption
from ledger.models.budgets import Budget
from ledger.models.commodities import Commodity, Price
from ledger.models.directives import BalanceAssertion, Custom, Event, Note, Pad
from ledger.models.documents import Document
from ledger.models.lots import OpenLot
from ledger.models.releases import Release
from ledger.models.transactions import Posting, Transaction
from ledger.models.validation import ValidationFinding, ValidationRun

__all__ = [
    "Account",
    "AccountingPeriod",
    "AuditEntry",
    "BalanceAssertion",
    "BalanceBucket",
    "BookOption",
    "Budget",
    "Commodity",
    "Custom",
    "Document",
    "Event",
    "Note",
    "OpenLot",
    "Pad",
    "Posting",
    "Price",
    "Release",
    "Transaction",
    "ValidationFinding",
    "ValidationRun",
]
