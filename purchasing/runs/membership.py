"""The membership run: a fee invoice to every organisation on a plan in one invoicing period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed, message
from purchasing.invoices.documents import NewInvoice, NewLine
from purchasing.models import (
    Cadence,
    InvoicePurpose,
    InvoiceRun,
    LineKind,
    MembershipPlan,
    Subscription,
)
from purchasing.plans import due_subscriptions, fee_for, get_plan, invoicing_periods
from purchasing.proration import Period
from purchasing.runs.runs import PlannedInvoice, run_period


def check_membership_period(session: Session, plan_id: int, period: Period) -> None:
    """Refuse a period that is not one of the plan's invoicing periods."""
    plan = get_plan(session, plan_id)
    if period not in invoicing_periods(Cadence(plan.cadence), period.starts_on.year):
        raise ValidationFailed(message("Deze periode past niet bij de regeling."), field="period")


def membership_invoices(session: Session, run: InvoiceRun) -> Sequence[PlannedInvoice]:
    """One fee invoice per organisation on the plan during the period (none for a zero fee).

    An organisation may have several subscriptions in one period (it left and came back, or
    changed size): each becomes a line of that organisation's one invoice, since a run
    invoices an organisation once.
    """
    assert run.plan_id is not None
    plan = get_plan(session, run.plan_id)
    period = run_period(run)
    by_organisation: dict[int, list[Subscription]] = {}
    for subscription in due_subscriptions(session, plan.id, period):
        by_organisation.setdefault(subscription.organisation_id, []).append(subscription)
    invoices = []
    for organisation_id, subscriptions in by_organisation.items():
        lines = [
            line for line in (_fee_line(plan, s, period) for s in subscriptions) if line is not None
        ]
        if not lines:
            continue
        new = NewInvoice(
            supplier_id=plan.bureau_id,
            customer_id=organisation_id,
            purpose=InvoicePurpose.MEMBERSHIP_FEE,
            issued_on=run.issued_on,
            supply_from=min(_supply(s, period)[0] for s in subscriptions),
            supply_until=max(_supply(s, period)[1] for s in subscriptions),
            lines=lines,
        )
        breakdown = {"subscriptions": [s.id for s in subscriptions]}
        invoices.append(PlannedInvoice(organisation_id, new, breakdown))
    return invoices


def _fee_line(plan: MembershipPlan, subscription: Subscription, period: Period) -> NewLine | None:
    fee = fee_for(plan, subscription.size, period, subscription.joined_on, subscription.left_on)
    if not fee.amount:
        return None
    description = f"Contributie {plan.name} {_period_text(period)}"
    if fee.days_on_plan < fee.days_in_period:
        starts_on, ends_on = _supply(subscription, period)
        description += (
            f" ({fee.days_on_plan}/{fee.days_in_period} dagen,"
            f" {starts_on:%d-%m-%Y} t/m {ends_on:%d-%m-%Y})"
        )
    if plan.size_label:
        description += f", {plan.size_label} {subscription.size.normalize():f}"
    return NewLine(
        LineKind.FEE,
        description,
        fee.amount,
        vat_percent=plan.vat_percent,
        vat_exemption=plan.vat_exemption,
    )


def _supply(subscription: Subscription, period: Period) -> tuple[date, date]:
    """The days of ``period`` the subscription covers."""
    return (
        max(period.starts_on, subscription.joined_on),
        min(period.ends_on, subscription.left_on or period.ends_on),
    )


def _period_text(period: Period) -> str:
    return f"{period.starts_on:%d-%m-%Y} t/m {period.ends_on:%d-%m-%Y}"
