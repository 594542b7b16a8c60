"""A chart's repeated elements as SVG markup, written in Python: the dashboard's year chart
has twenty-four bars, each titled with its month and amount, and as a template loop they cost
more than all of the dashboard's other figures (see ``app.cells`` for the same with tables).
Every text is escaped here."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from app.dashboard.chart import Chart
from app.i18n import money_in, reader_locale

# The axis labels stand this far above the chart's bottom edge.
TICK_LIFT = 6


def bar_rects(chart: Chart) -> Markup:
    """Each bar a ``rect`` with its kind as class, titled ``jan: € 1.000,00`` for the reader."""
    locale = reader_locale()
    return Markup(  # noqa: S704 (every text in it escaped)
        "".join(
            f'<rect class="bar {escape(bar.kind)}" x="{bar.x}" y="{bar.y}" width="{bar.width}"'
            f' height="{bar.height}"><title>{escape(bar.label)}:'
            f" {escape(money_in(locale, bar.value))}</title></rect>\n"
            for bar in chart.bars
        )
    )


def tick_texts(chart: Chart) -> Markup:
    """Each axis label a ``text`` centred under its bars."""
    y = chart.height - TICK_LIFT
    return Markup(  # noqa: S704 (every text in it escaped)
        "".join(
            f'<text x="{x}" y="{y}" text-anchor="middle">{escape(name)}</text>'
            for x, name in chart.ticks
        )
    )
