"""The organisation dashboard: money at hand, this year against last, and what needs attention."""

from __future__ import annotations

from typing import Any

from flask import g, render_template
from flask_babel import gettext as _

from app.dashboard.attention import attention, bank_reconciliations
from app.dashboard.chart import comparison_chart, monthly_chart
from app.dashboard.svg import bar_rects, tick_texts
from app.extensions import db
from app.i18n import month_names
from app.tenancy import organisation_blueprint, requires
from ledger.clock import today
from ledger.overview import Overview, overview
from ledger.reports.journal import journal
from tenants.roles import Role

blueprint = organisation_blueprint("dashboard", __name__)
blueprint.add_app_template_global(bar_rects)
blueprint.add_app_template_global(tick_texts)
RECENT = 8


@blueprint.route("/")
@requires(Role.VIEWER)
def index() -> Any:
    session = db.session()
    figures = overview(session, today())
    reconciliations = bank_reconciliations(session)
    return render_template(
        "dashboard/index.html",
        figures=figures,
        attention=attention(session, g.org.id, reconciliations),
        reconciliations=reconciliations,
        monthly=monthly_chart(figures.this_year, _short_month_names()),
        comparison=comparison_chart(_comparison_rows(figures)),
        recent=journal(session, limit=RECENT).entries,
    )


def _comparison_rows(figures: Overview) -> list[tuple[str, str, Any]]:
    this, last = figures.this_year, figures.last_year
    return [
        (_("Inkomsten dit jaar"), "income", this.income),
        (_("Uitgaven dit jaar"), "expenses", this.expenses),
        (_("Inkomsten vorig jaar"), "income last", last.income),
        (_("Uitgaven vorig jaar"), "expenses last", last.expenses),
    ]


def _short_month_names() -> list[str]:
    return [name.rstrip(".") for name in month_names("abbreviated")]
