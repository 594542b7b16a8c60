"""The insurer's own invoice for a pool and period: what runs split, and what the bureau owes.

Without one, a run splits the invoice the rates imply (``shares.expected_pots``). Once bureau
staff have entered what the insurer actually invoiced, runs split those pots instead, so the
bureau's payable to the insurer equals the insurer's invoice to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed, message
from purchasing.models.pools import InsurerInvoice, InsurerInvoiceKind
from purchasing.money import is_whole_cents
from purchasing.pools import get_pool
from purchasing.premiums import Pots
from purchasing.proration import Period


@dataclass(frozen=True)
class NewInsurerInvoice:
    """What bureau staff copy from the insurer's invoice."""

    pool_id: int
    kind: InsurerInvoiceKind
    period: Period
    reference: str
    received_on: date
    pots: Pots
    entered_by_id: int | None = None


def record_insurer_invoice(session: Session, new: NewInsurerInvoice) -> int:
    """Keep the insurer's invoice for a pool and period (one of each kind)."""
    get_pool(session, new.pool_id)
    if not new.reference.strip():
        raise ValidationFailed(
            message("Vul het factuurnummer van de verzekeraar in."), field="reference"
        )
    for name, pot in zip(("net", "costs", "tax"), new.pots, strict=True):
        if not is_whole_cents(pot) or pot < 0:
            raise ValidationFailed(message("Vul een bedrag in hele centen in."), field=name)
    row = InsurerInvoice(
        pool_id=new.pool_id,
        kind=new.kind,
        starts_on=new.period.starts_on,
        ends_on=new.period.ends_on,
        reference=new.reference.strip(),
        received_on=new.received_on,
        net=new.pots.net,
        costs=new.pots.costs,
        tax=new.pots.tax,
        entered_by_id=new.entered_by_id,
    )
    try:
        with session.begin_nested():  # a duplicate is refused without undoing the caller's work
            session.add(row)
    except IntegrityError:
        raise ValidationFailed(
            message("Voor deze pool en periode is deze factuur van de verzekeraar al vastgelegd."),
            field="starts_on",
        ) from None
    return row.id


def insurer_invoice_for(
    session: Session, pool_id: int, period: Period, kind: InsurerInvoiceKind
) -> InsurerInvoice | None:
    """The insurer's invoice of ``kind`` for exactly this pool and period, if entered."""
    return session.scalar(
        select(InsurerInvoice).where(
            InsurerInvoice.pool_id == pool_id,
            InsurerInvoice.kind == kind,
            InsurerInvoice.starts_on == period.starts_on,
            InsurerInvoice.ends_on == period.ends_on,
        )
    )


def pots_of(row: InsurerInvoice) -> Pots:
    return Pots(row.net, row.costs, row.tax)


def insurer_invoices_of(session: Session, pool_id: int) -> list[InsurerInvoice]:
    return list(
        session.scalars(
            select(InsurerInvoice)
            .where(InsurerInvoice.pool_id == pool_id)
            .order_by(InsurerInvoice.starts_on, InsurerInvoice.kind)
        )
    )
