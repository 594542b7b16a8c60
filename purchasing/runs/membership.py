"""The membership run: a fee invoice to every organisation on a plan in one invoicing period."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed, message
from purchasing.invoices.documents import NewInvoice, NewLine
from purchasing.models import Cadence, InvoicePurpose, InvoiceRun, LineKind
from purchasing.plans import due_subscriptions, fee_for, get_plan, invoicing_periods
from purchasing.proration import Period
from purchasing.runs.runs import run_period


def check_membership_period(session: Session, plan_id: int, period: Period) -> None:
    """Refuse a period that is not one of the plan's invoicing periods."""
    plan = get_plan(session, plan_id)
    if period not in invoicing_periods(Cadence(plan.cadence), period.starts_on.year):
        raise ValidationFailed(message("Deze periode past niet bij de regeling."), field="period")


def membership_invoices(session: Session, run: InvoiceRun) -> Sequence[tuple[int, NewInvoice]]:
    """One fee invoice per organisation on the plan during the period (none for a zero fee)."""
    assert run.plan_id is not None
    plan = get_plan(session, run.plan_id)
    period = run_period(run)
    invoices = []
    for subscription in due_subscriptions(session, plan.id, period):
        fee = fee_for(plan, subscription.size, period, subscription.joined_on, subscription.left_on)
        if not fee.amount:
            continue
        description = f"Contributie {plan.name} {_period_text(period)}"
        if fee.days_on_plan < fee.days_in_period:
            description += f" ({fee.days_on_plan}/{fee.days_in_period} dagen)"
        line = NewLine(
            LineKind.FEE,
            description,
            fee.amount,
            vat_percent=plan.vat_percent,
            vat_exemption=plan.vat_exemption,
        )
        new = NewInvoice(
            supplier_id=plan.bureau_id,
            customer_id=subscription.organisation_id,
            purpose=InvoicePurpose.MEMBERSHIP_FEE,
            issued_on=run.issued_on,
            supply_from=max(period.starts_on, subscription.joined_on),
            supply_until=min(period.ends_on, subscription.left_on or period.ends_on),
            lines=[line],
        )
        invoices.append((subscription.organisation_id, new))
    return invoices


def _period_text(period: Period) -> str:
    return f"{period.starts_on:%d-%m-%Y} t/m {period.ends_on:%d-%m-%Y}"
