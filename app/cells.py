"""What a cell of the books' tables shows: an amount, a debit or a credit, an account's name.

Template globals, written in Python because the journal and the ledgers show one per posting,
a few hundred per page: as Jinja macros they were a third of the page's cost. An amount in an
ISO currency is money (``€ 1.234,56``); any other unit is a plain number and its code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask, g, url_for
from markupsafe import Markup, escape

from app.i18n import current_locale, money, number

_EMPTY = Markup("")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        amount=amount,
        debit=debit,
        credit=credit,
        account_label=account_label,
        account_url=account_url,
    )


def amount(value: Decimal | int | None, currency: str) -> Markup:
    """``€ 1.234,56`` for an ISO currency, ``12,5 HOOL`` for other units, nothing for None."""
    if value is None:
        return _EMPTY
    if len(currency) == 3 and currency.isalpha():
        return escape(money(value, currency))
    return escape(f"{number(value)} {currency}")


def debit(value: Decimal | int | None, currency: str) -> Markup:
    """The Debet column: a positive amount (plus is debit), else nothing."""
    if value is None or not value > 0:
        return _EMPTY
    return amount(value, currency)


def credit(value: Decimal | int | None, currency: str) -> Markup:
    """The Credit column: a negative amount written without its sign, else nothing."""
    if value is None or not value < 0:
        return _EMPTY
    return amount(value.copy_negate() if isinstance(value, Decimal) else -value, currency)


def account_label(choice_by_name: dict[str, Any], name: str) -> str:
    """The account's label in the reader's language (Dutch when it has no English one), else
    its name as it is."""
    choice = choice_by_name.get(name)
    if not choice:
        return name
    if choice.label_en and str(current_locale()) == "en":
        return str(choice.label_en)
    return str(choice.label_nl)


def account_url(name: str) -> str:
    """The account's page in this organisation; each account's link is made once per request."""
    made: dict[str, str] | None = g.get("account_urls")
    if made is None:
        made = g.account_urls = {}
    url = made.get(name)
    if url is None:
        url = made[name] = url_for("books.account_page", account=name)
    return url
