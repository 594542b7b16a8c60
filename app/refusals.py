"""A refused action, handled in one place: the rollback, the reason shown, the answer.

A view runs one service call through ``attempt``. When the domain refuses (a ``DomainError``),
the request's session is rolled back here, once, and the refusal is answered in one of two
ways the pages use:

- ``show_again``: the form's page again, the reason at the field it belongs to and the typed
  values kept, with the error's status from ``app/errors.py`` (422 for a refusal, 404, 403 or
  409 for the other kinds). The request's unit of work (``app/unit_of_work.py``) rolls back
  every answer of 400 and above, so the status is what keeps a refused write out.
- ``go_back``: the reason flashed on the page the form sits on, by redirect (a form inside a
  list, such as the members page). The rollback above has already discarded the work.

When the call succeeds, ``succeeded`` flashes what happened and redirects (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue

from app.errors import status_of, translated
from app.extensions import db
from ledger.errors import DomainError

Result = TypeVar("Result")
Errors = dict[str, str]
# A form's page, given the problems per field and the values to show in the fields.
Page = Callable[[Errors, Mapping[str, str]], str]
# Which field a refusal belongs to: a fixed default for errors that name none, or a rule.
Field = str | Callable[[DomainError], str]


def attempt(
    action: Callable[[], Result],
    done: Callable[[Result], ResponseReturnValue],
    refused: Callable[[DomainError], ResponseReturnValue],
) -> ResponseReturnValue:
    """Run ``action``; answer with ``done(result)``, or roll back and answer ``refused(error)``."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        return refused(error)
    return done(result)


def show_again(
    page: Page, field: Field, values: Mapping[str, str] | None = None
) -> Callable[[DomainError], tuple[str, int]]:
    """Answer a refusal with ``page`` again: the reason at its field, the typed values, its status.

    ``field`` is where a refusal goes that names no field of its own (or a rule that maps the
    domain's field names onto the form's); ``values`` defaults to what was posted.
    """

    def answer(error: DomainError) -> tuple[str, int]:
        shown = request.form if values is None else values
        return page({field_of(error, field): translated(error)}, shown), status_of(error)

    return answer


def go_back(url: str) -> Callable[[DomainError], ResponseReturnValue]:
    """Answer a refusal by flashing its reason on the page at ``url``."""

    def answer(error: DomainError) -> ResponseReturnValue:
        flash(translated(error), "error")
        return redirect(url)

    return answer


def succeeded(
    url: str | Callable[[Result], str], said: str | Callable[[Result], str]
) -> Callable[[Result], ResponseReturnValue]:
    """Answer a success by flashing ``said`` and redirecting to ``url``; both may use the result."""

    def answer(result: Result) -> ResponseReturnValue:
        flash(said if isinstance(said, str) else said(result), "success")
        return redirect(url if isinstance(url, str) else url(result))

    return answer


def field_of(error: DomainError, field: Field) -> str:
    """The form field a refusal is shown at."""
    if isinstance(field, str):
        return error.field or field
    return field(error)
