"""Bar charts drawn as inline SVG on the server: no chart library, no script, readable in print.

Geometry only: heights are proportions of the largest bar, in the SVG's own units, rounded to
a tenth. The page puts the same figures in a table beside it for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ledger.overview import YearResult

WIDTH = 600
HEIGHT = 200
TOP = 10
BOTTOM = 24
TENTH = Decimal("0.1")
LABEL_WIDTH = 230
VALUE_WIDTH = 120
ROW_HEIGHT = Decimal(32)


@dataclass(frozen=True, slots=True)
class Bar:
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    kind: str
    value: Decimal
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    baseline: Decimal
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[Decimal, str], ...]


def monthly_chart(year: YearResult, month_names: list[str]) -> Chart:
    """Income and expenses side by side for each month of the year."""
    largest = max(
        [m.income for m in year.months] + [m.expenses for m in year.months] + [Decimal(1)]
    )
    slot = Decimal(WIDTH) / len(year.months)
    bar_width = (slot * Decimal("0.36")).quantize(TENTH)
    bars, ticks = [], []
    for index, month in enumerate(year.months):
        left = slot * index + slot * Decimal("0.12")
        name = month_names[month.month.month - 1]
        bars.append(_bar(left, bar_width, month.income, largest, "income", name))
        bars.append(_bar(left + bar_width, bar_width, month.expenses, largest, "expenses", name))
        ticks.append((_round(slot * index + slot / 2), name))
    return Chart(WIDTH, HEIGHT, Decimal(HEIGHT - BOTTOM), tuple(bars), tuple(ticks))


def _bar(
    left: Decimal, width: Decimal, value: Decimal, largest: Decimal, kind: str, label: str
) -> Bar:
    room = Decimal(HEIGHT - BOTTOM - TOP)
    height = room * max(value, Decimal(0)) / largest
    return Bar(
        _round(left),
        _round(Decimal(HEIGHT - BOTTOM) - height),
        width,
        _round(height),
        kind,
        value,
        label,
    )


def comparison_chart(rows: list[tuple[str, str, Decimal]]) -> Chart:
    """Horizontal bars, one per (label, kind, value) row, labelled: this year against last.

    Each bar's ``x`` is where it starts after the row label; its value is written after it.
    """
    largest = max([value for _label, _kind, value in rows] + [Decimal(1)])
    room = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)
    bars = tuple(
        Bar(
            Decimal(LABEL_WIDTH),
            ROW_HEIGHT * index + 6,
            _round(room * max(value, Decimal(0)) / largest),
            ROW_HEIGHT - 12,
            kind,
            value,
            label,
        )
        for index, (label, kind, value) in enumerate(rows)
    )
    return Chart(WIDTH, int(ROW_HEIGHT * len(rows)), Decimal(0), bars, ())


def _round(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)
