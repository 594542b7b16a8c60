"""What a cell of the books' tables shows: an amount, a debit or a credit, an account's name.

Template globals, written in Python because the journal and the ledgers show one per posting,
a few hundred per page: as Jinja macros they were a third of the page's cost. An amount in an
ISO currency is money (``€ 1.234,56``); any other unit is a plain number and its code.

Whole rows are built here too where a page shows many (``journal_body``, ``account_datalist``):
each link, word and locale asked once per page, every cell ready for the template to show.
Everything a row holds is escaped by the template, or here where this module writes markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from html import escape as html_escape
from typing import Any

from babel import Locale
from flask import Flask, g, url_for
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app.account_picker import advanced_view, picker_options
from app.books.statements import Row
from app.breaks import breakable
from app.i18n import (
    english,
    money_in,
    number_in,
    page_reader_locale,
    reader_locale,
    short_day,
)
from app.i18n import word as _
from app.links import account_page_urls
from ledger.entries import NewTransaction
from ledger.projects import project_of
from ledger.reports.journal import JournalEntry
from ledger.suggestions import AccountChoice

_EMPTY = Markup("")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        amount=_page_amount,
        debit=_page_debit,
        credit=_page_credit,
        account_label=account_label,
        account_url=account_url,
        journal_body=journal_body,
        report_rows=report_rows,
        trial_balance_rows=trial_balance_rows,
        id_urls=id_urls,
        transaction_amount=transaction_amount,
        account_datalist=account_datalist,
    )


def amount(value: Decimal | int | None, currency: str) -> Markup:
    """``€ 1.234,56`` for an ISO currency, ``12,5 HOOL`` for other units, nothing for None."""
    return amount_in(reader_locale(), value, currency)


# ``amount``, Debet and Credit for templates, in the page's locale (``page_locale``).


@pass_context
def _page_amount(context: Context, value: Decimal | int | None, currency: str) -> Markup:
    return amount_in(page_reader_locale(context), value, currency)


@pass_context
def _page_debit(context: Context, value: Decimal | int | None, currency: str) -> Markup:
    return debit_in(page_reader_locale(context), value, currency)


@pass_context
def _page_credit(context: Context, value: Decimal | int | None, currency: str) -> Markup:
    return credit_in(page_reader_locale(context), value, currency)


def amount_in(locale: Locale, value: Decimal | int | None, currency: str) -> Markup:
    """``amount`` in the given ``reader_locale()``: for a table, which asks it once."""
    if value is None:
        return _EMPTY
    if len(currency) == 3 and currency.isalpha():
        return escape(money_in(locale, value, currency))
    return escape(f"{number_in(locale, value)} {currency}")


def debit_in(locale: Locale, value: Decimal | int | None, currency: str) -> Markup:
    """The Debet column: a positive amount (plus is debit), else nothing."""
    if value is None or not value > 0:
        return _EMPTY
    return amount_in(locale, value, currency)


def credit_in(locale: Locale, value: Decimal | int | None, currency: str) -> Markup:
    """The Credit column: a negative amount written without its sign, else nothing."""
    if value is None or not value < 0:
        return _EMPTY
    negated = value.copy_negate() if isinstance(value, Decimal) else -value
    return amount_in(locale, negated, currency)


def transaction_amount(transaction: NewTransaction) -> Markup:
    """What a transaction moves: its debits in the currency of its first posting."""
    if not transaction.postings:
        return _EMPTY
    currency = transaction.postings[0].units.currency
    moved = sum(
        (
            p.units.number
            for p in transaction.postings
            if p.units.currency == currency and p.units.number > 0
        ),
        0,
    )
    return amount(moved, currency)


def account_label(choice_by_name: dict[str, Any], name: str) -> str:
    """The account's label in the reader's language (Dutch when it has no English one), else
    its name as it is."""
    choice = choice_by_name.get(name)
    if not choice:
        return name
    if choice.label_en and english():
        return str(choice.label_en)
    return str(choice.label_nl)


def account_url(name: str) -> str:
    """The account's page in this organisation; looked up once per request (``links``)."""
    made: _AccountUrls | None = g.get("account_urls")
    if made is None:
        made = g.account_urls = _AccountUrls(account_page_urls())
    return made[name]


class _AccountUrls(dict[str, str]):
    """A request's links to account pages, each found once (``links.account_page_urls``)."""

    def __init__(self, found: Callable[[str], str]) -> None:
        super().__init__()
        self._found = found

    def __missing__(self, name: str) -> str:
        url = self[name] = self._found(name)
        return url


def id_urls(endpoint: str, name: str, **values: Any) -> Callable[[int], str]:
    """``url_for(endpoint, name=id, **values)`` for many ids: built once, the id put in.

    For a route whose ``name`` is an ``int`` converter, which writes an id as ``str(id)``.
    """
    made = url_for(endpoint, **{**values, name: _SOME_ID})
    before, found, after = made.partition(str(_SOME_ID))
    if not found or str(_SOME_ID) in after:
        return lambda id_: url_for(endpoint, **{**values, name: id_})
    return lambda id_: f"{before}{id_}{after}"


_SOME_ID = 8_642_097_531_864_209


def journal_body(entries: Iterable[JournalEntry], labels: Mapping[str, Any]) -> Markup:
    """The journal's rows as HTML, a ``<tbody>`` per transaction with a row per posting.

    A page shows fifty transactions and a hundred postings and more, each with five cells.
    Written here in one pass rather than cell by cell in the template, where escaping and
    calling for each cell were a tenth of a worker's CPU under the load benchmark: every link
    of a transaction, an account and a tag is made once per page, the language asked once.
    Every text from the books is escaped here (``_text``); amounts come escaped.
    """
    show = id_urls("transactions.show", "transaction_id")
    booking = _text(_("Boeking %(id)s"))
    in_english = english()
    locale = reader_locale()
    language = locale.language
    with_names = advanced_view()
    account_links: dict[str, str] = {}
    tag_links: dict[str, str] = {}
    project_links: dict[str, str] = {}
    project_word = _text(_("Project:"))
    html: list[str] = []
    for entry in entries:
        t = entry.transaction
        described = _text(t.narration)
        if t.payee:
            described = (
                f"<strong>{_text(t.payee)}</strong>{' · ' if t.narration else ''}{described}"
            )
        for tag in sorted(t.tags):
            link = tag_links.get(tag)
            if link is None:
                link = tag_links[tag] = _text(url_for("books.journal_page", tag=tag))
            described += f' <a class="tag" href="{link}">#{_text(tag)}</a>'
        project = project_of(t.meta)
        if project:
            link = project_links.get(project)
            if link is None:
                link = _text(url_for("books.journal_page", project=project))
                project_links[project] = link
            described += (
                f' <a class="tag project" href="{link}">'
                f'<span class="visually-hidden">{project_word} </span>{_text(project)}</a>'
            )
        # The day links to the transaction; on a phone it heads the description instead
        # (``day-inline``), so the accounts get the day's column.
        link = f'href="{_text(show(entry.id))}" aria-label="{booking % {"id": entry.id}}"'
        day = _text(short_day(t.date, locale))
        html.append(
            f'<tbody data-testid="transaction-{entry.id}">\n<tr class="transaction">'
            f'<td class="day"><a {link}>{day}</a></td>'
            f'<td colspan="4"><a class="day-inline" {link}>{day}</a>{described}</td></tr>\n'
        )
        for p in t.postings:
            link = account_links.get(p.account)
            if link is None:
                link = account_links[p.account] = _text(account_url(p.account))
            choice = labels.get(p.account)
            if not choice:
                label = p.account
            elif choice.label_en and in_english:
                label = str(choice.label_en)
            else:
                label = str(choice.label_nl)
            name = (
                f' <small class="muted account-name">{_text(p.account)}</small>'
                if choice and with_names
                else ""
            )
            number, currency = p.units.number, p.units.currency
            html.append(
                '<tr class="posting"><td class="day"></td><td class="spacer"></td>'
                f'<td><a href="{link}">{_text(breakable(label, language))}</a>{name}</td>'
                f'<td class="amount">{debit_in(locale, number, currency)}</td>'
                f'<td class="amount">{credit_in(locale, number, currency)}</td></tr>\n'
            )
        html.append("</tbody>\n")
    return Markup("".join(html))  # noqa: S704 (every text in it escaped above)


def report_rows(rows: Iterable[Row], previous_title: str | None) -> Markup:
    """A balance sheet's or income statement's rows: account (or total), now, and before.

    Written here for the reason ``journal_body`` is: a report has a row per account.
    """
    locale, with_names = reader_locale(), advanced_view()
    html: list[str] = []
    for row in rows:
        before = (
            f'<td class="amount">{amount_in(locale, row.previous, row.currency)}</td>'
            if previous_title
            else ""
        )
        html.append(
            f"{_report_row_start(row, with_names, locale.language)}"
            f'<td class="amount">{amount_in(locale, row.amount, row.currency)}</td>{before}</tr>\n'
        )
    return Markup("".join(html))  # noqa: S704 (every text in it escaped)


def trial_balance_rows(rows: Iterable[Row]) -> Markup:
    """The trial balance's rows: account (or total), then debit and credit, now and before."""
    locale, with_names = reader_locale(), advanced_view()
    html: list[str] = []
    for row in rows:
        number, previous, currency = row.amount, row.previous, row.currency
        debit = amount_in(locale, number, currency) if number >= 0 else _EMPTY
        credit = amount_in(locale, number.copy_negate(), currency) if number < 0 else _EMPTY
        html.append(
            f"{_report_row_start(row, with_names, locale.language)}"
            f'<td class="amount">{debit}</td><td class="amount">{credit}</td>'
            f'<td class="amount previous">{debit_in(locale, previous, currency)}</td>'
            f'<td class="amount previous">{credit_in(locale, previous, currency)}</td></tr>\n'
        )
    return Markup("".join(html))  # noqa: S704 (every text in it escaped)


def _report_row_start(row: Row, with_names: bool, language: str) -> str:
    """A report row's opening and its first cell: the account's link, or a total's title.

    A label's long words may break at their syllables on a phone (``app.breaks``)."""
    if row.account is None:
        return f'<tr class="total"><th scope="row">{_text(row.label)}</th>'
    name = (
        f' <small class="muted account-name">{_text(row.account)}</small>'
        if row.label and with_names
        else ""
    )
    link = _text(account_url(row.account))
    label = breakable(row.label, language) if row.label else row.account
    return f'<tr><td><a href="{link}">{_text(label)}</a>{name}</td>'


def _text(value: str) -> str:
    """Text escaped for HTML, as a template escapes it (``&<>"'``), quotes included for
    attributes; a plain ``str``, not a ``Markup`` per cell."""
    return html_escape(value, quote=True)


def account_datalist(
    choices: Sequence[AccountChoice],
    id_: str,
    types: Sequence[str] | None = None,
    *,
    compact: bool = False,
) -> Markup:
    """The account picker's suggestions (``picker_options``) as a ``<datalist>``.

    Every option's text is escaped here. ``compact`` writes the options on one line with a
    label on each, as the bank inbox has them; otherwise one option a line, a label only
    when there is a hint, as the forms and the journal have them.
    """
    kinds = tuple(types) if types else None
    return _account_datalist(tuple(choices), id_, kinds, compact, english())


@lru_cache(maxsize=512)
def _account_datalist(
    choices: tuple[AccountChoice, ...],
    id_: str,
    types: tuple[str, ...] | None,
    compact: bool,
    in_english: bool,  # the options are the reader's language's (``picker_options``)
) -> Markup:
    """``account_datalist``, kept per chart and language: the same few hundred escaped
    options, every page."""
    options = picker_options(choices, types)
    if compact:
        rows = "".join(
            f'<option value="{escape(o.value)}" label="{escape(o.hint)}">' for o in options
        )
        return Markup(f'<datalist id="{escape(id_)}">{rows}</datalist>')  # noqa: S704
    rows = "".join(
        f'\n  <option value="{escape(o.value)}"'
        + (f' label="{escape(o.hint)}"' if o.hint else "")
        + ">\n"
        for o in options
    )
    return Markup(f'<datalist id="{escape(id_)}">\n{rows}\n</datalist>')  # noqa: S704
