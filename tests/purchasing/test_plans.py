"""Membership plans: fee by size tier, yearly or quarterly, pro rata for joining mid-period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from purchasing.errors import ValidationFailed
from purchasing.models import Cadence
from purchasing.plans import (
    NewPlan,
    create_plan,
    due_subscriptions,
    end_subscription,
    fee_for,
    get_plan,
    invoicing_periods,
    subscribe,
)
from purchasing.proration import Period

D = Decimal
EXEMPT = "Vrijgesteld van btw (art. 11 lid 1 onder f Wet OB 1968)"
TIERS = [(D(0), D("100.00")), (D(5), D("250.00")), (D(20), D("600.01"))]
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def make_plan(session, bureau):
    def make(cadence: Cadence = Cadence.YEARLY, name: str | None = None) -> int:
        return create_plan(
            session,
            NewPlan(
                bureau_id=bureau.id,
                name=name or f"Lidmaatschap {cadence} {bureau.slug}",
                cadence=cadence,
                tiers=TIERS,
                size_label="medewerkers",
                vat_exemption=EXEMPT,
            ),
        )

    session.commit()
    return make


def test_the_fee_is_the_highest_tier_the_size_reaches(session, make_plan):
    plan = get_plan(session, make_plan())
    fees = [fee_for(plan, D(size), YEAR, date(2025, 1, 1), None).amount for size in (0, 4, 5, 30)]
    assert fees == [D("100.00"), D("100.00"), D("250.00"), D("600.01")]


def test_a_member_joining_on_the_first_of_july_pays_184_of_365_days(session, make_plan):
    plan = get_plan(session, make_plan())
    fee = fee_for(plan, D(5), YEAR, date(2026, 7, 1), None)
    assert (fee.days_on_plan, fee.days_in_period) == (184, 365)
    assert fee.amount == D("126.03")  # 250 × 184 / 365 = 126.027…, rounded once


def test_four_quarterly_fees_add_up_to_the_yearly_fee_to_the_cent(session, make_plan):
    plan = get_plan(session, make_plan(Cadence.QUARTERLY))
    quarters = invoicing_periods(Cadence.QUARTERLY, 2026)
    fees = [fee_for(plan, D(25), quarter, date(2025, 1, 1), None).amount for quarter in quarters]
    assert sum(fees) == D("600.01")
    assert sorted(fees) == [D("150.00"), D("150.00"), D("150.00"), D("150.01")]


def test_a_member_leaving_mid_quarter_pays_for_its_days_in_that_quarter(session, make_plan):
    plan = get_plan(session, make_plan(Cadence.QUARTERLY))
    q2 = invoicing_periods(Cadence.QUARTERLY, 2026)[1]
    fee = fee_for(plan, D(0), q2, date(2025, 1, 1), date(2026, 5, 15))
    assert (fee.period_fee, fee.days_on_plan, fee.amount) == (D("25.00"), 45, D("12.36"))


def test_a_period_that_is_not_one_of_the_plans_periods_is_refused(session, make_plan):
    plan = get_plan(session, make_plan(Cadence.QUARTERLY))
    with pytest.raises(ValidationFailed):
        fee_for(plan, D(0), YEAR, date(2025, 1, 1), None)


def test_a_plan_needs_a_base_tier_and_a_vat_rate_or_an_exemption(session, bureau):
    with pytest.raises(ValidationFailed):
        create_plan(session, NewPlan(bureau.id, "Zonder basis", Cadence.YEARLY, [(D(5), D(1))]))
    with pytest.raises(ValidationFailed):
        create_plan(session, NewPlan(bureau.id, "Zonder btw", Cadence.YEARLY, TIERS))


def test_due_subscriptions_are_those_on_the_plan_for_a_day_of_the_period(
    session, make_plan, make_org
):
    plan_id = make_plan()
    stays, left, later = make_org(), make_org(), make_org()
    subscribe(session, plan_id, stays.id, D(3), date(2025, 3, 1))
    end_subscription(
        session, subscribe(session, plan_id, left.id, D(3), date(2024, 1, 1)), date(2025, 12, 31)
    )
    subscribe(session, plan_id, later.id, D(3), date(2027, 1, 1))
    due = due_subscriptions(session, plan_id, YEAR)
    assert [subscription.organisation_id for subscription in due] == [stays.id]
