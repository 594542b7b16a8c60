"""The journal, an account's ledger and the Beancount export of an organisation's books."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, abort, g, render_template, send_file, stream_with_context
from flask_babel import gettext as _

from app.account_picker import shown
from app.books.archive import books_with_receipts
from app.books.downloads import csv_download, wanted_format
from app.books.params import cursor_arg, cursor_text, date_arg, text_arg
from app.books.picker import start_month
from app.extensions import db
from app.tenancy import organisation_blueprint, requires
from ledger.clock import today
from ledger.errors import ValidationFailed
from ledger.export import in_chunks, write_book
from ledger.projects import project_of
from ledger.reports.account_ledger import LedgerLine, account_ledger
from ledger.reports.catalogue import PERIOD_REVERSED
from ledger.reports.journal import JournalFilter, journal
from ledger.reports.periods import Period, fiscal_year
from ledger.reports.planned_releases import planned_releases
from ledger.suggestions import (
    account_choices,
    choices_named,
    parent_choices,
    resolve_account,
)
from tenants.roles import Role

blueprint = organisation_blueprint("books", __name__)
DOWNLOAD_PAGE = 500


@blueprint.route("/journal")
@requires(Role.VIEWER)
def journal_page() -> Any:
    session = db.session()
    open_accounts = account_choices(session, today())
    choices = parent_choices(open_accounts)  # a root shows its whole tree
    typed = text_arg("account") or ""
    account = resolve_account(choices, typed) if typed else None
    filters = JournalFilter(
        account=account or typed or None,
        text=text_arg("q"),
        tag=text_arg("tag"),
        project=text_arg("project"),
        start=date_arg("from"),
        end=date_arg("to"),
    )
    kind = wanted_format()
    if kind is not None:
        if kind != "csv":
            abort(400)
        return csv_download("journal", _journal_header(), _journal_rows(filters))
    page = journal(session, filters, before=cursor_arg("before"))
    names = {p.account for entry in page.entries for p in entry.transaction.postings}
    # The open accounts are read already; only a closed account's label is asked for.
    labels = {c.name: c for c in open_accounts if c.name in names}
    if names - labels.keys():
        labels |= choices_named(session, names - labels.keys())
    return render_template(
        "books/journal.html",
        page=page,
        filters=filters,
        next_key=cursor_text(page.next_cursor),
        labels=labels,
        choices=choices,
        typed_account=shown(choices, account) if account else typed,
    )


@blueprint.route("/accounts/<path:account>")
@requires(Role.VIEWER)
def account_page(account: str) -> Any:
    start, end = date_arg("from"), date_arg("to")
    if start and end and end < start:
        raise ValidationFailed(PERIOD_REVERSED)
    if start or end:
        period = Period(start or date.min, end or date.max)
    else:
        period = fiscal_year(today(), start_month())
    text = text_arg("q")
    kind = wanted_format()
    if kind is not None:
        if kind != "csv":
            abort(400)
        return _ledger_csv(account, period, text)
    session = db.session()
    ledger = account_ledger(session, account, period=period, after=cursor_arg("after"), text=text)
    return render_template(
        "books/account.html",
        ledger=ledger,
        releases=planned_releases(session, account, period.start),
        start=period.start if period.start != date.min else None,
        end=period.end if period.end != date.max else None,
        text=text,
        next_key=cursor_text(ledger.next_cursor),
    )


@blueprint.route("/export.beancount")
@requires(Role.VIEWER)
def export() -> Response:
    # Streamed: each chunk is written as its transactions are read (one server-side cursor),
    # in a transaction of its own once the request's unit of work has ended.
    chunks = in_chunks(write_book(db.session(), title=g.org.name))
    return Response(
        stream_with_context(chunks),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{g.org.slug}.beancount"'},
    )


@blueprint.route("/export.zip")
@requires(Role.VIEWER)
def export_with_receipts() -> Response:
    archive = books_with_receipts(db.session(), g.org.id, g.org.slug, g.org.name)
    return send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{g.org.slug}.zip",
    )


def _journal_header() -> list[str]:
    return [
        _("datum"),
        _("boeking"),
        _("vlag"),
        _("tegenpartij"),
        _("omschrijving"),
        _("labels"),
        _("rekening"),
        _("valuta"),
        _("bedrag"),
        _("project"),
    ]


def _journal_rows(filters: JournalFilter) -> Iterator[list[object]]:
    """Every posting of every matching transaction, newest first, read a page at a time; a
    posting's project is its own or else its transaction's (as the report per project reads)."""
    session = db.session()
    before = None
    while True:
        page = journal(session, filters, before=before, limit=DOWNLOAD_PAGE)
        for entry in page.entries:
            t = entry.transaction
            tags, project = " ".join(sorted(t.tags)), project_of(t.meta)
            for p in t.postings:
                yield [
                    t.date.isoformat(),
                    entry.id,
                    t.flag,
                    t.payee or "",
                    t.narration,
                    tags,
                    p.account,
                    p.units.currency,
                    p.units.number,
                    project_of(p.meta) or project,
                ]
        if page.next_cursor is None:
            return
        before = page.next_cursor


def _ledger_csv(account: str, period: Period, text: str | None) -> Response:
    """The account's postings in the period with their running balance, all pages."""
    session = db.session()
    header = [_("datum"), _("boeking"), _("tegenpartij"), _("omschrijving")]
    header += [_("valuta"), _("bedrag")] + ([] if text else [_("saldo")])
    rows: list[list[object]] = []
    after = None
    while True:
        ledger = account_ledger(
            session, account, period=period, after=after, limit=DOWNLOAD_PAGE, text=text
        )
        rows += [_ledger_row(line)[: len(header)] for line in ledger.lines]
        if ledger.next_cursor is None:
            break
        after = ledger.next_cursor
    return csv_download(account.replace(":", "-").lower(), header, rows)


def _ledger_row(line: LedgerLine) -> list[object]:
    return [
        line.date.isoformat(),
        line.transaction_id,
        line.payee or "",
        line.narration,
        line.units.currency,
        line.units.number,
        line.balance,
    ]
