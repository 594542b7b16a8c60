"""Bureau pages of one pool: its members, its runs (premium, correction, true-up), the insurer's
invoices, and the page that watches one run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.books.params import today
from app.extensions import db
from app.form_input import choice, day, figure, text
from app.insurance.bureau import blueprint
from app.insurance.input import MONEY_BELOW
from app.refusals import Errors, Page, attempt, show_again, succeeded
from app.unit_of_work import after_commit
from purchasing import insurance_queries as reads
from purchasing.insurer_invoices import (
    NewInsurerInvoice,
    insurer_invoices_of,
    record_insurer_invoice,
)
from purchasing.models import RunKind, RunStatus
from purchasing.models.pools import InsurerInvoiceKind
from purchasing.pools import get_pool
from purchasing.premiums import Pots
from purchasing.proration import Period
from purchasing.rating import Basis
from purchasing.runs.adjustments import start_correction_run, start_true_up_run
from purchasing.runs.premium import premium_shares
from purchasing.runs.queries import run_view
from purchasing.runs.runs import get_run, start_run
from workers.purchasing_jobs import enqueue_invoice_run
from workers.queues import redis_connection


@blueprint.route("/pools/<int:pool_id>")
def pool(pool_id: int) -> Any:
    return _pool_page(pool_id)


@blueprint.route("/pools/<int:pool_id>/runs", methods=["POST"])
def start_premium_run(pool_id: int) -> Any:
    def act() -> int:
        session = db.session()
        period = _period(request.form)
        premium_shares(session, pool_id, period)  # refuses a period the run would refuse
        return _queued(start_run(session, RunKind.PREMIUM, pool_id, period, _issued_on()))

    return attempt(
        act,
        succeeded(_run_url, _("De premierun is gestart.")),
        show_again(_pool_errors(pool_id), "starts_on"),
    )


@blueprint.route("/pools/<int:pool_id>/corrections", methods=["POST"])
def start_correction(pool_id: int) -> Any:
    """A correctierun: credit notes and extra invoices for what changed after a premium run."""
    return attempt(
        lambda: _queued(
            start_correction_run(db.session(), pool_id, _period(request.form), _issued_on())
        ),
        succeeded(_run_url, _("De correctierun is gestart.")),
        show_again(_pool_errors(pool_id), "starts_on"),
    )


@blueprint.route("/pools/<int:pool_id>/true-ups", methods=["POST"])
def start_true_up(pool_id: int) -> Any:
    """The naverrekening on the actual figures, after the year."""
    return attempt(
        lambda: _queued(
            start_true_up_run(
                db.session(), pool_id, _period(request.form, "true_up_"), _issued_on("true_up_")
            )
        ),
        succeeded(_run_url, _("De naverrekening is gestart.")),
        show_again(_pool_errors(pool_id), "true_up_starts_on"),
    )


@blueprint.route("/pools/<int:pool_id>/insurer-invoices", methods=["POST"])
def new_insurer_invoice(pool_id: int) -> Any:
    form = request.form
    return attempt(
        lambda: record_insurer_invoice(
            db.session(),
            NewInsurerInvoice(
                pool_id=pool_id,
                kind=choice(InsurerInvoiceKind, form, "insurer_kind"),
                period=_period(form, "insurer_"),
                reference=text(form, "reference"),
                received_on=day(form, "received_on", today()),
                pots=Pots(
                    figure(form, "net", places=2, below=MONEY_BELOW),
                    figure(form, "costs", places=2, below=MONEY_BELOW),
                    figure(form, "tax", places=2, below=MONEY_BELOW),
                ),
                entered_by_id=current_user.id,
            ),
        ),
        succeeded(
            url_for(".pool", pool_id=pool_id), _("De factuur van de verzekeraar is vastgelegd.")
        ),
        show_again(_pool_errors(pool_id), "reference"),
    )


@blueprint.route("/runs/<int:run_id>")
def run(run_id: int) -> Any:
    session = db.session()
    view = run_view(session, run_id)
    return render_template(
        "insurance/bureau/run.html",
        run=view,
        pool=get_pool(session, view.subject_id),
        invoices=reads.run_invoices(session, run_id),
        is_busy=view.status in (RunStatus.PENDING, RunStatus.RUNNING),
    )


def _period(form: Mapping[str, str], prefix: str = "") -> Period:
    return Period(day(form, f"{prefix}starts_on"), day(form, f"{prefix}ends_on"))


def _issued_on(prefix: str = "") -> date:
    return day(request.form, f"{prefix}issued_on", today())


def _queued(run_id: int) -> int:
    """Put the run on the queue unless it has finished (asking again resumes it)."""
    if get_run(db.session(), run_id).status != RunStatus.DONE:
        url = current_app.config["REDIS_URL"]
        after_commit(lambda: enqueue_invoice_run(redis_connection(url), run_id))
    return run_id


def _run_url(run_id: int) -> str:
    return url_for(".run", run_id=run_id)


def _pool_errors(pool_id: int) -> Page:
    return lambda errors, values: _pool_page(pool_id, errors, values)


def _pool_page(
    pool_id: int, errors: Errors | None = None, values: Mapping[str, str] | None = None
) -> str:
    session = db.session()
    found = get_pool(session, pool_id)
    month = today().replace(day=1)
    year = found.policy.starts_on
    return render_template(
        "insurance/bureau/pool.html",
        pool=found,
        members=reads.members_of_pool(session, pool_id, today()),
        runs=reads.runs_of_pool(session, pool_id),
        insurer_invoices=insurer_invoices_of(session, pool_id),
        is_trued_up=Basis(found.policy.basis).is_trued_up,
        errors=errors or {},
        values=values
        or {
            "starts_on": month.isoformat(),
            "issued_on": today().isoformat(),
            "true_up_starts_on": year.isoformat(),
            "true_up_ends_on": found.policy.ends_on.isoformat(),
            "insurer_starts_on": month.isoformat(),
        },
    )
