"""Dates and amounts written into the bank's Dutch messages: 01-08-2024 and € 1.234,56."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def day_text(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def amount_text(amount: Decimal) -> str:
    """``€ 1.234,56`` (``€ -12,10`` for money going out), exact to the cent."""
    digits = format(abs(amount), ",.2f").translate(str.maketrans(",.", ".,"))
    return f"€\N{NO-BREAK SPACE}{'-' if amount < 0 else ''}{digits}"
