"""Amounts as people type them: ``1.234,56``, ``1234.56``, ``-12,5``, ``€ 1.234,56``, ``12,-``.

The one place typed text becomes a ``Decimal``. A Dutch treasurer writes a decimal comma and
dots between thousands; a bank export or a spreadsheet may use a decimal point. Where the two
readings differ (``1.234`` is a thousand in Dutch and one and a bit in English) the text is
refused with a message that says how to write it, rather than guessed.

Every amount has the same limit as the bank import: below a hundred billion (``MAX_AMOUNT``),
which no bank account of a member holds and which every page can show and every column hold.
A caller whose column is narrower passes its own, smaller ``below``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ledger.errors import ValidationFailed, message

MAX_LENGTH = 40
# No bank account holds a hundred billion; the bank import refuses the same.
MAX_AMOUNT = Decimal(10) ** 11
_CURRENCY = re.compile(r"€|\bEUR\b", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_SHAPE = re.compile(r"([+-]?)(\d[\d.,]*)")
_GROUPED = {
    ".": re.compile(r"\d{1,3}(?:\.\d{3})+"),
    ",": re.compile(r"\d{1,3}(?:,\d{3})+"),
}
_WHOLE_EUROS = re.compile(r"(.*\d),-{1,2}")


def parse_amount(
    text: str,
    *,
    field: str = "amount",
    max_places: int | None = 2,
    below: Decimal = MAX_AMOUNT,
) -> Decimal:
    """The number in ``text``; raises ``ValidationFailed`` (for ``field``) if it is not one.

    ``max_places`` refuses more decimals than the currency has (cents for euros); None allows any.
    ``below`` refuses numbers whose size reaches it (a hundred billion unless narrower).
    """
    compact = _compact(text, field)
    match = _SHAPE.fullmatch(compact)
    if match is None:
        raise ValidationFailed(
            message("%(text)s is geen bedrag; schrijf bijvoorbeeld 1.234,56."),
            field=field,
            text=text.strip()[:MAX_LENGTH],
        )
    sign, digits = match.groups()
    number = Decimal(sign + _plain_digits(digits, text, field))
    places = -int(number.as_tuple().exponent)
    if max_places is not None and places > max_places:
        raise ValidationFailed(
            message("%(text)s heeft te veel cijfers achter de komma (hooguit %(places)s)."),
            field=field,
            text=text.strip(),
            places=max_places,
        )
    if abs(number) >= below:
        raise ValidationFailed(
            message(
                "%(text)s is te groot: een bedrag heeft hooguit %(digits)s cijfers voor de komma."
            ),
            field=field,
            text=text.strip(),
            digits=below.adjusted(),
        )
    return number


def amount_in(text: str) -> Decimal | None:
    """The size of the amount ``text`` is, when it is one as ``parse_amount`` reads it
    (``312,40``, ``€ 312,40``, ``-312.40``); None for any other text. For a search box, where a
    treasurer looks for a payment by its amount as often as by its words."""
    try:
        return abs(parse_amount(text))
    except ValidationFailed:
        return None


def is_within_limits(amount: Decimal, below: Decimal = MAX_AMOUNT) -> bool:
    """True for a finite amount smaller than ``below``: what a typed or imported amount may be."""
    return amount.is_finite() and abs(amount) < below


def _compact(text: str, field: str) -> str:
    """Without currency signs and spaces, with ``12,-`` as ``12`` and a unicode minus as ``-``."""
    if len(text) > MAX_LENGTH:
        raise ValidationFailed(message("Dit bedrag is te lang."), field=field)
    compact = _SPACES.sub("", _CURRENCY.sub("", text)).replace("\u2212", "-")
    if compact.startswith("-") or compact.startswith("+"):
        compact = compact[0] + compact[1:].lstrip("€")
    if not compact:
        raise ValidationFailed(message("Vul een bedrag in."), field=field)
    whole = _WHOLE_EUROS.fullmatch(compact)
    return whole.group(1) if whole else compact


def _plain_digits(digits: str, text: str, field: str) -> str:
    """``digits`` with a decimal point and no thousands separators."""
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = digits.rpartition(decimal_mark)
        if group_mark in fraction or decimal_mark in whole or not _is_grouped(whole, group_mark):
            raise _unreadable(text, field)
        return whole.replace(group_mark, "") + "." + fraction
    mark, count = (",", commas) if commas else (".", dots)
    if count == 0:
        return digits
    whole, _, fraction = digits.rpartition(mark)
    if count > 1:
        if not _is_grouped(digits, mark):
            raise _unreadable(text, field)
        return digits.replace(mark, "")
    if len(fraction) == 3 and whole.strip("0"):
        raise ValidationFailed(
            message(
                "%(text)s is dubbelzinnig: bedoel je %(thousands)s of %(decimal)s? "
                "Schrijf duizendtallen zonder punt of komma."
            ),
            field=field,
            text=text.strip(),
            thousands=whole + fraction,
            decimal=whole + "," + fraction,
        )
    if not whole or not fraction:
        raise _unreadable(text, field)
    return whole + "." + fraction


def _is_grouped(digits: str, mark: str) -> bool:
    """True when ``mark`` separates thousands properly: ``1.234.567``, not ``12.34``."""
    return mark not in digits or _GROUPED[mark].fullmatch(digits) is not None


def _unreadable(text: str, field: str) -> ValidationFailed:
    return ValidationFailed(
        message("%(text)s is geen bedrag; schrijf bijvoorbeeld 1.234,56."),
        field=field,
        text=text.strip()[:MAX_LENGTH],
    )
