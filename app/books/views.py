"""The journal, an account's ledger and the Beancount export of an organisation's books."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, g, render_template

from app.books.params import cursor_arg, cursor_text, date_arg, text_arg
from app.extensions import db
from app.tenancy import organisation_blueprint, requires
from ledger.export import export_book
from ledger.reports.account_ledger import account_ledger
from ledger.reports.journal import JournalFilter, journal
from ledger.reports.periods import Period
from tenants.roles import Role

blueprint = organisation_blueprint("books", __name__)


@blueprint.route("/journal")
@requires(Role.VIEWER)
def journal_page() -> Any:
    filters = JournalFilter(
        account=text_arg("account"),
        text=text_arg("q"),
        tag=text_arg("tag"),
        start=date_arg("from"),
        end=date_arg("to"),
    )
    page = journal(db.session(), filters, before=cursor_arg("before"))
    return render_template(
        "books/journal.html", page=page, filters=filters, next_key=cursor_text(page.next_cursor)
    )


@blueprint.route("/accounts/<path:account>")
@requires(Role.VIEWER)
def account_page(account: str) -> Any:
    start, end = date_arg("from"), date_arg("to")
    if start and end and end < start:
        abort(400)
    period = Period(start or date.min, end or date.max) if start or end else None
    ledger = account_ledger(db.session(), account, period=period, after=cursor_arg("after"))
    return render_template(
        "books/account.html",
        ledger=ledger,
        start=start,
        end=end,
        next_key=cursor_text(ledger.next_cursor),
    )


@blueprint.route("/export.beancount")
@requires(Role.VIEWER)
def export() -> Response:
    return Response(
        export_book(db.session()),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{g.org.slug}.beancount"'},
    )
