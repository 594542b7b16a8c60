"""Factories of the purchasing suites: the bureau, an insurer, policies and pools."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import open_pool
from purchasing.rating import Basis, Line, TierMeasure
from tests.purchasing.billing import make_bureau

TERM_START = date(2026, 1, 1)
TERM_END = date(2026, 12, 31)


@pytest.fixture
def bureau(session: Session, make_org):
    """The bureau, with the complete billing details its invoices need."""
    return make_bureau(make_org, session)


@pytest.fixture
def insurer_id(session: Session) -> int:
    insurer_id = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}", kvk_number="12345678")
    session.commit()
    return insurer_id


@pytest.fixture
def make_policy(session: Session, bureau, insurer_id: int) -> Callable[..., int]:
    """A verzuim policy on payroll at 2.35%, 2.10% from ten members; override any field."""

    def make(**fields: Any) -> int:
        values: dict[str, Any] = {
            "insurer_id": insurer_id,
            "policyholder_id": bureau.id,
            "line": Line.VERZUIM,
            "name": "Collectief verzuim 2026",
            "starts_on": TERM_START,
            "ends_on": TERM_END,
            "basis": Basis.PAYROLL_PERCENT,
            "tiers": [(Decimal(0), Decimal("2.35")), (Decimal(10), Decimal("2.10"))],
            "tier_measure": TierMeasure.MEMBERS,
        }
        policy_id = add_policy(session, NewPolicy(**{**values, **fields}))
        session.commit()
        return policy_id

    return make


@pytest.fixture
def make_pool(session: Session, make_policy) -> Callable[..., int]:
    def make(policy_id: int | None = None, minimum_members: int = 3, **fields: Any) -> int:
        pool_id = open_pool(
            session,
            policy_id or make_policy(),
            fields.pop("name", "Verzuimpool 2026"),
            minimum_members,
            fields.pop("enrolment_opens_on", date(2025, 11, 1)),
            fields.pop("enrolment_closes_on", date(2026, 10, 31)),
        )
        session.commit()
        return pool_id

    return make
