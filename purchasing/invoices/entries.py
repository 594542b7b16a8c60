"""The ledger entries of an invoice, credit note or payment, per side, as plain values.

Pure rules: given what a document says, which transactions each side posts. They are fixed as
JSON in the outbox when the document is issued, so a retry posts exactly the same entries.

Both sides recognise an invoice in the same periods: the months of the supply period up to the
invoice month on the invoice date, each later month on its first day, split by days with
``premiums.allocate`` (exact to the cent). What belongs to later months goes to a deferral
account first: the member's prepaid expenses (Vooruitbetaalde kosten), the bureau's amounts
invoiced in advance (Vooruitgefactureerde bedragen). The entry carries its release schedule;
the ledger stores it and a scheduled job posts each release when it falls due
(``ledger.releases``), never ahead of time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.releases import Deferral, NewRelease
from purchasing.invoices import accounts
from purchasing.money import from_cents
from purchasing.premiums import allocate
from purchasing.rating import Line

ZERO = from_cents(0)


@dataclass(frozen=True)
class Schedule:
    """What an entry deferred: the monthly releases from ``account`` into ``into``.

    Each release is ``(day, amount)`` with ``amount`` the posting on ``into`` (positive for a
    cost released, negative for an income).
    """

    account: str
    into: str
    narration: str
    releases: tuple[tuple[dt.date, Decimal], ...]
    not_before: dt.date | None = None  # a credit note's: what fell due before it, on its date

    def due_on(self, due: dt.date) -> dt.date:
        return due if self.not_before is None else max(due, self.not_before)

    def negated(self, narration: str, not_before: dt.date) -> Schedule:
        releases = tuple((due, -amount) for due, amount in self.releases)
        return Schedule(self.account, self.into, narration, releases, not_before)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "account": self.account,
            "into": self.into,
            "narration": self.narration,
            "releases": [[due.isoformat(), str(amount)] for due, amount in self.releases],
        }
        if self.not_before is not None:
            data["not_before"] = self.not_before.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        return cls(
            account=data["account"],
            into=data["into"],
            narration=data["narration"],
            releases=tuple(
                (date.fromisoformat(due), Decimal(amount)) for due, amount in data["releases"]
            ),
            not_before=date.fromisoformat(data["not_before"]) if "not_before" in data else None,
        )


@dataclass(frozen=True)
class Entry:
    """One transaction to post on one side; ``key`` makes posting it idempotent.

    ``schedule`` is what it deferred, to be released month by month; ``offsets`` names the
    entry whose schedule this one's undoes month by month (a credit note).
    """

    key: str
    date: dt.date
    narration: str
    postings: tuple[tuple[str, Decimal], ...]
    payee: str | None = None
    link: str | None = None
    schedule: Schedule | None = None
    offsets: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "date": self.date.isoformat(),
            "narration": self.narration,
            "payee": self.payee,
            "link": self.link,
            "postings": [[account, str(number)] for account, number in self.postings],
        }
        if self.schedule is not None:
            data["schedule"] = self.schedule.to_json()
        if self.offsets is not None:
            data["offsets"] = self.offsets
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        schedule = data.get("schedule")
        return cls(
            key=data["key"],
            date=date.fromisoformat(data["date"]),
            narration=data["narration"],
            payee=data.get("payee"),
            link=data.get("link"),
            postings=tuple((account, Decimal(number)) for account, number in data["postings"]),
            schedule=None if schedule is None else Schedule.from_json(schedule),
            offsets=data.get("offsets"),
        )

    def mirrored(self, key: str, on: dt.date, narration: str, link: str) -> Entry:
        """The opposite entry (a credit note's), dated no earlier than ``on``.

        Of an entry that deferred, the releases are mirrored too: those due before the credit
        note on its date, the later ones in their own months, where the ledger cancels each
        against the original's release while neither is posted (``ledger.releases``). So the
        books end as if neither document had been, whatever was released by then.
        """
        when = max(self.date, on)
        schedule = None
        if self.schedule is not None:
            schedule = self.schedule.negated(f"Vrijval teruggenomen: {narration}", when)
        return replace(
            self,
            key=key,
            date=when,
            narration=narration,
            link=link,
            postings=tuple((account, -number) for account, number in self.postings),
            schedule=schedule,
            offsets=self.key if schedule is not None else None,
        )

    def release_key(self, due: dt.date) -> str:
        return f"{self.key}:{due:%Y-%m}"

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

    def to_deferral(self, currency: str) -> Deferral | None:
        """The ledger's release schedule of this entry, or None when it deferred nothing."""
        if self.schedule is None:
            return None
        return Deferral(
            schedule=self.key,
            account=self.schedule.account,
            into=self.schedule.into,
            currency=currency,
            narration=self.schedule.narration,
            releases=tuple(
                NewRelease(self.release_key(due), self.schedule.due_on(due), amount)
                for due, amount in self.schedule.releases
            ),
            payee=self.payee,
            link=self.link,
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
    """Receivable from the member; income and VAT, or the insurer's premium and premium tax.

    The fee for later months is invoiced in advance: a liability until its month comes. VAT is
    due on the invoice date (it follows the invoice), premiums pass through to the insurer.
    """
    now, later = _split_by_month(facts.fee, facts)
    postings = _nonzero(
        (accounts.RECEIVABLE, facts.total),
        (accounts.FEE_INCOME, -now),
        (accounts.DEFERRED_INCOME, -sum((amount for _, amount in later), ZERO)),
        (accounts.VAT_PAYABLE, -facts.vat),
        (accounts.INSURER_PAYABLE, -facts.premium),
        (accounts.PREMIUM_TAX_PAYABLE, -facts.premium_tax),
    )
    schedule = _schedule(
        accounts.DEFERRED_INCOME,
        accounts.FEE_INCOME,
        f"Vrijval vooruitgefactureerd: factuur {facts.number}",
        [(day, -amount) for day, amount in later],
    )
    return [
        Entry(
            key("invoice", invoice_id, "bureau"),
            facts.issued_on,
            f"Factuur {facts.number}",
            postings,
            payee=facts.customer_name,
            link=facts.link,
            schedule=schedule,
        )
    ]


def member_invoice_entries(facts: InvoiceFacts, invoice_id: int) -> list[Entry]:
    """Payable to the bureau; the expense of the months so far, prepaid for later months."""
    expense, prepaid = _expense_accounts(facts.line)
    now, later = _split_by_month(facts.total, facts)
    schedule = _schedule(prepaid, expense, f"Vrijval vooruitbetaald: factuur {facts.number}", later)
    return [
        Entry(
            key("invoice", invoice_id, "member"),
            facts.issued_on,
            f"Factuur {facts.number} van {facts.supplier_name}",
            _nonzero(
                (expense, now),
                (prepaid, facts.total - now),
                (accounts.PAYABLE, -facts.total),
            ),
            payee=facts.supplier_name,
            link=facts.link,
            schedule=schedule,
        )
    ]


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


def folded(entries: Sequence[Entry]) -> list[Entry]:
    """Entries with releases written the old way folded into their entry's schedule.

    Outbox rows made before releases were scheduled list each monthly release as an entry of
    its own, dated ahead (``<key>:YYYY-MM``); posting them would put future-dated bookings in
    the journal. Folded, they are stored as a schedule and posted when due, under the same keys.
    """
    result: list[Entry] = []
    for entry in entries:
        parent = result[-1] if result else None
        month = _legacy_month(parent, entry)
        if parent is None or month is None:
            result.append(entry)
            continue
        (into, amount), (account, _) = entry.postings
        known = parent.schedule.releases if parent.schedule else ()
        schedule = Schedule(account, into, entry.narration, (*known, (month, amount)), parent.date)
        result[-1] = replace(parent, schedule=schedule)
    return result


def _legacy_month(parent: Entry | None, entry: Entry) -> dt.date | None:
    if parent is None or entry.schedule is not None or len(entry.postings) != 2:
        return None
    suffix = entry.key.removeprefix(parent.key + ":")
    if suffix == entry.key or len(suffix) != 7:
        return None
    try:
        return date.fromisoformat(f"{suffix}-01")
    except ValueError:
        return None


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


def _split_by_month(
    amount: Decimal, facts: InvoiceFacts
) -> tuple[Decimal, list[tuple[date, Decimal]]]:
    """What is recognised on the invoice date, and the later months' parts (nonzero)."""
    (_, now), *later = expense_schedule(
        amount, facts.issued_on, facts.supply_from, facts.supply_until
    )
    return now, [(day, part) for day, part in later if part]


def _schedule(
    account: str, into: str, narration: str, releases: list[tuple[date, Decimal]]
) -> Schedule | None:
    if not releases:
        return None
    return Schedule(account, into, narration, tuple(releases))


def _nonzero(*postings: tuple[str, Decimal]) -> tuple[tuple[str, Decimal], ...]:
    return tuple((account, number) for account, number in postings if number)


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)
