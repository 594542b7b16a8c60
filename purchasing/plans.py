"""Membership plans: a yearly fee by size tier, invoiced per year or quarter, pro rata by day.

The fee of one invoicing period, in this order:

1. tier: the highest tier whose threshold the member's size reaches;
2. period fee: the yearly fee itself, or for quarterly plans the yearly fee split over the four
   quarters with ``premiums.allocate`` (so the quarters add up to the year to the cent);
3. pro rata: the period fee × days on the plan in the period / days in the period, rounded
   once (a member joining on 1 July pays half of a yearly fee, 184/365 of it to be exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.models import Cadence, MembershipPlan, PlanTier, Subscription
from purchasing.money import exact_product, is_whole_cents, round_ratio_to_cents
from purchasing.premiums import allocate
from purchasing.proration import Period

QUARTER_STARTS = (1, 4, 7, 10)


@dataclass(frozen=True)
class NewPlan:
    """A plan as the bureau enters it; ``tiers`` as (size threshold, yearly fee)."""

    bureau_id: int
    name: str
    cadence: Cadence
    tiers: Sequence[tuple[Decimal, Decimal]]
    size_label: str = ""
    vat_percent: Decimal | None = None
    vat_exemption: str | None = None


@dataclass(frozen=True)
class Fee:
    """One member's fee for one period, and why."""

    tier_threshold: Decimal
    annual_fee: Decimal
    period_fee: Decimal
    days_on_plan: int
    days_in_period: int
    amount: Decimal


def create_plan(session: Session, new: NewPlan) -> int:
    """Record a membership plan with its tiers."""
    if not any(threshold == 0 for threshold, _ in new.tiers):
        raise ValidationFailed(
            message("Een contributieregeling heeft een staffel vanaf 0 nodig."), field="tiers"
        )
    if any(fee < 0 or not is_whole_cents(fee) for _, fee in new.tiers):
        raise ValidationFailed(
            message("Een contributie is een bedrag in hele centen, niet negatief."), field="tiers"
        )
    if not new.name.strip():
        raise ValidationFailed(message("Geef de regeling een naam."), field="name")
    if session.scalar(select(MembershipPlan.id).where(MembershipPlan.name == new.name.strip())):
        raise ValidationFailed(message("Er is al een regeling met deze naam."), field="name")
    if (new.vat_percent is None) == (new.vat_exemption is None):
        raise ValidationFailed(
            message("Geef een btw-tarief of de reden van vrijstelling."), field="vat_percent"
        )
    plan = MembershipPlan(
        bureau_id=new.bureau_id,
        name=new.name.strip(),
        cadence=new.cadence.value,
        size_label=new.size_label,
        vat_percent=new.vat_percent,
        vat_exemption=new.vat_exemption,
        tiers=[PlanTier(threshold=threshold, annual_fee=fee) for threshold, fee in new.tiers],
    )
    session.add(plan)
    session.flush()
    return plan.id


def subscribe(
    session: Session, plan_id: int, organisation_id: int, size: Decimal, joined_on: date
) -> int:
    """Put an organisation on a plan from ``joined_on`` with its size.

    Organisations join a plan in turns (a lock on the plan), so the form sent twice, or at
    the same moment from two browsers, finds the first subscription and says so, instead of
    running into the unique index as an error page.
    """
    get_plan(session, plan_id)
    if size < 0:
        raise ValidationFailed(message("De omvang kan niet negatief zijn."), field="size")
    session.execute(select(MembershipPlan.id).where(MembershipPlan.id == plan_id).with_for_update())
    current = session.scalar(
        select(Subscription.id).where(
            Subscription.plan_id == plan_id,
            Subscription.organisation_id == organisation_id,
            Subscription.left_on.is_(None),
        )
    )
    if current is not None:
        raise ValidationFailed(
            message("Deze organisatie staat al op deze contributieregeling."),
            field="organisation_id",
        )
    subscription = Subscription(
        plan_id=plan_id, organisation_id=organisation_id, size=size, joined_on=joined_on
    )
    session.add(subscription)
    session.flush()
    return subscription.id


def end_subscription(session: Session, subscription_id: int, left_on: date) -> None:
    """The last day an organisation is on its plan."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound(message("Dit lidmaatschap bestaat niet."))
    if left_on < subscription.joined_on:
        raise ValidationFailed(message("Een periode kan niet eindigen voor ze begint."))
    subscription.left_on = left_on
    session.flush()


def get_plan(session: Session, plan_id: int) -> MembershipPlan:
    plan = session.get(MembershipPlan, plan_id, options=[selectinload(MembershipPlan.tiers)])
    if plan is None:
        raise NotFound(message("Deze contributieregeling bestaat niet."))
    return plan


def invoicing_periods(cadence: Cadence, year: int) -> list[Period]:
    """The periods a plan invoices in ``year``: the year, or its four quarters."""
    if cadence == Cadence.YEARLY:
        return [Period(date(year, 1, 1), date(year, 12, 31))]
    ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]
    return [
        Period(date(year, month, 1), end) for month, end in zip(QUARTER_STARTS, ends, strict=True)
    ]


def fee_for(
    plan: MembershipPlan, size: Decimal, period: Period, joined_on: date, left_on: date | None
) -> Fee:
    """What a member of ``size`` on the plan from ``joined_on`` owes for ``period``."""
    tier = max(
        (tier for tier in plan.tiers if tier.threshold <= size), key=lambda tier: tier.threshold
    )
    periods = invoicing_periods(Cadence(plan.cadence), period.starts_on.year)
    if period not in periods:
        raise ValidationFailed(message("Deze periode past niet bij de regeling."), field="period")
    shares = allocate(tier.annual_fee, {p.starts_on.isoformat(): Decimal(1) for p in periods})
    period_fee = shares[period.starts_on.isoformat()]
    days = period.overlap(joined_on, left_on)
    amount = (
        period_fee
        if days == period.days
        else round_ratio_to_cents(exact_product(period_fee, Decimal(days)), period.days)
    )
    return Fee(tier.threshold, tier.annual_fee, period_fee, days, period.days, amount)


def due_subscriptions(session: Session, plan_id: int, period: Period) -> list[Subscription]:
    """Subscriptions on the plan for at least one day of ``period``, oldest organisation first."""
    return list(
        session.scalars(
            select(Subscription)
            .where(
                Subscription.plan_id == plan_id,
                Subscription.joined_on <= period.ends_on,
                (Subscription.left_on.is_(None)) | (Subscription.left_on >= period.starts_on),
            )
            .order_by(Subscription.organisation_id, Subscription.id)
        )
    )
