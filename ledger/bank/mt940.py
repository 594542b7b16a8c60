"""SWIFT MT940 statements as Dutch banks export them, read with the ``mt-940`` package.

The package reads the tags (:25:, :60F:, :61:, :86:, :62F:); the Dutch structured codes inside
:86: (``/EREF/``, ``/REMI/``, ``/IBAN/``, ``/NAME/``, ``/CNTP/``...) are split here
(``ledger.bank.details``), because the package only knows the German ``?20`` style.

De Volksbank (SNS, ASN Bank, RegioBank) writes its own dialect: the counterparty's IBAN is the
:61: customer reference (longer than SWIFT's 16 characters), its name on the line below, and
:86: repeats both before the free text. The package's ``StatementASNB`` reads that :61:.
A file may wrap each statement in SWIFT blocks (``{1:...}{2:...}{4:`` ... ``-}{5:}``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import mt940
from mt940.tags import StatementASNB, Tag

from ledger.bank.details import split_details, unwrapped
from ledger.bank.statement import (
    Progress,
    Statement,
    StatementBalance,
    StatementLine,
    StatementRefused,
    checked_amount,
    with_identities,
)
from ledger.errors import message

STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)
ACCOUNT = re.compile(r"([A-Z]{2}\d{2}[A-Z0-9]{10,30}?)([A-Z]{3})?$")
NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED"})
ACCOUNT_TAG = re.compile(r"^:25:\s*([A-Z]{2}\d{2}([A-Z]{4})\S*)", re.MULTILINE)
# The bank codes in the IBANs of de Volksbank's brands: SNS, ASN Bank, RegioBank.
VOLKSBANK = frozenset({"SNSB", "ASNB", "RBRB"})
IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
CREDITOR_REFERENCE = re.compile(r"RF\d{2}[A-Z0-9]{1,21}")


def is_mt940(text: str) -> bool:
    head = text[:2000]
    return ":20:" in head and ":25:" in head and (":60F:" in head or ":60M:" in head)


def parse_mt940(text: str, on_progress: Progress | None = None) -> list[Statement]:
    """Every statement in an MT940 file (a file may hold one per day or per account)."""
    starts = [match.start() for match in STATEMENT_START.finditer(text)]
    if not starts:
        raise StatementRefused(message("Het bestand is geen MT940-afschrift."))
    chunks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    statements = []
    for number, chunk in enumerate(chunks, start=1):
        statements.append(_statement(chunk))
        if on_progress is not None:  # a file holds a statement a day: report each
            on_progress("parse", number, len(chunks))
    return statements


def is_volksbank(chunk: str) -> bool:
    """The statement is for an account at de Volksbank, which writes its own :61: dialect."""
    found = ACCOUNT_TAG.search(chunk)
    return found is not None and found.group(2) in VOLKSBANK


def _statement(chunk: str) -> Statement:
    volksbank = is_volksbank(chunk)
    tags: dict[int | str, Tag] | None = {StatementASNB.id: StatementASNB()} if volksbank else None
    transactions = mt940.models.Transactions(tags=tags)
    try:
        transactions.parse(chunk)
    except Exception as error:  # the package raises many types for broken input
        raise StatementRefused(
            message("Het MT940-afschrift is onleesbaar: %(reason)s."), reason=str(error)[:200]
        ) from error
    data = transactions.data
    iban, currency = _account(str(data.get("account_identification") or ""))
    opening = _balance(data.get("final_opening_balance"), ":60F:")
    closing = _balance(data.get("final_closing_balance"), ":62F:")
    read = _volksbank_line if volksbank else _line
    lines = tuple(read(transaction.data) for transaction in transactions)
    return Statement(
        iban=iban,
        currency=currency or opening.currency,
        lines=with_identities(lines),
        opening=opening,
        closing=closing,
        reference=str(data.get("transaction_reference") or ""),
    )


def _account(identification: str) -> tuple[str, str]:
    compact = identification.replace(" ", "").upper()
    match = ACCOUNT.fullmatch(compact)
    if match is None:
        raise StatementRefused(
            message("Het afschrift noemt geen IBAN maar %(account)s."), account=compact[:40]
        )
    return match.group(1), match.group(2) or ""


def _balance(balance: Any, tag: str) -> StatementBalance:
    if balance is None:
        raise StatementRefused(
            message("Het MT940-afschrift is onvolledig: %(tag)s ontbreekt."), tag=tag
        )
    amount = balance.amount
    number = checked_amount(Decimal(amount.amount), str(amount.amount))
    return StatementBalance(_plain(balance.date), number, amount.currency)


def _plain(day: date) -> date:
    """The package's own date subclass as a plain ``date``."""
    return date(day.year, day.month, day.day)


def _line(data: dict[str, Any]) -> StatementLine:
    details = split_details(str(data.get("transaction_details") or ""))
    reference = str(data.get("bank_reference") or "")
    # Rabobank's older export names the counterparty's IBAN on the line below the :61: only.
    extra = str(data.get("extra_details") or "").replace(" ", "").upper()
    return StatementLine(
        date=_plain(data.get("entry_date") or data["date"]),
        value_date=_plain(data["date"]),
        amount=checked_amount(Decimal(data["amount"].amount), str(data["amount"].amount)),
        currency=str(data.get("currency") or "EUR"),
        description=details.description,
        counterparty_name=details.name,
        counterparty_iban=details.iban or (extra if IBAN.fullmatch(extra) else ""),
        bank_reference="" if reference.upper() in NO_REFERENCE else reference,
        end_to_end_id=details.end_to_end_id,
        payment_reference=details.payment_reference,
        return_reason=details.return_reason,
    )


def _volksbank_line(data: dict[str, Any]) -> StatementLine:
    """A line of de Volksbank: IBAN in the customer reference, the name on the line below it,
    and :86: starting with the two again before the free text."""
    plain = _line(data)
    reference = str(data.get("customer_reference") or "").strip().upper()
    iban = reference if IBAN.fullmatch(reference) else ""
    name = str(data.get("extra_details") or "").strip()
    text = str(data.get("transaction_details") or "").strip("\n")
    first, _, rest = text.partition("\n")
    if not first.strip() or (iban and first.replace(" ", "").upper().startswith(iban)):
        text = rest  # the first line repeats the counterparty, or is empty
    description = " ".join(unwrapped(text).split())
    return replace(
        plain,
        counterparty_iban=iban,
        counterparty_name=name,
        description=description,
        bank_reference="",
        payment_reference=_leading_reference(description),
    )


def _leading_reference(description: str) -> str:
    """De Volksbank puts a structured creditor reference (``RF..``) first in the free text."""
    first = description.split(" ", 1)[0]
    return first if CREDITOR_REFERENCE.fullmatch(first) else ""
