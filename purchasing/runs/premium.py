"""The premium run: every member's share of a pool's premium for a period, as an invoice.

``pool_members`` sees the pool on one day. A period is priced as it was lived instead: it is
cut into stretches wherever someone joins, leaves or declares new figures, or a tax setting
changes, each stretch is priced with ``shares.price_pool`` over the members covered in it (so
the tier follows who is in the pool, and the tax is the one in force then), and a member's
shares of the stretches add up to its invoice. When bureau staff entered the insurer's own
invoice for the period, that invoice is split instead, with each member's weight over the
stretches. Net premium, costs and tax stay separate pots throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from purchasing.errors import PoolNotOpen, message
from purchasing.insurer_invoices import insurer_invoice_for, pots_of
from purchasing.invoices.documents import PREMIUM_EXEMPTION, PREMIUM_TAX_NOTE, NewInvoice, NewLine
from purchasing.models import (
    DeclarationKind,
    Enrolment,
    InvoicePurpose,
    InvoiceRun,
    LineKind,
    Pool,
    PoolStatus,
)
from purchasing.models.pools import InsurerInvoiceKind
from purchasing.policies import terms_schedule
from purchasing.pools import get_pool
from purchasing.premiums import ZERO_POTS, Pots, split_pots
from purchasing.proration import Period
from purchasing.queries import declaration_on, exposure_of, member_key
from purchasing.rating import Basis, Line
from purchasing.runs.runs import PlannedInvoice, check_period_inside, run_period
from purchasing.shares import (
    Member,
    PolicyTerms,
    ShareBreakdown,
    pots_from_json,
    pots_to_json,
    price_pool,
)

Stretch = tuple[Period, ShareBreakdown]


@dataclass(frozen=True)
class MemberShare:
    """One organisation's share of a period: its pots, and why, stretch by stretch.

    ``insurer_invoice`` is the insurer's reference when its invoice was split (the pots are
    then that split; the stretches give the weights).
    """

    pots: Pots
    stretches: tuple[Stretch, ...]
    insurer_invoice: str | None = None

    @property
    def weight(self) -> Decimal:
        return sum((breakdown.weight for _, breakdown in self.stretches), Decimal(0))

    @property
    def tax_percents(self) -> list[Decimal]:
        return sorted({b.tax_percent for _, b in self.stretches if b.taxable_share})

    def to_json(self) -> dict[str, Any]:
        return {
            "pots": pots_to_json(self.pots),
            "insurer_invoice": self.insurer_invoice,
            "stretches": [
                {
                    "starts_on": stretch.starts_on.isoformat(),
                    "ends_on": stretch.ends_on.isoformat(),
                    "breakdown": breakdown.to_json(),
                }
                for stretch, breakdown in self.stretches
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MemberShare:
        stretches = tuple(
            (
                Period(date.fromisoformat(row["starts_on"]), date.fromisoformat(row["ends_on"])),
                ShareBreakdown.from_json(row["breakdown"]),
            )
            for row in data["stretches"]
        )
        return cls(pots_from_json(data["pots"]), stretches, data.get("insurer_invoice"))


def premium_shares(session: Session, pool_id: int, period: Period) -> dict[int, Pots]:
    """Each covered organisation's pots for ``period`` (see ``period_shares``)."""
    return {org: share.pots for org, share in period_shares(session, pool_id, period).items()}


def period_shares(
    session: Session,
    pool_id: int,
    period: Period,
    kind: DeclarationKind = DeclarationKind.ESTIMATE,
) -> dict[int, MemberShare]:
    """Each covered organisation's share of ``period``, priced on declarations of ``kind``.

    Estimates give the advance (and split the insurer's advance invoice, if entered); actual
    figures give what was due (and split the insurer's final invoice, if entered).
    """
    lived: dict[int, list[Stretch]] = {}
    for stretch, shares in priced_stretches(session, pool_id, period, kind):
        for organisation_id, breakdown in shares.items():
            lived.setdefault(organisation_id, []).append((stretch, breakdown))
    invoice_kind = (
        InsurerInvoiceKind.FINAL if kind == DeclarationKind.ACTUAL else InsurerInvoiceKind.ADVANCE
    )
    invoice = insurer_invoice_for(session, pool_id, period, invoice_kind)
    if invoice is None:
        return {
            organisation_id: MemberShare(_sum(b.pots for _, b in rows), tuple(rows))
            for organisation_id, rows in sorted(lived.items())
        }
    weights = {
        member_key(organisation_id): MemberShare(ZERO_POTS, tuple(rows)).weight
        for organisation_id, rows in lived.items()
    }
    split = split_pots(pots_of(invoice), weights)
    return {
        organisation_id: MemberShare(
            split[member_key(organisation_id)], tuple(rows), invoice.reference
        )
        for organisation_id, rows in sorted(lived.items())
    }


def priced_stretches(
    session: Session,
    pool_id: int,
    period: Period,
    kind: DeclarationKind = DeclarationKind.ESTIMATE,
) -> list[tuple[Period, dict[int, ShareBreakdown]]]:
    """The period as lived, stretch by stretch, with each covered organisation's breakdown."""
    pool = get_pool(session, pool_id)
    if pool.status == PoolStatus.WAITING or pool.started_on is None:
        raise PoolNotOpen(message("Deze pool is nog niet gestart."))
    schedule = terms_schedule(session, pool.policy)
    check_period_inside(period, schedule.term)
    covered = covered_enrolments(
        session, pool, Period(max(period.starts_on, pool.started_on), period.ends_on)
    )
    return [
        (stretch, _price_stretch(schedule.on(stretch.starts_on), pool, covered, stretch, kind))
        for stretch in stretches(period, covered, schedule.change_days)
    ]


def premium_invoices(session: Session, run: InvoiceRun) -> Sequence[PlannedInvoice]:
    """One invoice per covered organisation: premium, policy costs and premium tax lines.

    On a line trued up after the year (payroll, turnover) the invoice is an advance, and its
    lines say so. Each keeps the member's breakdown for the "why do I pay this" page.
    """
    assert run.pool_id is not None
    pool = get_pool(session, run.pool_id)
    policy = pool.policy
    period = run_period(run)
    note = "voorschot" if Basis(policy.basis).is_trued_up else ""
    invoices = []
    for organisation_id, share in period_shares(session, pool.id, period).items():
        if not any(share.pots):
            continue
        lines = pot_lines(policy.name, period, share.pots, share.tax_percents, note)
        new = premium_invoice(pool, organisation_id, run.issued_on, period, lines)
        invoices.append(PlannedInvoice(organisation_id, new, {"kind": run.kind, **share.to_json()}))
    return invoices


def premium_invoice(
    pool: Pool, organisation_id: int, issued_on: date, period: Period, lines: Sequence[NewLine]
) -> NewInvoice:
    return NewInvoice(
        supplier_id=pool.policy.policyholder_id,
        customer_id=organisation_id,
        purpose=InvoicePurpose.PREMIUM,
        issued_on=issued_on,
        supply_from=period.starts_on,
        supply_until=period.ends_on,
        line=Line(pool.policy.line),
        lines=lines,
    )


def stretches(
    period: Period, enrolments: Sequence[Enrolment], extra_cuts: Iterable[date] = ()
) -> list[Period]:
    """``period`` cut wherever a covered member joins, leaves or changes its declaration,
    and on ``extra_cuts`` (days a tax setting changes)."""
    cuts = {period.starts_on}
    days = list(extra_cuts)
    for enrolment in enrolments:
        days += [enrolment.joined_on, *(d.effective_from for d in enrolment.declarations)]
        if enrolment.left_on is not None:
            days.append(enrolment.left_on + timedelta(days=1))
    cuts.update(day for day in days if period.starts_on < day <= period.ends_on)
    starts = sorted(cuts)
    ends = [day - timedelta(days=1) for day in starts[1:]] + [period.ends_on]
    return [Period(start, end) for start, end in zip(starts, ends, strict=True)]


def pot_lines(
    name: str, period: Period, pots: Pots, tax_percents: Sequence[Decimal], note: str = ""
) -> list[NewLine]:
    """The invoice lines of a share (or of a difference): one per pot that is not zero.

    ``note`` says what kind of amount it is (``voorschot``, ``correctie``, ``naverrekening``).
    """
    suffix = f" ({note})" if note else ""
    span = f"{_day(period.starts_on)} t/m {_day(period.ends_on)}"
    percents = " / ".join(f"{percent.normalize()}%" for percent in tax_percents)
    candidates = [
        (LineKind.PREMIUM, f"Premie {name}, {span}{suffix}", pots.net, PREMIUM_EXEMPTION),
        (LineKind.COSTS, f"Poliskosten {name}{suffix}", pots.costs, PREMIUM_EXEMPTION),
        (
            LineKind.PREMIUM_TAX,
            f"Assurantiebelasting {percents}".strip() + suffix,
            pots.tax,
            PREMIUM_TAX_NOTE,
        ),
    ]
    return [
        NewLine(kind, description, amount, vat_exemption=exemption)
        for kind, description, amount, exemption in candidates
        if amount or (kind == LineKind.PREMIUM and not any(pots))
    ]


def _price_stretch(
    terms: PolicyTerms,
    pool: Pool,
    enrolments: Sequence[Enrolment],
    stretch: Period,
    kind: DeclarationKind,
) -> dict[int, ShareBreakdown]:
    assert pool.started_on is not None
    members = {}
    for enrolment in enrolments:
        joined_on = max(enrolment.joined_on, pool.started_on)
        if stretch.overlap(joined_on, enrolment.left_on) == 0:
            continue
        exposure = exposure_of(declaration_on(enrolment, stretch.starts_on, kind))
        member = Member(
            member_key(enrolment.organisation_id), exposure, joined_on, enrolment.left_on
        )
        members[member.key] = (enrolment.organisation_id, member)
    if not members:
        return {}
    shares = price_pool(terms, [member for _, member in members.values()], stretch)
    return {members[share.member][0]: share for share in shares}


def covered_enrolments(session: Session, pool: Pool, period: Period) -> list[Enrolment]:
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


def _sum(pots: Iterable[Pots]) -> Pots:
    total = ZERO_POTS
    for each in pots:
        total = Pots(*(a + b for a, b in zip(total, each, strict=True)))
    return total


def _day(day: date) -> str:
    return f"{day:%d-%m-%Y}"
