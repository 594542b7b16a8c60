"""The premium run: every member's share of a pool's premium for a period, as an invoice.

``pool_members`` sees the pool on one day. A period is priced as it was lived instead: it is
cut into stretches wherever someone joins, leaves or declares new figures, each stretch is
priced with ``shares.price_pool`` over the members covered in it (so the tier follows who is
in the pool), and a member's shares of the stretches add up to its invoice. Every member
covered on any day of the period is in it; net premium, costs and tax stay separate pots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from purchasing.errors import PoolNotOpen, message
from purchasing.invoices.documents import PREMIUM_EXEMPTION, PREMIUM_TAX_NOTE, NewInvoice, NewLine
from purchasing.models import Enrolment, InvoicePurpose, InvoiceRun, LineKind, Pool, PoolStatus
from purchasing.policies import policy_terms
from purchasing.pools import get_pool
from purchasing.premiums import ZERO_POTS, Pots
from purchasing.proration import Period
from purchasing.queries import declaration_on, exposure_of, member_key
from purchasing.rating import Line
from purchasing.runs.runs import check_period_inside, run_period
from purchasing.shares import Member, PolicyTerms, ShareBreakdown, price_pool


def premium_shares(session: Session, pool_id: int, period: Period) -> dict[int, Pots]:
    """Each covered organisation's pots for ``period``: the sum over its stretches."""
    totals: dict[int, Pots] = {}
    for _, shares in priced_stretches(session, pool_id, period):
        for organisation_id, share in shares.items():
            before = totals.get(organisation_id, ZERO_POTS)
            totals[organisation_id] = Pots(
                *(a + b for a, b in zip(before, share.pots, strict=True))
            )
    return dict(sorted(totals.items()))


def priced_stretches(
    session: Session, pool_id: int, period: Period
) -> list[tuple[Period, dict[int, ShareBreakdown]]]:
    """The period as lived, stretch by stretch, with each covered organisation's breakdown.

    What a premium run invoices (the sum of the stretches) and what a member reads to see why.
    """
    pool = get_pool(session, pool_id)
    if pool.status == PoolStatus.WAITING or pool.started_on is None:
        raise PoolNotOpen(message("Deze pool is nog niet gestart."))
    terms = policy_terms(session, pool.policy)
    check_period_inside(period, terms.term)
    covered = _enrolments(
        session, pool, Period(max(period.starts_on, pool.started_on), period.ends_on)
    )
    return [
        (stretch, _price_stretch(terms, pool, covered, stretch))
        for stretch in stretches(period, covered)
    ]


def premium_invoices(session: Session, run: InvoiceRun) -> Sequence[tuple[int, NewInvoice]]:
    """One invoice per covered organisation: premium, policy costs and premium tax lines."""
    assert run.pool_id is not None
    pool = get_pool(session, run.pool_id)
    policy = pool.policy
    period = run_period(run)
    terms = policy_terms(session, policy)
    invoices = []
    for organisation_id, pots in premium_shares(session, pool.id, period).items():
        if not any(pots):
            continue
        new = NewInvoice(
            supplier_id=policy.policyholder_id,
            customer_id=organisation_id,
            purpose=InvoicePurpose.PREMIUM,
            issued_on=run.issued_on,
            supply_from=period.starts_on,
            supply_until=period.ends_on,
            line=Line(policy.line),
            lines=_lines(policy.name, period, pots, terms.tax_percent),
        )
        invoices.append((organisation_id, new))
    return invoices


def stretches(period: Period, enrolments: Sequence[Enrolment]) -> list[Period]:
    """``period`` cut wherever a covered member joins, leaves or changes its declaration."""
    cuts = {period.starts_on}
    for enrolment in enrolments:
        days = [enrolment.joined_on, *(d.effective_from for d in enrolment.declarations)]
        if enrolment.left_on is not None:
            days.append(enrolment.left_on + timedelta(days=1))
        cuts.update(day for day in days if period.starts_on < day <= period.ends_on)
    starts = sorted(cuts)
    ends = [day - timedelta(days=1) for day in starts[1:]] + [period.ends_on]
    return [Period(start, end) for start, end in zip(starts, ends, strict=True)]


def _price_stretch(
    terms: PolicyTerms, pool: Pool, enrolments: Sequence[Enrolment], stretch: Period
) -> dict[int, ShareBreakdown]:
    assert pool.started_on is not None
    members = {}
    for enrolment in enrolments:
        joined_on = max(enrolment.joined_on, pool.started_on)
        if stretch.overlap(joined_on, enrolment.left_on) == 0:
            continue
        exposure = exposure_of(declaration_on(enrolment, stretch.starts_on))
        member = Member(
            member_key(enrolment.organisation_id), exposure, joined_on, enrolment.left_on
        )
        members[member.key] = (enrolment.organisation_id, member)
    if not members:
        return {}
    shares = price_pool(terms, [member for _, member in members.values()], stretch)
    return {members[share.member][0]: share for share in shares}


def _enrolments(session: Session, pool: Pool, period: Period) -> list[Enrolment]:
    """Enrolments covered on at least one day of ``period``, with their declarations."""
    return list(
        session.scalars(
            select(Enrolment)
            .where(
                Enrolment.pool_id == pool.id,
                Enrolment.joined_on <= period.ends_on,
                (Enrolment.left_on.is_(None)) | (Enrolment.left_on >= period.starts_on),
            )
            .options(selectinload(Enrolment.declarations))
            .order_by(Enrolment.organisation_id, Enrolment.id)
        )
    )


def _lines(name: str, period: Period, pots: Pots, tax_percent: Decimal) -> list[NewLine]:
    span = f"{_day(period.starts_on)} t/m {_day(period.ends_on)}"
    lines = [
        NewLine(
            LineKind.PREMIUM, f"Premie {name}, {span}", pots.net, vat_exemption=PREMIUM_EXEMPTION
        )
    ]
    if pots.costs:
        lines.append(
            NewLine(
                LineKind.COSTS, f"Poliskosten {name}", pots.costs, vat_exemption=PREMIUM_EXEMPTION
            )
        )
    if pots.tax:
        lines.append(
            NewLine(
                LineKind.PREMIUM_TAX,
                f"Assurantiebelasting {tax_percent.normalize()}%",
                pots.tax,
                vat_exemption=PREMIUM_TAX_NOTE,
            )
        )
    return lines


def _day(day: date) -> str:
    return f"{day:%d-%m-%Y}"
