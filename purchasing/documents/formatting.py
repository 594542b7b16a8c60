"""Dutch ways of printing amounts and dates on documents (``€ 1.234,56``, ``10-03-2026``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def euro(amount: Decimal) -> str:
    """``€ 1.234,56``; negative as ``€ -1.234,56`` (a credit note's amounts)."""
    text = f"{abs(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {'-' if amount < 0 else ''}{text}"


def percent(value: Decimal) -> str:
    """``21%``, ``9%``, ``5,5%``: no trailing zeros."""
    text = format(value.normalize(), "f").replace(".", ",")
    return f"{text}%"


def day(value: date) -> str:
    return value.strftime("%d-%m-%Y")
