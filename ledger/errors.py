"""The domain's error vocabulary: one small class per failure, all under DomainError.

Messages are Dutch message ids with ``%(name)s`` placeholders, so the web layer can translate
them (``app.errors.translated``) while the domain stays free of Flask; days, money and accounts
go in as ``date``, ``Amount`` and ``AccountRef`` values, which the reader's language writes
(``dutch_text``; the web shows an account by its label). Every
message is a full sentence: a capital at the start (or a placeholder) and a period at the end.
The kind of failure is the class (not found, not permitted, a conflict, any other refusal);
``app/errors.py`` maps each kind to one HTTP status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ledger.entries import AccountRef, Amount


def message(template: str) -> str:
    """Marks a domain message for extraction into the translation catalog; returns it as is."""
    return template


def dutch_text(params: Mapping[str, Any]) -> dict[str, Any]:
    """A message's parameters as a Dutch sentence writes them where no reader's language is
    known (the command line, logs, a job's stored reason): a day as ``15-01-2026``, money as
    ``€ 1.234,56`` (``€ -12,10`` going out); a tuple of amounts (a sum in several currencies) as
    a list of them; an account (``AccountRef``) by its name in the books.

    Domain code passes days as ``date`` and money as ``Amount`` values, never as text, so that
    the web layer can write them in its reader's language (``app.errors.shown_params``).
    """
    return {name: _dutch(value) for name, value in params.items()}


def _dutch(value: Any) -> Any:
    if isinstance(value, tuple) and value and all(isinstance(each, Amount) for each in value):
        return ", ".join(_dutch(each) for each in value)  # a sum in several currencies
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, AccountRef):
        return value.name  # no reader, no books at hand: the account's name in the books
    if isinstance(value, Amount):
        sign = "-" if value.number < 0 else ""
        exponent = value.number.as_tuple().exponent
        cents = isinstance(exponent, int) and exponent >= -2
        pattern = ",.2f" if cents else ",f"  # exact: more decimals than cents are all shown
        digits = format(abs(value.number), pattern).translate(str.maketrans(",.", ".,"))
        if value.currency == "EUR":
            return f"€\N{NO-BREAK SPACE}{sign}{digits}"
        return f"{sign}{digits} {value.currency}"
    return value


class DomainError(Exception):
    """A request the domain refuses; the message is meant for the person who asked."""

    def __init__(self, template: str, *, field: str | None = None, **params: Any) -> None:
        self.template = template
        self.params = params
        self.field = field
        super().__init__(template % dutch_text(params) if params else template)


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to whoever asked)."""


class ValidationFailed(DomainError):
    """Input that breaks a rule; nothing was changed."""


class PeriodClosed(DomainError):
    """A write dated inside a closed period; a correction is a reversal in an open one."""


class NotPermitted(DomainError):
    """The acting person may not do this (for example: only an owner closes a period)."""


class Conflict(DomainError):
    """Someone else changed the thing after this person read it; nothing was changed."""


class ImportRefused(DomainError):
    """A Beancount file that cannot be imported; ``problems`` lists Beancount's own messages."""

    def __init__(self, template: str, *, problems: tuple[str, ...] = (), **params: Any) -> None:
        self.problems = problems
        super().__init__(template, **params)


class EditConflict(Conflict):
    """Someone changed the transaction after the edit was begun; saving would undo their change."""
