# mypy: disable-error-code="no-untyped-call"
"""The one bridge to Beancount: our plain types in, Beancount's rules and text format out.

Like Fava's ``fava/beans``, this is the only module that imports Beancount, so the rest of the
ledger speaks ``ledger.entries`` and a Beancount upgrade touches one file.
"""

from __future__ import annotations

import copy
import datetime
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from operator import itemgetter
from typing import Any

from beancount import loader
from beancount.core import account as bc_account
from beancount.core import amount as bc_amount
from beancount.core import data, interpolate, inventory, position
from beancount.core.data import Booking
from beancount.core.number import MISSING
from beancount.ops import balance as bc_balance
from beancount.parser import booking, booking_full, printer
from beancount.parser import options as bc_options
from beancount.parser.grammar import ValueType

from ledger.entries import (
    AccountRef,
    Amount,
    BalanceEntry,
    Book,
    CloseEntry,
    CommodityEntry,
    Cost,
    CostSpec,
    CustomEntry,
    Directive,
    DocumentEntry,
    EventEntry,
    Finding,
    Lot,
    Meta,
    MetaValue,
    NewPosting,
    NewTransaction,
    NoteEntry,
    OpenEntry,
    PadEntry,
    PriceEntry,
)
from ledger.roots import rename_roots, root_renames
from ledger.transaction_text import (
    WrittenTransaction,
    escape_string,
    plain_meta_lines,
    transaction_text,
)

# Options that change what a ledger means; kept with the books and written back on export.
KEPT_OPTIONS = (
    "title",
    "operating_currency",
    "booking_method",
    "inferred_tolerance_default",
    "tolerance_multiplier",
    "infer_tolerance_from_cost",
)
PADDING_FLAG = "P"
_SOURCE = "<servicebureau>"


# -- rules --------------------------------------------------------------------------------------


def options_map(options: Mapping[str, Any]) -> dict[str, Any]:
    """Beancount's options map with our stored options (see ``plain_options``) applied."""
    result = copy.deepcopy(bc_options.OPTIONS_DEFAULTS)
    for name, value in options.items():
        if name == "booking_method":
            result[name] = Booking[value]
        elif name == "inferred_tolerance_default":
            result[name] = {currency: Decimal(tol) for currency, tol in value.items()}
        elif name == "tolerance_multiplier":
            result[name] = Decimal(value)
        else:
            result[name] = value
    return result


def plain_options(beancount_options: Mapping[str, Any]) -> dict[str, Any]:
    """The kept options as JSON-friendly values, defaults left out."""
    defaults = bc_options.OPTIONS_DEFAULTS
    result: dict[str, Any] = {}
    for name in KEPT_OPTIONS:
        value = beancount_options.get(name)
        if value == defaults.get(name):
            continue
        if isinstance(value, Booking):
            value = value.name
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dict):
            value = {currency: str(tol) for currency, tol in value.items()}
        result[name] = value
    return result


def unbalanced_residual(
    postings: Iterable[NewPosting], options: Mapping[str, Any]
) -> dict[str, Decimal]:
    """What is left over per currency beyond Beancount's inferred tolerance; empty if balanced."""
    bean_postings = [_posting(posting) for posting in postings]
    bc_map = options_map(options)
    residual = interpolate.compute_residual(bean_postings)
    tolerances = interpolate.infer_tolerances(bean_postings, bc_map)
    if residual.is_small(tolerances):
        return {}
    return {
        pos.units.currency: pos.units.number
        for pos in residual
        if abs(pos.units.number) > tolerances[pos.units.currency]
    }


def balance_tolerance(
    number: Decimal, tolerance: Decimal | None, options: Mapping[str, Any]
) -> Decimal:
    """How far a balance may be off from an assertion of ``number``, by Beancount's rule."""
    entry = data.Balance(
        {}, datetime.date.min, "Assets:X", _amount(Amount(number, "X")), tolerance, None
    )
    return Decimal(bc_balance.get_balance_tolerance(entry, options_map(options)))


def book_lots(
    transaction: NewTransaction,
    lots: Iterable[Lot],
    methods: Mapping[str, str | None],
    options: Mapping[str, Any],
) -> tuple[NewTransaction | None, list[tuple[str, str]]]:
    """Match the postings held at cost against open ``lots`` with Beancount's own booking.

    ``methods`` gives an account's booking method (None: the book's default). Returns the booked
    transaction (every cost complete, a reduction split per lot it takes from) or, when booking
    fails, None and ``(kind, Beancount's message)`` pairs; kind is ``ambiguous``, ``no_match``,
    ``insufficient`` or ``other``.
    """
    bc_map = options_map(options)
    default = bc_map["booking_method"]
    booking_methods: dict[str, Any] = defaultdict(lambda: default)
    booking_methods.update({name: Booking[m] for name, m in methods.items() if m})
    balances: dict[str, Any] = defaultdict(inventory.Inventory)
    for lot in lots:
        balances[lot.account].add_amount(_amount(lot.units), _cost(lot.cost))
    entry = _to_bean(transaction, 1)
    entry = entry._replace(
        postings=[
            p._replace(cost=_cost_spec(q.cost))
            for p, q in zip(entry.postings, transaction.postings, strict=True)
        ]
    )
    booked, errors = booking_full.book([entry], bc_map, booking_methods, balances)
    errors += booking.validate_missing_eliminated(booked, bc_map)
    if errors:
        return None, [(_booking_error_kind(e.message), str(e.message)) for e in errors]
    postings = tuple(_from_posting(p) for p in booked[0].postings)
    return replace(transaction, postings=postings), []


def _booking_error_kind(text: str) -> str:
    for prefix, kind in (
        ("Ambiguous", "ambiguous"),
        ("No position matches", "no_match"),
        ("Not enough lots", "insufficient"),
    ):
        if text.startswith(prefix):
            return kind
    return "other"


def _cost(cost: Cost) -> Any:
    return position.Cost(cost.number, cost.currency, cost.date, cost.label)  # type: ignore[arg-type]


def _cost_spec(cost: Cost | CostSpec | None) -> Any:
    if cost is None:
        return None
    return position.CostSpec(
        cost.number if cost.number is not None else MISSING,  # type: ignore[arg-type]
        None,
        cost.currency or MISSING,  # type: ignore[arg-type]
        cost.date,
        cost.label,
        False,
    )


# -- reading ------------------------------------------------------------------------------------


def parse_book(text: str) -> tuple[Book | None, list[str]]:
    """Load Beancount text with all its checks; the book, or None and Beancount's messages."""
    return _book(*loader.load_string(text))


def parse_book_file(path: str) -> tuple[Book | None, list[str]]:
    """Load a Beancount file by its path, so that its ``include`` directives are followed."""
    return _book(*loader.load_file(path))


def _book(entries: Any, errors: Any, bc_map: Any) -> tuple[Book | None, list[str]]:
    """Our book from Beancount's load, its accounts under our roots (see ``ledger.roots``)."""
    if errors:
        return None, [_error_text(error) for error in errors]
    directives = tuple(d for d in (_from_bean(entry) for entry in entries) if d is not None)
    directives = rename_roots(directives, root_renames(bc_map))
    return Book(options=plain_options(bc_map), directives=directives), []


def validate_text(text: str) -> tuple[int, list[Finding]]:
    """Run Beancount's full loader (booking, plugins, every validation) over ``text``.

    Returns how many directives it loaded and what it found, as data: nothing raises midway.
    """
    entries, errors, _options = loader.load_string(text)
    return len(entries), [_finding(error) for error in errors]


def _finding(error: Any) -> Finding:
    entry = getattr(error, "entry", None)
    source = ""
    if entry is not None and hasattr(entry, "meta"):
        try:
            source = printer.format_entry(entry)
        except Exception:  # an entry too broken to print still leaves its message
            source = ""
    return Finding(
        kind=type(error).__name__,
        message=str(error.message),
        line=(error.source or {}).get("lineno"),
        date=getattr(entry, "date", None),
        source=source[:4000],
    )


def _error_text(error: Any) -> str:
    source = error.source or {}
    line = source.get("lineno")
    filename = str(source.get("filename") or "")
    where = f"{filename.rsplit('/', 1)[-1]}, " if filename and not filename.startswith("<") else ""
    return f"{where}regel {line}: {error.message}" if line else str(error.message)


def _from_bean(entry: Any) -> Directive | None:
    meta = _meta(entry.meta)
    match entry:
        case data.Transaction():
            return NewTransaction(
                date=entry.date,
                narration=entry.narration or "",
                payee=entry.payee,
                flag=entry.flag or "*",
                tags=frozenset(entry.tags or ()),
                links=frozenset(entry.links or ()),
                meta=meta,
                postings=tuple(_from_posting(p) for p in entry.postings),
                is_padding=entry.flag == PADDING_FLAG
                and (entry.narration or "").startswith("(Padding inserted"),
            )
        case data.Open():
            booking = entry.booking.name if entry.booking else None
            return OpenEntry(
                entry.date, entry.account, tuple(entry.currencies or ()), booking, meta
            )
        case data.Close():
            return CloseEntry(entry.date, entry.account, meta)
        case data.Commodity():
            return CommodityEntry(entry.date, entry.currency, meta)
        case data.Price():
            return PriceEntry(entry.date, entry.currency, _our_amount(entry.amount), meta)
        case data.Balance():
            amount = _our_amount(entry.amount)
            return BalanceEntry(entry.date, entry.account, amount, entry.tolerance, meta)
        case data.Pad():
            return PadEntry(entry.date, entry.account, entry.source_account, meta)
        case data.Note():
            return NoteEntry(
                entry.date,
                entry.account,
                entry.comment,
                frozenset(entry.tags or ()),
                frozenset(entry.links or ()),
                meta,
            )
        case data.Event():
            return EventEntry(entry.date, entry.type, entry.description, meta)
        case data.Custom():
            values = tuple(_from_custom_value(v) for v in entry.values)
            return CustomEntry(entry.date, entry.type, values, meta)
        case data.Document():
            return DocumentEntry(
                entry.date,
                entry.account,
                entry.filename,
                frozenset(entry.tags or ()),
                frozenset(entry.links or ()),
                meta,
            )
    return None  # Query directives: not part of the books


def _from_posting(posting: Any) -> NewPosting:
    cost = posting.cost
    return NewPosting(
        account=posting.account,
        units=_our_amount(posting.units),
        cost=Cost(cost.number, cost.currency, cost.date, cost.label) if cost else None,
        price=_our_amount(posting.price) if posting.price else None,
        flag=posting.flag,
        meta=_meta(posting.meta),
    )


def _from_custom_value(value: Any) -> MetaValue:
    if value.dtype == bc_account.TYPE:
        return AccountRef(value.value)
    return _our_value(value.value)


def _meta(meta: Mapping[str, Any] | None) -> dict[str, MetaValue]:
    return {
        key: _our_value(value)
        for key, value in (meta or {}).items()
        if key not in ("filename", "lineno") and not key.startswith("__")
    }


def _our_value(value: Any) -> MetaValue:
    if isinstance(value, bc_amount.Amount):
        return _our_amount(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value  # type: ignore[no-any-return]


def _our_amount(value: Any) -> Amount:
    return Amount(value.number, value.currency)


# -- writing ------------------------------------------------------------------------------------


def render_book(book: Book) -> str:
    """The book as Beancount text; every string is escaped, so no user text can add a line."""
    return render_header(book.options) + "".join(render_entries(book.directives, ()))


def render_header(options: Mapping[str, Any]) -> str:
    """The ``option`` lines (the title first) and the blank line after them."""
    lines = ['option "title" "{}"'.format(escape_string(str(options.get("title", ""))))]
    lines += _option_lines(options)
    return "\n".join(lines) + "\n\n"


def render_entries(
    directives: Iterable[Directive], transactions: Iterable[Directive | WrittenTransaction]
) -> Iterator[str]:
    """Each directive as Beancount text, in Beancount's order, a blank line between them.

    ``directives`` (accounts, balances, prices: few) are sorted here; ``transactions`` must come
    in date order and are converted one at a time as they are read (or come written already,
    ``ledger.export_rows``), so a long history is never held in memory whole.
    """
    fixed = data.sorted([_to_bean(d, lineno) for lineno, d in enumerate(directives, 1)])
    first = len(fixed) + 1
    keyed = ((data.entry_sortkey(entry), entry) for entry in fixed)
    # A transaction sorts as Beancount sorts it: (date, 0, line number), after opens and
    # balances of its day, before documents and closes.
    streamed = (((t.date, 0, n), t) for n, t in enumerate(transactions, first))
    render = printer.EntryPrinter()  # what format_entry makes for every entry, made once
    separator = ""
    for _key, item in heapq.merge(keyed, streamed, key=itemgetter(0)):
        if isinstance(item, WrittenTransaction):
            text = item.text
        elif isinstance(item, NewTransaction):
            text = _plain_transaction(item, render.dformat) or render(_to_bean(item, 0))
        else:
            text = render(item)
        yield separator + text
        separator = "\n"


def _plain_transaction(transaction: NewTransaction, dformat: Any) -> str | None:
    """``transaction_text`` of a transaction without costs, prices or posting metadata (nearly
    every one); None for any other transaction, which the printer then writes."""
    postings = transaction.postings
    if any(p.cost is not None or p.price is not None or p.meta for p in postings):
        return None
    meta = plain_meta_lines(transaction.meta)
    if meta is None:
        return None
    return transaction_text(
        transaction.date,
        transaction.flag,
        transaction.payee,
        transaction.narration,
        transaction.tags,
        transaction.links,
        meta,
        [
            (p.account, p.flag, dformat.format(p.units.number, p.units.currency), p.units.currency)
            for p in postings
        ],
    )


def _option_lines(options: Mapping[str, Any]) -> list[str]:
    lines = []
    for currency in options.get("operating_currency", ()):
        lines.append(f'option "operating_currency" "{escape_string(currency)}"')
    if "booking_method" in options:
        lines.append(f'option "booking_method" "{options["booking_method"]}"')
    for currency, tolerance in options.get("inferred_tolerance_default", {}).items():
        lines.append(f'option "inferred_tolerance_default" "{currency}:{tolerance}"')
    if "tolerance_multiplier" in options:
        lines.append(f'option "tolerance_multiplier" "{options["tolerance_multiplier"]}"')
    if options.get("infer_tolerance_from_cost"):
        lines.append('option "infer_tolerance_from_cost" "TRUE"')
    return lines


def _to_bean(directive: Directive, lineno: int) -> Any:
    meta = _bean_meta(directive.meta, lineno)
    match directive:
        case NewTransaction():
            postings = [_posting(p) for p in directive.postings]
            return data.Transaction(
                meta,
                directive.date,
                directive.flag,
                directive.payee,
                directive.narration,
                frozenset(directive.tags),
                frozenset(directive.links),
                postings,
            )
        case OpenEntry():
            booking = Booking[directive.booking] if directive.booking else None
            currencies = list(directive.currencies) or None
            return data.Open(meta, directive.date, directive.account, currencies, booking)  # type: ignore[arg-type]
        case CloseEntry():
            return data.Close(meta, directive.date, directive.account)
        case CommodityEntry():
            return data.Commodity(meta, directive.date, directive.currency)
        case PriceEntry():
            return data.Price(meta, directive.date, directive.currency, _amount(directive.amount))
        case BalanceEntry():
            amount = _amount(directive.amount)
            return data.Balance(
                meta, directive.date, directive.account, amount, directive.tolerance, None
            )
        case PadEntry():
            return data.Pad(meta, directive.date, directive.account, directive.source_account)
        case NoteEntry():
            return data.Note(
                meta,
                directive.date,
                directive.account,
                escape_string(directive.comment),  # the printer does not escape notes
                frozenset(directive.tags),
                frozenset(directive.links),
            )
        case EventEntry():
            return data.Event(
                meta,
                directive.date,
                escape_string(directive.type),
                escape_string(directive.description),
            )
        case CustomEntry():
            values = [_custom_value(v) for v in directive.values]
            return data.Custom(meta, directive.date, escape_string(directive.type), values)
        case DocumentEntry():
            return data.Document(
                meta,
                directive.date,
                directive.account,
                escape_string(directive.filename),
                frozenset(directive.tags),
                frozenset(directive.links),
            )
    raise TypeError(f"not a directive: {directive!r}")


def _posting(posting: NewPosting) -> Any:
    cost = posting.cost
    return data.Posting(
        posting.account,
        _amount(posting.units),
        _cost(cost) if isinstance(cost, Cost) else _cost_spec(cost),
        _amount(posting.price) if posting.price else None,
        posting.flag,
        _bean_meta(posting.meta, None) if posting.meta else None,
    )


def _custom_value(value: MetaValue) -> Any:
    if isinstance(value, AccountRef):
        return ValueType(value.name, bc_account.TYPE)  # type: ignore[arg-type]
    bean_value = _bean_value(value)
    if isinstance(bean_value, str):
        bean_value = escape_string(bean_value)  # the printer does not escape custom values
    return ValueType(bean_value, type(bean_value))


def _bean_meta(meta: Meta, lineno: int | None) -> dict[str, Any]:
    result: dict[str, Any] = {"filename": _SOURCE, "lineno": lineno or 0}
    result.update({key: _bean_value(value) for key, value in meta.items()})
    return result


def _bean_value(value: MetaValue) -> Any:
    if isinstance(value, Amount):
        return _amount(value)
    if isinstance(value, AccountRef):
        return value.name
    return value


def _amount(value: Amount) -> Any:
    return bc_amount.Amount(value.number, value.currency)
