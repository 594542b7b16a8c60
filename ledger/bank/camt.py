"""ISO 20022 CAMT.053 bank-to-customer statements (camt.053.001.02 and later versions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

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
from ledger.bank.xml import parse_untrusted
from ledger.errors import message

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODES = ("CLBD",)


def is_camt(data: bytes) -> bool:
    head = data[:2000]
    return b"camt.053" in head and b"<" in head


def parse_camt(data: bytes, on_progress: Progress | None = None) -> list[Statement]:
    """Every statement in a CAMT.053 document; refuses other documents and malformed amounts."""
    root = parse_untrusted(data)
    namespace = etree.QName(root).namespace or ""
    if not namespace.startswith(NAMESPACE_PREFIX):
        raise StatementRefused(message("Het bestand is geen CAMT.053-afschrift."))
    _drop_namespace(root)
    statements = root.findall("BkToCstmrStmt/Stmt")
    if not statements:
        raise StatementRefused(message("Het bestand bevat geen afschrift."))
    total = sum(1 for _ in root.iterfind("BkToCstmrStmt/Stmt/Ntry"))
    counter = _Counter(on_progress, total)
    return [_statement(element, counter) for element in statements]


class _Counter:
    """Counts the entries read, for the progress of a long file."""

    def __init__(self, on_progress: Progress | None, total: int) -> None:
        self.on_progress, self.total, self.done = on_progress, total, 0

    def add(self) -> None:
        self.done += 1
        report(self.on_progress, "parse", self.done, self.total)


def _drop_namespace(root: etree._Element) -> None:
    """Plain tag names: every camt.053 version reads alike, and lookups are much faster."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]


def _statement(element: etree._Element, counter: _Counter) -> Statement:
    iban = _text(element, "Acct/Id/IBAN").replace(" ", "").upper()
    if not iban:
        raise StatementRefused(message("Het afschrift noemt geen IBAN."))
    lines = []
    for entry in element.iterfind("Ntry"):
        counter.add()
        lines.append(_line(entry))
    balances = {code: _balance(b) for b in element.iterfind("Bal") for code in [_code(b)]}
    currency = _text(element, "Acct/Ccy") or (lines[0].currency if lines else "EUR")
    opening = next((balances[c] for c in OPENING_CODES if c in balances), None)
    closing = next((balances[c] for c in CLOSING_CODES if c in balances), None)
    return Statement(
        iban=iban,
        currency=currency,
        lines=with_identities(tuple(lines)),
        opening=opening,
        closing=closing,
        reference=_text(element, "Id"),
    )


def _line(entry: etree._Element) -> StatementLine:
    details = entry.findall("NtryDtls/TxDtls")
    detail = details[0] if len(details) == 1 else None
    amount = _signed(entry)
    is_credit = amount > 0
    party = "Dbtr" if is_credit else "Cdtr"
    description = " ".join(
        part
        for part in (
            *(_texts(detail, "RmtInf/Ustrd") if detail is not None else ()),
            _text(detail, "AddtlTxInf") if detail is not None else "",
            _text(entry, "AddtlNtryInf") if detail is None or not details else "",
        )
        if part
    )
    if len(details) > 1:
        description = description or f"Batch: {len(details)} transacties"
    pending = not _is_booked(entry)
    return StatementLine(
        date=_entry_date(entry, pending),
        value_date=_optional_date(entry, "ValDt"),
        amount=amount,
        currency=entry.find("Amt").get("Ccy", "EUR"),  # type: ignore[union-attr]
        description=" ".join(description.split()),
        counterparty_name=_party_name(detail, party),
        counterparty_iban=_text(detail, f"RltdPties/{party}Acct/Id/IBAN"),
        bank_reference=_text(entry, "AcctSvcrRef") or _text(detail, "Refs/AcctSvcrRef"),
        end_to_end_id=_reference(_text(detail, "Refs/EndToEndId")),
        payment_reference=_text(detail, "RmtInf/Strd/CdtrRefInf/Ref"),
        return_reason=_text(detail, "RtrInf/Rsn/Cd"),
        is_pending=pending,
    )


def _entry_date(entry: etree._Element, pending: bool) -> date:
    """The booking date; a pending entry may have only the day it is expected, its value date."""
    if pending:
        return _optional_date(entry, "BookgDt") or _date(entry, "ValDt")
    return _date(entry, "BookgDt")


def _is_booked(entry: etree._Element) -> bool:
    """Booked entries count; pending (PDNG) and informative (INFO) ones may still change or
    disappear, so they are kept apart until the bank books them."""
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts") or "BOOK"
    return status == "BOOK"


def _party_name(detail: etree._Element | None, party: str) -> str:
    """The counterparty's name: ``Dbtr/Nm`` up to version 07, ``Dbtr/Pty/Nm`` from 08 on."""
    return _text(detail, f"RltdPties/{party}/Nm") or _text(detail, f"RltdPties/{party}/Pty/Nm")


def _reference(value: str) -> str:
    return "" if value.upper() in ("NOTPROVIDED", "NONREF") else value


def _code(balance: etree._Element) -> str:
    return _text(balance, "Tp/CdOrPrtry/Cd") or _text(balance, "Tp/CdOrPrtry/Prtry")


def _balance(balance: etree._Element) -> StatementBalance:
    amount = _amount(balance)
    sign = -1 if _text(balance, "CdtDbtInd") == "DBIT" else 1
    currency = balance.find("Amt").get("Ccy", "EUR")  # type: ignore[union-attr]
    return StatementBalance(_date(balance, "Dt"), sign * amount, currency)


def _signed(entry: etree._Element) -> Decimal:
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementRefused(message("Een afschriftregel mist bij of af (CdtDbtInd)."))
    amount = _amount(entry)
    return amount if indicator == "CRDT" else -amount


def _amount(element: etree._Element) -> Decimal:
    text = _text(element, "Amt")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise StatementRefused(message("Ongeldig bedrag: %(amount)s."), amount=text[:40]) from error
    if amount < 0:
        raise StatementRefused(message("Ongeldig bedrag: %(amount)s."), amount=text[:40])
    return checked_amount(amount, text)


def _date(element: etree._Element, path: str) -> date:
    found = _optional_date(element, path)
    if found is None:
        raise StatementRefused(message("Een afschriftregel mist een datum."))
    return found


def _optional_date(element: etree._Element, path: str) -> date | None:
    text = _text(element, f"{path}/Dt") or _text(element, f"{path}/DtTm")[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise StatementRefused(message("Ongeldige datum: %(date)s."), date=text[:20]) from error


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _texts(element: etree._Element, path: str) -> list[str]:
    return [(found.text or "").strip() for found in element.iterfind(path)]
