"""Reading a posted form: the one way views turn what people typed into plain values.

A view reads ``request.form`` (or ``request.args``) with these readers inside the action it
hands to ``app.refusals.attempt``. A reader that cannot read its field raises
``ValidationFailed`` naming that field, exactly like a refusal of the domain, so both reach the
person the same way: the page again, the message at the field, the typed values kept, 422.

How to read a new form:

- plain text: ``text(form, "name")``; a field that must be filled in: ``required`` (with
  ``longest`` for a length limit); text of a fixed shape (a slug, a KvK number): ``matching``;
- an e-mail address: ``email`` (``optional=True`` when it may be left empty);
- a password: ``password``, exactly as typed, with ``shortest``/``longest``; show the page
  again with ``without_passwords(form, ...)`` (or no values at all): a password is never echoed;
- a day typed day first (``31-12-2026``): ``day`` (``default`` for an empty field);
- money: ``amount`` (required, in cents); other figures: ``figure`` and ``optional_figure``.
  All read Dutch ``1.234,56`` and plain ``1234.56`` through the one amount parser,
  ``ledger.amounts.parse_amount``; never ``Decimal(text)``, which takes "NaN";
- a record picked in a ``<select>``: ``chosen_id`` (``optional_id`` when none may be picked);
  the records ticked in a list: ``ticked_ids``;
- an account typed or picked in the account picker: ``account`` (by label, RGS code or name);
- a choice among an enum's values: ``choice``; a whole number: ``whole_number``;
- a ticked checkbox or a chosen radio button: ``is_ticked``.

Nothing else in ``app/`` reads a field of a form or a query string (``form.get``,
``form[...]``, ``request.args.get``): the readers are where input is trimmed, parsed and
refused, so a new view cannot skip that by accident. The report pages' query parameters
(dates, cursors, ``format``) have their own readers in ``app/books/params.py``. No form is a
WTForms class (``FlaskForm``): the sign-in, second-factor, password, member and bureau forms
were, and now use these readers like every other (``tests/web/test_form_input.py`` reads the
source to keep all this so).

The transaction entry forms (``app/entry/forms.py``) use these readers too but collect every
problem at once as data, because a person typing six postings wants to see all the mistakes
in one go. CSRF is Flask-WTF's ``CSRFProtect`` for every POST, whichever way it is read: a
form carries ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from werkzeug.datastructures import MultiDict

from app.input_limits import LARGEST_ID, id_number
from app.input_limits import whole_number as bounded_whole_number
from ledger.amounts import MAX_AMOUNT, parse_amount
from ledger.days import DAY_EXPECTED, parse_day
from ledger.errors import ValidationFailed, message
from ledger.suggestions import AccountChoice, chosen_account

ZERO = Decimal(0)
EMAIL_LONGEST = 254  # what an address may be under RFC 5321
Choice = TypeVar("Choice", bound=Enum)


def text(form: Mapping[str, str], name: str) -> str:
    """The field's text without surrounding spaces; empty when it was not sent."""
    return form.get(name, "").strip()


def sent_text(form: Mapping[str, str], name: str) -> str | None:
    """``text``, or None when the form did not send the field at all (a page that did not ask
    it), as opposed to a field left empty."""
    return text(form, name) if name in form else None


def without(form: Mapping[str, str], name: str) -> dict[str, str]:
    """The form's fields but ``name`` (each its first value): read as if it was not sent."""
    return {key: value for key, value in form.items() if key != name}


def required(form: Mapping[str, str], name: str, *, longest: int | None = None) -> str:
    """The field's text, which must not be empty (nor longer than ``longest`` characters)."""
    found = text(form, name)
    if not found:
        raise ValidationFailed(message("Vul dit veld in."), field=name)
    _at_most(found, name, longest)
    return found


def email(form: Mapping[str, str], name: str, *, optional: bool = False) -> str:
    """An e-mail address as typed (at most 254 characters); ``""`` for an empty optional one.

    Only its form is checked, not whether mail can reach it: the services normalise and check
    the address again before they store it.
    """
    found = text(form, name)
    if not found and optional:
        return ""
    if not found:
        raise ValidationFailed(message("Vul dit veld in."), field=name)
    _at_most(found, name, EMAIL_LONGEST)
    try:
        validate_email(found, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(message("Vul een geldig e-mailadres in."), field=name) from None
    return found


def password(
    form: Mapping[str, str], name: str, *, shortest: int = 0, longest: int | None = None
) -> str:
    """A password exactly as typed (spaces count), which must hold more than spaces.

    The page never shows it again (``without_passwords``).
    """
    found = form.get(name, "")
    if not found.strip():
        raise ValidationFailed(message("Vul dit veld in."), field=name)
    if len(found) < shortest:
        raise ValidationFailed(
            message("Gebruik minstens %(count)s tekens."), field=name, count=shortest
        )
    _at_most(found, name, longest)
    return found


def matching(
    form: Mapping[str, str], name: str, pattern: re.Pattern[str], *, optional: bool = False
) -> str:
    """Text that matches ``pattern`` as a whole (a slug, a KvK number); ``""`` if optional."""
    found = text(form, name)
    if not found and optional:
        return ""
    if not found:
        raise ValidationFailed(message("Vul dit veld in."), field=name)
    if not pattern.fullmatch(found):
        raise ValidationFailed(message("Dit is niet in de goede vorm."), field=name)
    return found


def without_passwords(form: Mapping[str, str], *names: str) -> dict[str, str]:
    """What was posted, to show again, minus the password fields: those are never echoed."""
    return {key: value for key, value in form.items() if key not in names}


def _at_most(found: str, name: str, longest: int | None) -> None:
    if longest is not None and len(found) > longest:
        raise ValidationFailed(
            message("Gebruik hoogstens %(count)s tekens."), field=name, count=longest
        )


def choice(kind: type[Choice], form: Mapping[str, str], name: str) -> Choice:
    """One of the values of the enum ``kind``, as a ``<select>`` sends it."""
    try:
        return kind(form.get(name, ""))
    except ValueError:
        raise ValidationFailed(message("Kies een van de mogelijkheden."), field=name) from None


def amount(form: Mapping[str, str], name: str, *, below: Decimal = MAX_AMOUNT) -> Decimal:
    """An amount of money in cents, which must be filled in."""
    return parse_amount(text(form, name), field=name, below=below)


def figure(
    form: Mapping[str, str], name: str, *, places: int | None = None, below: Decimal = MAX_AMOUNT
) -> Decimal:
    """A number typed in Dutch or plain notation, within ``below``; an empty field is zero."""
    found = text(form, name)
    return parse_amount(found, field=name, max_places=places, below=below) if found else ZERO


def optional_figure(
    form: Mapping[str, str], name: str, *, places: int | None = None, below: Decimal = MAX_AMOUNT
) -> Decimal | None:
    """A number, or ``None`` for an empty field (an optional bound, an optional share)."""
    found = text(form, name)
    return parse_amount(found, field=name, max_places=places, below=below) if found else None


def day(form: Mapping[str, str], name: str, default: date | None = None) -> date:
    """A day typed day first (``31-12-2026``, ``ledger.days.parse_day``), or ``default`` when
    empty."""
    found = text(form, name)
    if not found and default is not None:
        return default
    chosen = parse_day(found)
    if chosen is None:
        raise ValidationFailed(message(DAY_EXPECTED), field=name)
    return chosen


def whole_number(form: Mapping[str, str], name: str, default: int | None = None) -> int:
    """A whole number of zero or more; ``default`` when empty (no default: it must be filled in)."""
    found = text(form, name)
    if not found and default is not None:
        return default
    number = bounded_whole_number(found)
    if number is None:
        raise ValidationFailed(message("Vul een heel getal in."), field=name)
    return number


def chosen_id(form: Mapping[str, str], name: str) -> int:
    """The id picked in a ``<select>`` of records (an organisation, a bureau)."""
    found = text(form, name)
    number = bounded_whole_number(found, LARGEST_ID + 1)
    if number is None:
        raise ValidationFailed(message("Maak een keuze."), field=name)
    return number


def optional_id(form: Mapping[str, str], name: str) -> int | None:
    """The id picked in a ``<select>`` that may be left empty; None for empty or unreadable."""
    return bounded_whole_number(text(form, name), LARGEST_ID + 1)


def ticked_ids(form: MultiDict[str, str], name: str) -> list[int]:
    """The ids of every box ticked under ``name``; what cannot name a row is left out."""
    return form.getlist(name, type=id_number)


def is_ticked(form: Mapping[str, str], name: str, value: str = "on") -> bool:
    """Whether a checkbox was ticked (browsers send ``on``), or a radio button set to ``value``."""
    return form.get(name) == value


def account(
    form: Mapping[str, str],
    name: str,
    choices: Sequence[AccountChoice],
    *,
    types: Sequence[str] = (),
) -> str:
    """The account the picker field ``name`` names, by label, RGS code or full name."""
    return chosen_account(choices, text(form, name), field=name, types=types)
