"""An organisation joins a plan once, however often (or however simultaneously) the form is sent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from purchasing.errors import ValidationFailed
from purchasing.models import Subscription
from purchasing.plans import end_subscription, subscribe
from tenants.unit_of_work import unit_of_work
from tests.at_once import at_once
from tests.purchasing import billing
from tests.purchasing.billing import fee_plan

billed_bureau = billing.billed_bureau
member = billing.member
SENDS = 4


def current(engine: Engine, plan_id: int, organisation_id: int) -> int:
    with unit_of_work(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Subscription)
                .where(
                    Subscription.plan_id == plan_id,
                    Subscription.organisation_id == organisation_id,
                    Subscription.left_on.is_(None),
                )
            )
            or 0
        )


def test_subscribing_twice_is_refused_in_words(engine: Engine, session, billed_bureau, member):
    plan_id = fee_plan(session, billed_bureau.id)
    subscribe(session, plan_id, member.id, Decimal(3), date(2026, 1, 1))

    with pytest.raises(ValidationFailed, match="staat al op deze contributieregeling"):
        subscribe(session, plan_id, member.id, Decimal(3), date(2026, 1, 1))


def test_after_leaving_an_organisation_can_join_the_plan_again(session, billed_bureau, member):
    plan_id = fee_plan(session, billed_bureau.id)
    first = subscribe(session, plan_id, member.id, Decimal(3), date(2026, 1, 1))
    end_subscription(session, first, date(2026, 6, 30))

    assert subscribe(session, plan_id, member.id, Decimal(3), date(2026, 7, 1)) != first


def test_four_sends_at_once_make_one_subscription_and_three_refusals(
    engine: Engine, session, billed_bureau, member
):
    plan_id = fee_plan(session, billed_bureau.id)
    session.commit()

    def send() -> int:
        with unit_of_work(engine) as units:
            return subscribe(units, plan_id, member.id, Decimal(3), date(2026, 1, 1))

    outcomes = at_once(SENDS, send)

    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, ValidationFailed) for outcome in outcomes) == SENDS - 1, outcomes
    assert current(engine, plan_id, member.id) == 1
