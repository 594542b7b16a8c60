"""Bureau pages of membership fees: plans with size tiers, who is on them, and the fee run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.bureau.access import require_bureau_admin
from app.extensions import db
from app.form_input import chosen_id, day, figure, is_ticked, optional_figure, text
from app.insurance.input import MONEY_BELOW, PERCENT_BELOW
from app.invoices import reads
from app.refusals import attempt, go_back, succeeded
from app.unit_of_work import after_commit
from ledger.clock import today
from ledger.days import is_plausible_day
from purchasing.errors import ValidationFailed, message
from purchasing.models import Cadence, MembershipPlan, RunKind, Subscription
from purchasing.plans import NewPlan, create_plan, end_subscription, get_plan, invoicing_periods
from purchasing.plans import subscribe as subscribe_to
from purchasing.proration import Period
from purchasing.runs.membership import check_membership_period
from purchasing.runs.runs import start_run
from tenants.models import Organisation
from workers.purchasing_jobs import enqueue_invoice_run
from workers.queues import redis_connection

blueprint = Blueprint("plans_bureau", __name__, url_prefix="/bureau")
blueprint.before_request(require_bureau_admin)
TIER_ROWS = 4


@blueprint.route("/plans")
def plans() -> Any:
    rows = db.session().scalars(select(MembershipPlan).order_by(MembershipPlan.name))
    return render_template(
        "invoices/bureau/plans.html",
        plans=list(rows),
        bureaus=reads.bureaus(db.session()),
        tier_rows=range(TIER_ROWS),
    )


@blueprint.route("/plans", methods=["POST"])
def new_plan() -> Any:
    return attempt(
        lambda: create_plan(db.session(), _new_plan(request.form)),
        succeeded(_plan_url, _("Opgeslagen.")),
        go_back(url_for(".plans")),
    )


@blueprint.route("/plans/<int:plan_id>")
def plan(plan_id: int) -> Any:
    session = db.session()
    found = get_plan(session, plan_id)
    year = today().year
    subscriptions = session.execute(
        select(Subscription, Organisation.name)
        .join(Organisation, Organisation.id == Subscription.organisation_id)
        .where(Subscription.plan_id == plan_id)
        .order_by(Organisation.name, Subscription.joined_on)
    ).all()
    return render_template(
        "invoices/bureau/plan.html",
        plan=found,
        subscriptions=subscriptions,
        organisations=reads.member_organisations(session),
        periods=invoicing_periods(Cadence(found.cadence), year)
        + invoicing_periods(Cadence(found.cadence), year + 1),
        today=today(),
    )


@blueprint.route("/plans/<int:plan_id>/subscriptions", methods=["POST"])
def subscribe(plan_id: int) -> Any:
    form = request.form
    return attempt(
        lambda: subscribe_to(
            db.session(), plan_id, chosen_id(form, "organisation_id"), figure(form, "size"),
            day(form, "joined_on"),
        ),
        succeeded(url_for(".plan", plan_id=plan_id), _("Opgeslagen.")),
        go_back(url_for(".plan", plan_id=plan_id)),
    )  # fmt: skip


@blueprint.route("/plans/<int:plan_id>/subscriptions/<int:subscription_id>/end", methods=["POST"])
def end(plan_id: int, subscription_id: int) -> Any:
    return attempt(
        lambda: end_subscription(db.session(), subscription_id, day(request.form, "left_on")),
        succeeded(url_for(".plan", plan_id=plan_id), _("Opgeslagen.")),
        go_back(url_for(".plan", plan_id=plan_id)),
    )


@blueprint.route("/plans/<int:plan_id>/runs", methods=["POST"])
def start_membership_run(plan_id: int) -> Any:
    """Start (or find) the fee run of one period and queue it; its page shows the progress."""

    def act() -> int:
        session = db.session()
        period = _period(text(request.form, "period"))
        check_membership_period(session, plan_id, period)
        issued_on = day(request.form, "issued_on", today())
        run_id = start_run(session, RunKind.MEMBERSHIP, plan_id, period, issued_on)
        url = current_app.config["REDIS_URL"]
        after_commit(lambda: enqueue_invoice_run(redis_connection(url), run_id))
        return run_id

    return attempt(
        act,
        succeeded(lambda run_id: url_for("invoices_bureau.run", run_id=run_id), _("Opgeslagen.")),
        go_back(url_for(".plan", plan_id=plan_id)),
    )


def _plan_url(plan_id: int) -> str:
    return url_for(".plan", plan_id=plan_id)


def _new_plan(form: Mapping[str, str]) -> NewPlan:
    return NewPlan(
        bureau_id=chosen_id(form, "bureau_id"),
        name=text(form, "name"),
        cadence=Cadence.QUARTERLY if is_ticked(form, "cadence", "quarterly") else Cadence.YEARLY,
        tiers=_tiers(form),
        size_label=text(form, "size_label"),
        vat_percent=optional_figure(form, "vat_percent", below=PERCENT_BELOW),
        vat_exemption=text(form, "vat_exemption") or None,
    )


def _tiers(form: Mapping[str, str]) -> list[tuple[Decimal, Decimal]]:
    """The rows with a fee filled in, as (size from, yearly fee)."""
    return [
        (
            figure(form, f"threshold_{row}"),
            figure(form, f"fee_{row}", places=2, below=MONEY_BELOW),
        )
        for row in range(TIER_ROWS)
        if text(form, f"fee_{row}")
    ]


def _period(text: str) -> Period:
    starts, _sep, ends = text.partition("/")
    try:
        period = Period(date.fromisoformat(starts), date.fromisoformat(ends))
    except ValueError:
        raise ValidationFailed(message("Kies een periode."), field="period") from None
    if not (is_plausible_day(period.starts_on) and is_plausible_day(period.ends_on)):
        raise ValidationFailed(message("Kies een periode."), field="period")
    return period
