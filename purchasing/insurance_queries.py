"""What the insurance pages show, read in a few queries: rows shaped for one table each.

Reads only, next to the services that write what they read (``policies``, ``pools``, the runs);
the web's views import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from purchasing.models import (
    Booking,
    BookingStatus,
    CoInsured,
    CollectivePolicy,
    Enrolment,
    ExposureDeclaration,
    Insurer,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    LineKind,
    PolicyDocument,
    Pool,
    RunItem,
    Side,
)
from purchasing.queries import current_enrolments, declaration_on, member_counts
from tenants.models import Organisation

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class InsurerOwed:
    """What the bureau invoiced members on an insurer's policies, and so owes that insurer."""

    insurer: Insurer
    premium: Decimal  # net premium plus policy costs
    premium_tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.premium + self.premium_tax


@dataclass(frozen=True)
class PoolRow:
    pool: Pool
    members: int


@dataclass(frozen=True)
class MemberRow:
    """A member of a pool with the figures it declared, as in force on the day shown."""

    organisation: Organisation
    enrolment: Enrolment
    declaration: ExposureDeclaration | None


@dataclass(frozen=True)
class RunInvoiceRow:
    invoice: Invoice
    bureau_booking: BookingStatus
    member_booking: BookingStatus


@dataclass(frozen=True)
class ShareRow:
    """A premium invoice of a member, with the pool and period it is the share of."""

    invoice: Invoice
    run: InvoiceRun
    pool: Pool
    breakdown: dict[str, Any] | None = None  # as kept on the run item when it was issued


def bureau_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.is_bureau)))


def insurers(session: Session) -> list[Insurer]:
    return list(session.scalars(select(Insurer).order_by(Insurer.name)))


def insurers_owed(session: Session) -> list[InsurerOwed]:
    """Per insurer, the premium invoices of its pools' runs, net of their credit notes."""
    origin = func.coalesce(Invoice.credits_invoice_id, Invoice.id)
    rows = session.execute(
        select(CollectivePolicy.insurer_id, InvoiceLine.kind, func.sum(InvoiceLine.amount))
        .select_from(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(RunItem, RunItem.invoice_id == origin)
        .join(InvoiceRun, InvoiceRun.id == RunItem.run_id)
        .join(Pool, Pool.id == InvoiceRun.pool_id)
        .join(CollectivePolicy, CollectivePolicy.id == Pool.policy_id)
        .group_by(CollectivePolicy.insurer_id, InvoiceLine.kind)
    )
    premium: dict[int, Decimal] = {}
    tax: dict[int, Decimal] = {}
    for insurer_id, kind, amount in rows:
        pot = tax if kind == LineKind.PREMIUM_TAX else premium
        pot[insurer_id] = pot.get(insurer_id, ZERO) + amount
    return [
        InsurerOwed(insurer, premium.get(insurer.id, ZERO), tax.get(insurer.id, ZERO))
        for insurer in insurers(session)
    ]


def policies(session: Session) -> list[CollectivePolicy]:
    return list(
        session.scalars(
            select(CollectivePolicy)
            .options(selectinload(CollectivePolicy.insurer))
            .order_by(CollectivePolicy.starts_on.desc(), CollectivePolicy.name)
        )
    )


def pools(session: Session, day: date, policy_id: int | None = None) -> list[PoolRow]:
    """Pools (of one policy, or all) with their members on ``day``."""
    query = select(Pool).options(selectinload(Pool.policy)).order_by(Pool.name, Pool.id)
    if policy_id is not None:
        query = query.where(Pool.policy_id == policy_id)
    found = list(session.scalars(query))
    counts = member_counts(session, [pool.id for pool in found], day)
    return [PoolRow(pool, counts.get(pool.id, 0)) for pool in found]


def members_of_pool(session: Session, pool_id: int, day: date) -> list[MemberRow]:
    """Members covered on ``day`` or joining later, with the declaration in force then."""
    enrolments = current_enrolments(session, pool_id, day)
    names = _organisations(session, {enrolment.organisation_id for enrolment in enrolments})
    return [
        MemberRow(names[enrolment.organisation_id], enrolment, declaration_on(enrolment, day))
        for enrolment in enrolments
    ]


def co_insured(session: Session, policy_id: int) -> list[tuple[Organisation, CoInsured]]:
    rows = list(
        session.scalars(
            select(CoInsured)
            .where(CoInsured.policy_id == policy_id)
            .order_by(CoInsured.named_from, CoInsured.id)
        )
    )
    names = _organisations(session, {row.organisation_id for row in rows})
    return [(names[row.organisation_id], row) for row in rows]


def documents(session: Session, policy_id: int) -> list[PolicyDocument]:
    return list(
        session.scalars(
            select(PolicyDocument)
            .where(PolicyDocument.policy_id == policy_id)
            .order_by(PolicyDocument.id)
        )
    )


def runs_of_pool(session: Session, pool_id: int) -> list[InvoiceRun]:
    return list(
        session.scalars(
            select(InvoiceRun).where(InvoiceRun.pool_id == pool_id).order_by(InvoiceRun.id.desc())
        )
    )


def run_invoices(session: Session, run_id: int) -> list[RunInvoiceRow]:
    """The invoices a run issued, with how far each side's booking has come."""
    invoices = list(
        session.scalars(
            select(Invoice)
            .join(RunItem, RunItem.invoice_id == Invoice.id)
            .where(RunItem.run_id == run_id)
            .order_by(Invoice.id)
        )
    )
    statuses: dict[tuple[int | None, str], set[str]] = {}
    rows = session.execute(
        select(Booking.invoice_id, Booking.side, Booking.status).where(
            Booking.invoice_id.in_([invoice.id for invoice in invoices])
        )
    )
    for invoice_id, side, status in rows:
        statuses.setdefault((invoice_id, side), set()).add(status)
    return [
        RunInvoiceRow(
            invoice,
            _side(statuses.get((invoice.id, Side.BUREAU), set())),
            _side(statuses.get((invoice.id, Side.MEMBER), set())),
        )
        for invoice in invoices
    ]


def enrolments_of(session: Session, organisation_id: int) -> list[Enrolment]:
    """An organisation's enrolments, current and past, newest first."""
    return list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.organisation_id == organisation_id)
            .options(
                selectinload(Enrolment.pool).selectinload(Pool.policy),
                selectinload(Enrolment.declarations),
            )
            .order_by(Enrolment.joined_on.desc(), Enrolment.id.desc())
        )
    )


def shares_of(
    session: Session, organisation_id: int, invoice_id: int | None = None
) -> list[ShareRow]:
    """The organisation's premium invoices and credit notes, newest first.

    A document a run made is read with that run's item (its kept breakdown); a credit note
    made by hand on a premium invoice, with the run of the invoice it credits.
    """
    own, credited = aliased(RunItem), aliased(RunItem)
    run_id = func.coalesce(own.run_id, credited.run_id)
    query = (
        select(Invoice, InvoiceRun, Pool, own.breakdown)
        .outerjoin(own, own.invoice_id == Invoice.id)
        .outerjoin(credited, credited.invoice_id == Invoice.credits_invoice_id)
        .join(InvoiceRun, InvoiceRun.id == run_id)
        .join(Pool, Pool.id == InvoiceRun.pool_id)
        .where(Invoice.customer_id == organisation_id)
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
    )
    if invoice_id is not None:
        query = query.where(Invoice.id == invoice_id)
    return [
        ShareRow(invoice, run, pool, breakdown)
        for invoice, run, pool, breakdown in session.execute(query)
    ]


def share_of(session: Session, organisation_id: int, invoice_id: int) -> ShareRow | None:
    """One premium invoice of the organisation; ``None`` for anyone else's (a 404, not a 403)."""
    found = shares_of(session, organisation_id, invoice_id)
    return found[0] if found else None


def _organisations(session: Session, ids: set[int]) -> dict[int, Organisation]:
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {organisation.id: organisation for organisation in rows}


def _side(statuses: set[str]) -> BookingStatus:
    if BookingStatus.FAILED in statuses:
        return BookingStatus.FAILED
    if not statuses or BookingStatus.PENDING in statuses:
        return BookingStatus.PENDING
    return BookingStatus.BOOKED
