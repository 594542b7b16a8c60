"""Days written into the bank's stored Dutch texts (an ignored line's reason): 01-08-2024."""

from __future__ import annotations

from datetime import date


def day_text(day: date) -> str:
    return day.strftime("%d-%m-%Y")
