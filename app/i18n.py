"""Dutch first, English second: locale choice and Dutch number and date formats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask import Flask, request, session
from flask_babel import get_locale
from flask_login import current_user

from app.extensions import babel

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["day"] = day
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["LOCALES"] = LOCALES


def select_locale() -> str:
    """The locale chosen in this browser, else the user's own, else Dutch."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return str(current_user.locale)
    if request and request.args.get("lang") in LOCALES:
        return str(request.args["lang"])
    return DEFAULT_LOCALE


def _babel_locale() -> str:
    return "nl_NL" if str(get_locale()) == "nl" else "en_GB"


def money(amount: Decimal, currency: str = "EUR") -> str:
    """``€ 1.234,56`` in Dutch, ``€1,234.56`` in English."""
    return format_currency(amount, currency, locale=_babel_locale())


def number(amount: Decimal | int) -> str:
    return format_decimal(amount, locale=_babel_locale())


def day(value: date | datetime) -> str:
    """``27 nov 2026`` in Dutch, ``27 Nov 2026`` in English."""
    return format_date(value, format="medium", locale=_babel_locale())
