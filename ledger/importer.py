"""Load a whole Beancount file into an organisation's books, in one transaction.

Beancount checks the file first; a file with errors is refused with Beancount's messages and
nothing changes. The books must hold no entries yet: an untouched default chart is replaced by
the file's accounts. Rows are written in bulk, and the balance buckets and the differences of
the balance assertions are computed on the way, exactly as the posting service keeps them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.orm import Session

from ledger import beans
from ledger.audit import record_change
from ledger.balances import Effect, apply_effects
from ledger.entries import (
    AccountRef,
    BalanceEntry,
    Book,
    CloseEntry,
    CommodityEntry,
    CustomEntry,
    DocumentEntry,
    EventEntry,
    NewTransaction,
    NoteEntry,
    OpenEntry,
    PadEntry,
    PriceEntry,
)
from ledger.errors import ImportRefused, message
from ledger.export import DOCUMENT_TYPE, LABEL_KEYS
from ledger.lots import rebuild_lots
from ledger.meta import encode_meta, encode_values
from ledger.models import (
    Account,
    BalanceAssertion,
    Commodity,
    Custom,
    Document,
    Event,
    Note,
    Pad,
    Posting,
    Price,
    Transaction,
)
from ledger.options import replace_book_options
from ledger.rows import posting_row, transaction_row

ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")


@dataclass
class ImportSummary:
    """How many of each kind of directive went in."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def import_book(
    session: Session, text: str, actor_id: int | None, *, source: str = ""
) -> ImportSummary:
    """Check ``text`` with Beancount and load it in the caller's transaction, or raise
    ``ImportRefused``."""
    return _import(session, beans.parse_book(text), actor_id, source)


def import_book_file(
    session: Session, path: Path, actor_id: int | None, *, source: str = ""
) -> ImportSummary:
    """Like ``import_book``, from a file on disk: its ``include`` directives are followed
    (relative to the file), which Beancount cannot do for text without a place."""
    return _import(session, beans.parse_book_file(str(path)), actor_id, source or path.name)


def _import(
    session: Session, parsed: tuple[Book | None, list[str]], actor_id: int | None, source: str
) -> ImportSummary:
    book, problems = parsed
    if book is None:
        raise ImportRefused(
            message("Het bestand bevat fouten: %(first)s."),
            problems=tuple(problems),
            first=problems[0],
        )
    _require_empty(session)
    summary = _load(session, book, source)
    record_change(
        session, actor_id, "import", "book", None, after={"source": source, **summary.counts}
    )
    return summary


def _require_empty(session: Session) -> None:
    for table in (Transaction, BalanceAssertion, Note, Pad, Price, Document):
        if session.scalar(select(exists().select_from(table))):
            raise ImportRefused(message("Importeren kan alleen in lege boeken."))
    session.execute(delete(Account))


def _load(session: Session, book: Book, source: str) -> ImportSummary:
    summary = ImportSummary()
    replace_book_options(session, book.options)
    accounts = _insert_accounts(session, book, summary)
    loader = _Loader(session, accounts, source, summary)
    for directive in book.directives:
        loader.add(directive)
    loader.flush()
    return summary


def _insert_accounts(session: Session, book: Book, summary: ImportSummary) -> dict[str, int]:
    closes = {d.account: d.date for d in book.directives if isinstance(d, CloseEntry)}
    rows = []
    for opening in (d for d in book.directives if isinstance(d, OpenEntry)):
        root = opening.account.split(":", 1)[0]
        if root not in ROOTS:
            raise ImportRefused(message("Onbekende hoofdrekening %(root)s."), root=root)
        meta = dict(opening.meta)
        labels = [meta.pop(key, None) for key in LABEL_KEYS]
        rows.append(
            {
                "name": opening.account,
                "type": root,
                "label_nl": str(labels[0] or ""),
                "label_en": str(labels[1] or ""),
                "rgs_code": str(labels[2]) if labels[2] else None,
                "currencies": list(opening.currencies),
                "opened_on": opening.date,
                "closed_on": closes.get(opening.account),
                "booking": opening.booking,
                "meta": encode_meta(meta),
            }
        )
    summary.counts["accounts"] = len(rows)
    if not rows:
        return {}
    result = session.execute(
        insert(Account).returning(Account.name, Account.id, sort_by_parameter_order=True), rows
    )
    return {name: ident for name, ident in result}


class _Loader:
    """Collects rows per table while walking the directives in Beancount's order."""

    def __init__(
        self, session: Session, accounts: dict[str, int], source: str, summary: ImportSummary
    ) -> None:
        self.session = session
        self.accounts = accounts
        self.source = source
        self.summary = summary
        self.rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.transactions: list[NewTransaction] = []
        self.pads: dict[tuple[date, str], int] = {}
        self.pad_of: list[int | None] = []
        self.running: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def add(self, directive: Any) -> None:
        match directive:
            case NewTransaction():
                self._transaction(directive)
            case BalanceEntry():
                self._balance(directive)
            case PadEntry():
                self._pad(directive)
            case CommodityEntry():
                self.rows[Commodity].append(
                    {
                        "currency": directive.currency,
                        "date": directive.date,
                        "meta": encode_meta(directive.meta),
                    }
                )
            case PriceEntry():
                self.rows[Price].append(
                    {
                        "date": directive.date,
                        "currency": directive.currency,
                        "number": directive.amount.number,
                        "quote_currency": directive.amount.currency,
                        "meta": encode_meta(directive.meta),
                    }
                )
            case NoteEntry():
                self.rows[Note].append(
                    {
                        "date": directive.date,
                        "account_id": self.accounts[directive.account],
                        "comment": directive.comment,
                        "tags": sorted(directive.tags),
                        "links": sorted(directive.links),
                        "meta": encode_meta(directive.meta),
                    }
                )
            case EventEntry():
                self.rows[Event].append(
                    {
                        "date": directive.date,
                        "type": directive.type,
                        "description": directive.description,
                        "meta": encode_meta(directive.meta),
                    }
                )
            case CustomEntry():
                self._custom(directive)
            case DocumentEntry():
                self._document(directive.date, directive.account, directive.filename, {})
        self.summary.counts[type(directive).__name__] += 1

    def _transaction(self, transaction: NewTransaction) -> None:
        self.transactions.append(transaction)
        pad = None
        if transaction.is_padding:
            accounts = [p.account for p in transaction.postings]
            pad = self.pads.get((transaction.date, accounts[0])) if accounts else None
        self.pad_of.append(pad)
        for posting in transaction.postings:
            self.running[posting.account][posting.units.currency] += posting.units.number

    def _balance(self, entry: BalanceEntry) -> None:
        prefix = entry.account + ":"
        actual = sum(
            (
                units.get(entry.amount.currency, Decimal(0))
                for name, units in self.running.items()
                if name == entry.account or name.startswith(prefix)
            ),
            Decimal(0),
        )
        self.rows[BalanceAssertion].append(
            {
                "date": entry.date,
                "account_id": self.accounts[entry.account],
                "number": entry.amount.number,
                "currency": entry.amount.currency,
                "tolerance": entry.tolerance,
                "difference": actual - entry.amount.number,
                "meta": encode_meta(entry.meta),
            }
        )

    def _pad(self, entry: PadEntry) -> None:
        pad_id = self.session.scalar(
            insert(Pad)
            .values(
                date=entry.date,
                account_id=self.accounts[entry.account],
                source_account_id=self.accounts[entry.source_account],
                meta=encode_meta(entry.meta),
            )
            .returning(Pad.id)
        )
        assert pad_id is not None
        self.pads[(entry.date, entry.account)] = int(pad_id)

    def _custom(self, entry: CustomEntry) -> None:
        values = entry.values
        if entry.type == DOCUMENT_TYPE and len(values) == 2 and isinstance(values[0], AccountRef):
            self._document(entry.date, values[0].name, str(values[1]), dict(entry.meta))
            return
        self.rows[Custom].append(
            {
                "date": entry.date,
                "type": entry.type,
                "values": encode_values(values),
                "meta": encode_meta(entry.meta),
            }
        )

    def _document(self, day: date, account: str, path: str, meta: dict[str, Any]) -> None:
        self.rows[Document].append(
            {
                "date": day,
                "account_id": self.accounts[account],
                "transaction_id": None,
                "path": path,
                "content_sha256": meta.get("sha256"),
                "mime_type": meta.get("mime"),
                "description": str(meta.get("description") or ""),
            }
        )

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                self.session.execute(insert(table), rows)
        self._flush_transactions()

    def _flush_transactions(self) -> None:
        if not self.transactions:
            return
        rows = [
            {**transaction_row(t), "source": self.source or None, "pad_id": pad}
            for t, pad in zip(self.transactions, self.pad_of, strict=True)
        ]
        ids = self.session.scalars(
            insert(Transaction).returning(Transaction.id, sort_by_parameter_order=True), rows
        ).all()
        postings: list[dict[str, Any]] = []
        effects: list[Effect] = []
        for transaction_id, transaction in zip(ids, self.transactions, strict=True):
            for position, p in enumerate(transaction.postings):
                account_id = self.accounts[p.account]
                postings.append(
                    posting_row(p, transaction_id, account_id, position, transaction.date)
                )
                effects.append(
                    Effect(
                        account_id, p.account, p.units.currency, transaction.date, p.units.number
                    )
                )
        for start in range(0, len(postings), 5000):
            self.session.execute(insert(Posting), postings[start : start + 5000])
        apply_effects(self.session, effects)
        rebuild_lots(self.session)
