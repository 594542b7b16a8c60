"""The ledger entries of an invoice, credit note or payment, per side, as plain values.

Pure rules: given what a document says, which transactions each side posts. They are fixed as
JSON in the outbox when the document is issued, so a retry posts exactly the same entries.
A member's expense for months after the invoice month goes to prepaid first and is released
on the first day of each later month (the amount split by days with ``premiums.allocate``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.entries import Amount, NewPosting, NewTransaction
from purchasing.invoices import accounts
from purchasing.money import from_cents
from purchasing.premiums import allocate
from purchasing.rating import Line

ZERO = from_cents(0)


@dataclass(frozen=True)
class Entry:
    """One transaction to post on one side; ``key`` makes posting it idempotent."""

    key: str
    date: dt.date
    narration: str
    postings: tuple[tuple[str, Decimal], ...]
    payee: str | None = None
    link: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "date": self.date.isoformat(),
            "narration": self.narration,
            "payee": self.payee,
            "link": self.link,
            "postings": [[account, str(number)] for account, number in self.postings],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(
            key=data["key"],
            date=date.fromisoformat(data["date"]),
            narration=data["narration"],
            payee=data.get("payee"),
            link=data.get("link"),
            postings=tuple((account, Decimal(number)) for account, number in data["postings"]),
        )

    def mirrored(self, key: str, on: dt.date, narration: str, link: str) -> Entry:
        """The opposite entry (a credit note's), dated no earlier than ``on``."""
        postings = tuple((account, -number) for account, number in self.postings)
        return replace(
            self,
            key=key,
            date=max(self.date, on),
            narration=narration,
            link=link,
            postings=postings,
        )

    def to_transaction(self, currency: str) -> NewTransaction:
        return NewTransaction(
            date=self.date,
            narration=self.narration,
            payee=self.payee,
            postings=tuple(
                NewPosting(account, Amount(number, currency)) for account, number in self.postings
            ),
            links=frozenset({self.link} if self.link else ()),
            source=self.key,
        )


@dataclass(frozen=True)
class InvoiceFacts:
    """What the bookings of an invoice depend on; amounts signed (negative on a credit note)."""

    number: str
    issued_on: date
    supply_from: date
    supply_until: date
    supplier_name: str
    customer_name: str
    line: Line | None  # the insurance line of a premium invoice; None for a membership fee
    fee: Decimal = ZERO
    vat: Decimal = ZERO
    premium: Decimal = ZERO  # net premium and the insurer's costs
    premium_tax: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.fee + self.vat + self.premium + self.premium_tax

    @property
    def link(self) -> str:
        return f"factuur-{self.number}"


def key(document: str, document_id: int, side: str, suffix: str = "") -> str:
    """A booking key: the ledger refuses a second transaction with the same one."""
    return f"booking:{document}:{document_id}:{side}" + (f":{suffix}" if suffix else "")


def bureau_invoice_entries(facts: InvoiceFacts, invoice_id: int) -> list[Entry]:
    """Receivable from the member; income and VAT, or the insurer's premium and premium tax."""
    postings = _nonzero(
        (accounts.RECEIVABLE, facts.total),
        (accounts.FEE_INCOME, -facts.fee),
        (accounts.VAT_PAYABLE, -facts.vat),
        (accounts.INSURER_PAYABLE, -facts.premium),
        (accounts.PREMIUM_TAX_PAYABLE, -facts.premium_tax),
    )
    narration = f"Factuur {facts.number}"
    return [
        Entry(
            key("invoice", invoice_id, "bureau"),
            facts.issued_on,
            narration,
            postings,
            payee=facts.customer_name,
            link=facts.link,
        )
    ]


def member_invoice_entries(facts: InvoiceFacts, invoice_id: int) -> list[Entry]:
    """Payable to the bureau; the expense of the months so far, prepaid for later months."""
    expense, prepaid = _expense_accounts(facts.line)
    schedule = expense_schedule(facts.total, facts.issued_on, facts.supply_from, facts.supply_until)
    now, *later = schedule
    narration = f"Factuur {facts.number} van {facts.supplier_name}"
    first = Entry(
        key("invoice", invoice_id, "member"),
        facts.issued_on,
        narration,
        _nonzero(
            (expense, now[1]),
            (prepaid, facts.total - now[1]),
            (accounts.PAYABLE, -facts.total),
        ),
        payee=facts.supplier_name,
        link=facts.link,
    )
    releases = [
        Entry(
            key("invoice", invoice_id, "member", day.strftime("%Y-%m")),
            day,
            f"Vrijval vooruitbetaald: factuur {facts.number}",
            ((expense, amount), (prepaid, -amount)),
            payee=facts.supplier_name,
            link=facts.link,
        )
        for day, amount in later
        if amount
    ]
    return [first, *releases]


def expense_schedule(
    total: Decimal, issued_on: date, supply_from: date, supply_until: date
) -> list[tuple[date, Decimal]]:
    """When the member's expense falls: first the days up to the end of the invoice month
    (dated the invoice date), then each later month on its first day; split by days, exact."""
    month_end = _month_end(issued_on)
    parts: dict[date, int] = {issued_on: 0}
    day = supply_from
    while day <= supply_until:
        when = issued_on if day <= month_end else day.replace(day=1)
        parts[when] = parts.get(when, 0) + 1
        day += timedelta(days=1)
    shares = allocate(total, {when.isoformat(): Decimal(days) for when, days in parts.items()})
    return [(date.fromisoformat(when), amount) for when, amount in sorted(shares.items())]


def payment_entries(
    payment_key: str,
    side: str,
    amount: Decimal,
    paid_on: date,
    facts: InvoiceFacts,
    note: str,
    method: str = "bank_transfer",
) -> Entry:
    """Bank against receivable (bureau) or payable against bank (member); a return is negative.

    The bureau books a Stripe payment to Stripe's balance (``accounts.STRIPE_CLEARING``), which
    Stripe's payout to the bank later clears; the member paid from its own bank either way.
    """
    if side == "bureau":
        received = accounts.bureau_account_for(method)
        postings = ((received, amount), (accounts.RECEIVABLE, -amount))
        payee = facts.customer_name
    else:
        postings = ((accounts.PAYABLE, amount), (accounts.MEMBER_BANK, -amount))
        payee = facts.supplier_name
    return Entry(
        payment_key, paid_on, f"{note} factuur {facts.number}", postings, payee, facts.link
    )


def _expense_accounts(line: Line | None) -> tuple[str, str]:
    if line is None:
        return accounts.FEE_EXPENSE, accounts.PREPAID_FEES
    return accounts.INSURANCE_EXPENSE[line], accounts.PREPAID_INSURANCE


def _nonzero(*postings: tuple[str, Decimal]) -> tuple[tuple[str, Decimal], ...]:
    return tuple((account, number) for account, number in postings if number)


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)
