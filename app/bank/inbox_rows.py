"""The bank inbox's rows as HTML, written in Python as the journal's are (``app/cells.py``).

An inbox shows up to 200 lines of a dozen cells each, with their words, links and conditions;
as a Jinja loop they were most of the page's rendering. Each word is asked once per page here.
Every text that came with the bank file (counterparty, description, references) is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from app.account_picker import account_label
from app.errors import shown_params
from app.i18n import money_in, reader_locale, short_day
from app.i18n import word as _
from ledger.bank.inbox import InboxLine
from ledger.ibans import printed_iban
from ledger.projects import PROJECT_LONGEST


def inbox_rows(items: Sequence[InboxLine], can_book: bool, shown_as: Mapping[str, str]) -> Markup:
    """A ``<tr>`` per line to book: tick, day, amount, counterparty, description (with the hint
    that stops it and, for a bookkeeper, the form to ignore it) and the proposed contra account
    (for a bookkeeper an input, with one for the line's project below it holding the rule's;
    for anyone else its label and the rule's project). ``shown_as`` is how the account picker
    writes each account (``account_picker_texts``)."""
    locale = reader_locale()
    words = _Words()
    html: list[str] = []
    for item in items:
        line = item.line
        number = line.id
        pending = bool(line.is_pending)
        tick = ""
        if can_book:
            if pending:
                shown = f'<span class="badge">{words.pending}</span>'
            else:
                label = escape(_("Regel %(id)s boeken")) % {"id": number}
                checked = " checked" if item.is_ready else ""
                # a line no account can book (its hint says why) cannot be ticked either
                disabled = "" if item.can_be_booked else " disabled"
                shown = (
                    '<input type="checkbox" form="confirm" name="line" '
                    f'value="{number}" aria-label="{label}"{checked}{disabled}>'
                )
            tick = f'<td data-label="{words.book}">{shown}</td>'
        marked = ' class="pending"' if pending else ""
        html.append(
            f'<tr data-testid="line-{number}"{marked}>{tick}'
            f'<td class="nowrap" data-label="{words.date}">{escape(short_day(line.date, locale))}'
            "</td>"
            f'<td class="amount nowrap" data-label="{words.amount}">'
            f"{escape(money_in(locale, line.amount, line.currency))}</td>"
            f'<td data-label="{words.party}">{_counterparty(item)}</td>'
            f'<td data-label="{words.description}">{_description(item, can_book, words)}</td>'
            f'<td data-label="{words.counter}">{_contra(item, can_book, shown_as, words)}</td>'
            "</tr>\n"
        )
    return Markup("".join(html))  # noqa: S704 (every text in it escaped)


class _Words:
    """The words every row shows, asked once per page (and escaped, as every text here)."""

    def __init__(self) -> None:
        self.book, self.date, self.amount = _e(_("Boeken")), _e(_("Datum")), _e(_("Bedrag"))
        self.party, self.description = _e(_("Tegenpartij")), _e(_("Omschrijving"))
        self.counter, self.reason = _e(_("Tegenrekening")), _e(_("Reden"))
        self.ignore, self.ignore_line = _e(_("Negeren")), _e(_("Regel negeren"))
        self.pending, self.reference = _e(_("In behandeling")), _e(_("kenmerk"))
        self.by_rule = _e(_("voorstel van een regel"))
        self.project, self.project_optional = _e(_("Project")), _e(_("project (optioneel)"))


def _e(text: str) -> str:
    return str(escape(text))


def _counterparty(item: InboxLine) -> str:
    line = item.line
    iban = (
        f"<br><small>{escape(printed_iban(line.counterparty_iban))}</small>"
        if line.counterparty_iban
        else ""
    )
    return f"{escape(line.counterparty_name)}{iban}"


def _description(item: InboxLine, can_book: bool, words: _Words) -> str:
    line, number = item.line, item.line.id
    parts = [str(escape(line.description))]
    if line.payment_reference:
        parts.append(f"<br><small>{words.reference} {escape(line.payment_reference)}</small>")
    if line.return_reason:
        returned = escape(_("retour: %(code)s")) % {"code": line.return_reason}
        parts.append(f"<br><small>{returned}</small>")
    if item.hint:
        hint = escape(_(item.hint.template)) % shown_params(item.hint.params)
        parts.append(f'\n<p class="hint" data-testid="hint-{number}">{hint}</p>')
    if can_book:
        parts.append(
            f'\n<details class="ignore"><summary>{words.ignore}</summary>'
            f'<label for="reason-{number}">{words.reason}</label>'
            f'<input id="reason-{number}" form="ignore-{number}" name="reason" required '
            'maxlength="500">'
            f'<button type="submit" form="ignore-{number}" class="secondary">'
            f"{words.ignore_line}</button></details>"
        )
    return "".join(parts)


def _contra(item: InboxLine, can_book: bool, shown_as: Mapping[str, str], words: _Words) -> str:
    line, number, proposal = item.line, item.line.id, item.proposal
    if line.is_pending or not item.can_be_booked:
        return "—"  # nothing is proposed for a line that cannot be booked (its hint says why)
    if can_book:
        typed = shown_as.get(proposal.account, proposal.account) if proposal else ""
        project = proposal.project if proposal else ""
        shown = (
            f'<label for="account-{number}" class="visually-hidden">{words.counter}</label>'
            f'<input id="account-{number}" form="confirm" name="account-{number}" '
            f'list="accounts" value="{escape(typed)}">'
            # The project the line is booked on: its rule's, or one typed here (optional).
            f'\n<label for="project-{number}" class="visually-hidden">{words.project}</label>'
            f'<input id="project-{number}" form="confirm" name="project-{number}" '
            f'class="project" placeholder="{words.project_optional}" '
            f'maxlength="{PROJECT_LONGEST}" value="{escape(project)}">'
        )
    else:
        shown = str(escape(account_label(proposal.account))) if proposal else "—"
    if proposal and proposal.invoice:
        invoice = escape(_("factuur %(number)s")) % {"number": proposal.invoice.number}
        shown += f"\n<small>{invoice}</small>"
    elif proposal:
        project = ""
        if proposal.project and not can_book:  # a bookkeeper sees it in the project's field
            named = escape(_("project %(name)s")) % {"name": proposal.project}
            project = f' · <span class="project">{named}</span>'
        shown += f"\n<small>{words.by_rule}{project}</small>"
    return shown
