"""A plain transaction as Beancount's printer writes it, made with string operations alone.

Plain means: no posting has a cost, a price or metadata, every currency starts with a capital
letter (the printer aligns amounts on a currency's first capital), and the metadata holds only
text, truth values, numbers and dates. Nearly every transaction of a community organisation is
plain. The text is byte for byte what ``printer.format_entry`` writes
(``tests/ledger/test_export_stream.py`` compares them) at a fraction of its cost: the printer
builds Beancount's objects and renders and aligns each posting's weight, which it then does not
print. Anything else is left to the printer (``ledger.beans``): these functions answer None.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple


class WrittenTransaction(NamedTuple):
    """A transaction already written as text; its date places it among the other directives."""

    date: datetime.date
    text: str


# A posting as written: account, flag, the number as the printer writes it, currency.
PlainPosting = tuple[str, str | None, str, str]


def escape_string(text: str) -> str:
    """Text inside Beancount double quotes: backslashes and quotes escaped, nothing else needed."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def number_text(number: Decimal) -> str:
    """A number as the printer writes it with no display context: every stored digit."""
    return f"{number:f}"


def transaction_text(
    day: datetime.date,
    flag: str | None,
    payee: str | None,
    narration: str | None,
    tags: Collection[str] | None,
    links: Collection[str] | None,
    meta_lines: Sequence[str],
    postings: Sequence[PlainPosting],
) -> str | None:
    """The printer's text of a plain transaction; None when a currency is not plain.

    ``meta_lines`` come from ``plain_meta_lines``; numbers are written as ``number_text``
    writes them (PostgreSQL's text of a NUMERIC is the same).
    """
    for _account, _flag, _number, currency in postings:
        if not "A" <= currency[:1] <= "Z":
            return None
    words = []
    if payee:
        words.append(f'"{escape_string(payee)}"')
    if narration:
        words.append(f'"{escape_string(narration)}"')
    elif payee:
        words.append('""')
    if tags:
        words += [f"#{tag}" for tag in sorted(tags)]
    if links:
        words += [f"^{link}" for link in sorted(links)]
    lines = [f"{day} {flag or ''} {' '.join(words)}", *meta_lines]
    accounts = [f"{p_flag} {account}" if p_flag else account for account, p_flag, _, _ in postings]
    account_width = max(map(len, accounts))
    # The printer's alignment on the currency's first letter, its trailing padding stripped.
    number_width = max(len(number) for _a, _f, number, _c in postings) + 1
    for account, (_account, _flag, number, currency) in zip(accounts, postings, strict=True):
        lines.append(f"  {account:{account_width}}  {number + ' ':>{number_width}}{currency}")
    return "\n".join(lines) + "\n"


def plain_meta_lines(meta: Mapping[str, object]) -> list[str] | None:
    """The printer's metadata lines, or None when a value is of a kind left to the printer."""
    lines = []
    for key, value in meta.items():
        if key.startswith("__") or key in ("filename", "lineno"):
            continue
        if isinstance(value, bool):
            lines.append(f"  {key}: {'TRUE' if value else 'FALSE'}")
        elif isinstance(value, str):
            lines.append(f'  {key}: "{escape_string(value)}"')
        elif isinstance(value, Decimal | datetime.date):
            lines.append(f"  {key}: {value}")
        else:
            return None
    return lines
