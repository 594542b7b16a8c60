"""The ledger's own types for Beancount directives: plain values the services take and return.

Beancount's types stay inside ``ledger.beans``; everything else speaks these. Numbers are
``Decimal`` and are never rounded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Amount:
    """A number of units of one currency (or other commodity)."""

    number: Decimal
    currency: str

    def __neg__(self) -> Amount:
        return Amount(-self.number, self.currency)


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account name used as a value (in ``custom`` directives), kept apart from plain text."""

    name: str


MetaValue = str | Decimal | date | bool | Amount | AccountRef | None
Meta = Mapping[str, MetaValue]


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one unit of a lot, with the lot's date and optional label."""

    number: Decimal
    currency: str
    date: date | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Lot:
    """Units of one commodity held at one cost in one account, open for reductions."""

    account: str
    units: Amount
    cost: Cost


@dataclass(frozen=True, slots=True)
class CostSpec:
    """A lot as written on a reduction: what is left out (all of it in ``{}``) booking finds.

    Posting resolves it against the account's open lots with Beancount's booking method; the
    stored posting then carries the matched ``Cost``.
    """

    number: Decimal | None = None
    currency: str | None = None
    date: date | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class NewPosting:
    """One leg of a transaction, with every number given (nothing is interpolated).

    ``cost`` is a full ``Cost`` once stored; a ``CostSpec`` only on the way in, before booking.
    """

    account: str
    units: Amount
    cost: Cost | CostSpec | None = None
    price: Amount | None = None
    flag: str | None = None
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewTransaction:
    """A transaction to post; ``source`` names where it came from (an import, a bank line)."""

    date: date
    narration: str
    postings: tuple[NewPosting, ...]
    payee: str | None = None
    flag: str = "*"
    tags: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    meta: Meta = field(default_factory=dict)
    source: str | None = None
    is_padding: bool = False


@dataclass(frozen=True, slots=True)
class OpenEntry:
    date: date
    account: str
    currencies: tuple[str, ...] = ()
    booking: str | None = None
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CloseEntry:
    date: date
    account: str
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommodityEntry:
    date: date
    currency: str
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PriceEntry:
    date: date
    currency: str
    amount: Amount
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BalanceEntry:
    date: date
    account: str
    amount: Amount
    tolerance: Decimal | None = None
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PadEntry:
    date: date
    account: str
    source_account: str
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoteEntry:
    date: date
    account: str
    comment: str
    tags: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventEntry:
    date: date
    type: str
    description: str
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CustomEntry:
    date: date
    type: str
    values: tuple[MetaValue, ...] = ()
    meta: Meta = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    date: date
    account: str
    filename: str
    tags: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    meta: Meta = field(default_factory=dict)


Directive = (
    NewTransaction
    | OpenEntry
    | CloseEntry
    | CommodityEntry
    | PriceEntry
    | BalanceEntry
    | PadEntry
    | NoteEntry
    | EventEntry
    | CustomEntry
    | DocumentEntry
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One error Beancount's full validation reports, with the line and text it points at."""

    kind: str
    message: str
    line: int | None = None
    date: date | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Book:
    """A whole ledger as plain values: the options that change meaning, and its directives."""

    options: Mapping[str, Any]
    directives: tuple[Directive, ...]
