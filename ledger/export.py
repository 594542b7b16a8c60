"""The whole book as a ``.beancount`` file that ``bean-check`` accepts and Fava opens.

Account labels and RGS codes travel as metadata on ``open``. Documents travel as
``custom "document"`` entries: a ``document`` directive makes ``bean-check`` look for the file,
which lives in our storage, not next to the export; the download that carries the files (a
zip) names them in real ``document`` directives instead (``write_book(documents=...)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import beans
from ledger.entries import (
    AccountRef,
    Amount,
    BalanceEntry,
    Book,
    CloseEntry,
    CommodityEntry,
    CustomEntry,
    Directive,
    DocumentEntry,
    EventEntry,
    MetaValue,
    NoteEntry,
    OpenEntry,
    PadEntry,
    PriceEntry,
)
from ledger.export_rows import written_transactions
from ledger.meta import decode_meta, decode_values
from ledger.models import (
    Account,
    BalanceAssertion,
    Commodity,
    Custom,
    Document,
    Event,
    Note,
    Pad,
    Price,
)
from ledger.options import book_options
from ledger.queries import all_transactions

LABEL_KEYS = ("label_nl", "label_en", "rgs")
DOCUMENT_TYPE = "document"


def export_book(session: Session, *, title: str | None = None) -> str:
    """The book as Beancount text (the caller decides where it goes)."""
    return "".join(write_book(session, title=title))


def write_book(
    session: Session, *, title: str | None = None, documents: Mapping[str, str] | None = None
) -> Iterator[str]:
    """The book as Beancount text, piece by piece, as its transactions are read.

    Memory stays flat in the length of the history: only the directives other than
    transactions (accounts, balances, prices, notes, documents: they grow with the chart, not
    with the years) are read whole. ``title`` (the organisation's name) becomes the book's
    ``option "title"``. ``documents`` maps a stored document's path to where its file lies
    next to the exported file: those become real ``document`` directives (``bean-check``
    checks that the file is there); the others stay ``custom "document"`` entries.
    """
    options = {**book_options(session)}
    if title is not None:
        options["title"] = title
    directives = _other_directives(session, documents or {})
    yield beans.render_header(options)
    yield from beans.render_entries(directives, written_transactions(session))


def document_paths(session: Session) -> list[str]:
    """The stored path of every document of the book, each once."""
    return list(session.scalars(select(Document.path).distinct().order_by(Document.path)))


def in_chunks(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """UTF-8 bytes in chunks of about ``size``: a download in few, full writes."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def read_book(session: Session) -> Book:
    """Every directive of the book as plain values, padding transactions left to ``pad``."""
    directives = _other_directives(session, {})
    directives += [t for _id, t in all_transactions(session) if not t.is_padding]
    return Book(options={**book_options(session)}, directives=tuple(directives))


def _other_directives(session: Session, documents: Mapping[str, str]) -> list[Directive]:
    directives: list[Directive] = []
    directives += _accounts(session)
    directives += [
        CommodityEntry(c.date, c.currency, decode_meta(c.meta))
        for c in session.scalars(select(Commodity).order_by(Commodity.id))
    ]
    directives += [
        PriceEntry(p.date, p.currency, Amount(p.number, p.quote_currency), decode_meta(p.meta))
        for p in session.scalars(select(Price).order_by(Price.id))
    ]
    directives += _account_directives(session, documents)
    directives += [
        EventEntry(e.date, e.type, e.description, decode_meta(e.meta))
        for e in session.scalars(select(Event).order_by(Event.id))
    ]
    directives += [
        CustomEntry(c.date, c.type, decode_values(c.values), decode_meta(c.meta))
        for c in session.scalars(select(Custom).order_by(Custom.id))
    ]
    return directives


def _accounts(session: Session) -> list[Directive]:
    result: list[Directive] = []
    for account in session.scalars(select(Account).order_by(Account.id)):
        meta: dict[str, MetaValue] = dict(decode_meta(account.meta))
        labels = (account.label_nl, account.label_en, account.rgs_code)
        meta.update({key: value for key, value in zip(LABEL_KEYS, labels, strict=True) if value})
        currencies = tuple(account.currencies)
        result.append(OpenEntry(account.opened_on, account.name, currencies, account.booking, meta))
        if account.closed_on is not None:
            result.append(CloseEntry(account.closed_on, account.name))
    return result


def _account_directives(session: Session, documents: Mapping[str, str]) -> list[Directive]:
    names: dict[int, str] = {i: n for i, n in session.execute(select(Account.id, Account.name))}
    result: list[Directive] = [
        BalanceEntry(
            b.date,
            names[b.account_id],
            Amount(b.number, b.currency),
            b.tolerance,
            decode_meta(b.meta),
        )
        for b in session.scalars(select(BalanceAssertion).order_by(BalanceAssertion.id))
    ]
    result += [
        PadEntry(p.date, names[p.account_id], names[p.source_account_id], decode_meta(p.meta))
        for p in session.scalars(select(Pad).order_by(Pad.id))
    ]
    result += [
        NoteEntry(
            n.date,
            names[n.account_id],
            n.comment,
            frozenset(n.tags),
            frozenset(n.links),
            decode_meta(n.meta),
        )
        for n in session.scalars(select(Note).order_by(Note.id))
    ]
    result += [
        _document(d, names[d.account_id], documents.get(d.path))
        for d in session.scalars(select(Document).order_by(Document.id))
    ]
    return result


def _document(document: Document, account: str, located: str | None) -> Directive:
    meta: dict[str, MetaValue] = {}
    if document.content_sha256:
        meta["sha256"] = document.content_sha256
    if document.mime_type:
        meta["mime"] = document.mime_type
    if document.description:
        meta["description"] = document.description
    if located is not None:
        return DocumentEntry(document.date, account, located, meta=meta)
    values: tuple[MetaValue, ...] = (AccountRef(account), document.path)
    return CustomEntry(document.date, DOCUMENT_TYPE, values, meta)


__all__ = ["document_paths", "export_book", "in_chunks", "read_book", "write_book"]
