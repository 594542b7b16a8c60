"""Issuing invoices and credit notes: numbered, with both parties' details, never edited.

Each use case works inside the caller's transaction (a run adds its run item in the same one)
and never commits. Issuing records the two sides' bookings in the outbox in that same
transaction: either the invoice exists with both bookings pending, or nothing does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.entries import (
    Entry,
    InvoiceFacts,
    bureau_invoice_entries,
    key,
    member_invoice_entries,
)
from purchasing.invoices.numbering import (
    CREDIT_NOTE_SERIES,
    INVOICE_SERIES,
    next_number,
    payment_reference,
)
from purchasing.invoices.parties import billing_of, require_bureau
from purchasing.invoices.requirements import (
    refuse_incomplete_customer,
    refuse_incomplete_supplier,
)
from purchasing.models import (
    Booking,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoicePurpose,
    LineKind,
    Side,
)
from purchasing.money import exact_product, from_cents, round_to_cents
from purchasing.rating import Line

ZERO = from_cents(0)
PREMIUM_EXEMPTION = "Vrijgesteld van btw: verzekering (art. 11 lid 1 onder k Wet OB 1968)"
PREMIUM_TAX_NOTE = "Assurantiebelasting, geen btw"


@dataclass(frozen=True)
class NewLine:
    """A line to invoice: ``quantity`` × ``unit_amount``, with a VAT rate or an exemption."""

    kind: LineKind
    description: str
    unit_amount: Decimal
    quantity: Decimal = Decimal(1)
    vat_percent: Decimal | None = None
    vat_exemption: str | None = None

    @property
    def amount(self) -> Decimal:
        return round_to_cents(exact_product(self.quantity, self.unit_amount))

    @property
    def vat_amount(self) -> Decimal:
        if self.vat_percent is None:
            return ZERO
        return round_to_cents(exact_product(self.amount, self.vat_percent, Decimal("0.01")))


@dataclass(frozen=True)
class NewInvoice:
    """An invoice from the bureau ``supplier_id`` to ``customer_id`` for a supply period."""

    supplier_id: int
    customer_id: int
    purpose: InvoicePurpose
    issued_on: date
    supply_from: date
    supply_until: date
    lines: Sequence[NewLine]
    line: Line | None = None  # the insurance line of a premium invoice
    note: str = ""


def issue_invoice(session: Session, new: NewInvoice) -> int:
    """Issue ``new`` with the next number and both sides' bookings pending; returns its id.

    The number is held by the caller's transaction until it ends, so it is never skipped. A
    bureau, or a customer, whose billing details lack what Dutch law asks of an invoice is
    refused before a number is taken.
    """
    _check(new)
    parties = billing_of(session, (new.supplier_id, new.customer_id))  # one read for both
    supplier = require_bureau(parties.get(new.supplier_id))
    bureau = supplier.organisation
    if new.customer_id == bureau.id:
        raise ValidationFailed(message("Het servicebureau factureert niet aan zichzelf."))
    refuse_incomplete_supplier(supplier.party, has_vat=has_vat(new))
    customer = parties.get(new.customer_id)
    if customer is None:
        raise NotFound(message("Deze organisatie bestaat niet."))
    refuse_incomplete_customer(customer.party)
    invoice = _document(
        session, new, InvoiceKind.INVOICE, bureau.id, INVOICE_SERIES, supplier.payment_days
    )
    invoice.supplier, invoice.customer = supplier.party.snapshot(), customer.party.snapshot()
    session.add(invoice)
    session.flush()
    facts = facts_of(invoice, new.line)
    _outbox(session, invoice, Side.BUREAU, bureau.id, bureau_invoice_entries(facts, invoice.id))
    _outbox(
        session, invoice, Side.MEMBER, new.customer_id, member_invoice_entries(facts, invoice.id)
    )
    return invoice.id


def credit_invoice(session: Session, invoice_id: int, issued_on: date, reason: str) -> int:
    """A credit note for the whole of an invoice, referring to it; the invoice stays as issued.

    Both sides get the mirror image of the invoice's bookings; returns the note's id.
    """
    original = session.get(Invoice, invoice_id, with_for_update=True)
    if original is None:
        raise NotFound(message("Deze factuur bestaat niet."))
    if original.kind != InvoiceKind.INVOICE:
        raise ValidationFailed(message("Een creditnota wordt niet zelf gecrediteerd."))
    if session.scalar(select(Invoice.id).where(Invoice.credits_invoice_id == invoice_id)):
        raise ValidationFailed(message("Deze factuur is al gecrediteerd."))
    if issued_on < original.issued_on:
        raise ValidationFailed(
            message("Een creditnota kan niet vóór de factuur liggen."), field="issued_on"
        )
    new = NewInvoice(
        supplier_id=original.supplier_id,
        customer_id=original.customer_id,
        purpose=InvoicePurpose(original.purpose),
        issued_on=issued_on,
        supply_from=original.supply_from,
        supply_until=original.supply_until,
        lines=[_negated(line) for line in original.lines],
        note=reason,
    )
    note = _document(
        session, new, InvoiceKind.CREDIT_NOTE, original.supplier_id, CREDIT_NOTE_SERIES
    )
    note.credits_invoice_id = original.id
    note.supplier, note.customer = original.supplier, original.customer
    session.add(note)
    session.flush()
    for booking in original.bookings:
        mirrored = [
            Entry.from_json(data).mirrored(
                _credit_key(data["key"], original.id, note.id),
                issued_on,
                f"Creditnota {note.number} op factuur {original.number}",
                f"factuur-{original.number}",
            )
            for data in booking.entries
        ]
        _outbox(session, note, Side(booking.side), booking.organisation_id, mirrored)
    return note.id


def issue_credit_note(session: Session, original_id: int, new: NewInvoice) -> int:
    """A partial credit note referring to ``original_id``; returns its id.

    ``new`` carries the credited lines as negative amounts (a correction: part of a premium,
    its costs, its tax). Both sides are booked like an invoice of those negative amounts. An
    invoice may carry several; together they never credit more than it was for.
    """
    original = session.get(Invoice, original_id, with_for_update=True)
    if original is None or original.kind != InvoiceKind.INVOICE:
        raise NotFound(message("Deze factuur bestaat niet."))
    _check(new)
    total = sum((line.amount + line.vat_amount for line in new.lines), ZERO)
    if total >= 0:
        raise ValidationFailed(message("Een creditnota is voor een negatief bedrag."))
    if original.total + credited_on(session, original.id) + total < 0:
        raise ValidationFailed(
            message("Dit crediteert meer dan er op factuur %(number)s staat."),
            number=original.number,
        )
    if new.issued_on < original.issued_on:
        raise ValidationFailed(
            message("Een creditnota kan niet vóór de factuur liggen."), field="issued_on"
        )
    note = _document(
        session, new, InvoiceKind.CREDIT_NOTE, original.supplier_id, CREDIT_NOTE_SERIES
    )
    note.credits_invoice_id = original.id
    note.supplier, note.customer = original.supplier, original.customer
    session.add(note)
    session.flush()
    facts = facts_of(note, new.line)
    _outbox(
        session, note, Side.BUREAU, original.supplier_id, bureau_invoice_entries(facts, note.id)
    )
    _outbox(
        session, note, Side.MEMBER, original.customer_id, member_invoice_entries(facts, note.id)
    )
    return note.id


def has_vat(new: NewInvoice) -> bool:
    """Whether a line is under a VAT rate, so the bureau's VAT number must be on the invoice."""
    return any(line.vat_percent is not None for line in new.lines)


def credited_on(session: Session, invoice_id: int) -> Decimal:
    """The total of the credit notes on an invoice (zero or negative)."""
    found = session.scalar(
        select(func.coalesce(func.sum(Invoice.total), 0)).where(
            Invoice.credits_invoice_id == invoice_id
        )
    )
    return Decimal(found or 0)


def facts_of(invoice: Invoice, line: Line | None) -> InvoiceFacts:
    """What the bookings need of an invoice, summed by kind of line."""

    def total(*kinds: LineKind) -> Decimal:
        return sum((row.amount for row in invoice.lines if row.kind in kinds), ZERO)

    return InvoiceFacts(
        number=invoice.number,
        issued_on=invoice.issued_on,
        supply_from=invoice.supply_from,
        supply_until=invoice.supply_until,
        supplier_name=str(invoice.supplier["name"]),
        customer_name=str(invoice.customer["name"]),
        line=line,
        fee=total(LineKind.FEE),
        vat=invoice.vat_total,
        premium=total(LineKind.PREMIUM, LineKind.COSTS),
        premium_tax=total(LineKind.PREMIUM_TAX),
    )


def _document(
    session: Session,
    new: NewInvoice,
    kind: InvoiceKind,
    supplier_id: int,
    series: str,
    payment_days: int = 0,
) -> Invoice:
    lines = [
        InvoiceLine(
            position=position,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_amount=line.unit_amount,
            amount=line.amount,
            vat_percent=line.vat_percent,
            vat_exemption=line.vat_exemption,
            vat_amount=line.vat_amount,
        )
        for position, line in enumerate(new.lines, start=1)
    ]
    tax = [row for row in lines if row.kind == LineKind.PREMIUM_TAX]
    net = sum((row.amount for row in lines if row.kind != LineKind.PREMIUM_TAX), ZERO)
    vat = sum((row.vat_amount for row in lines), ZERO)
    premium_tax = sum((row.amount for row in tax), ZERO)
    # The number last: the counter row stays locked from here until the transaction ends.
    number = next_number(session, series, new.issued_on.year)
    return Invoice(
        number=number.text,
        series=number.series,
        year=number.year,
        sequence=number.sequence,
        kind=kind,
        purpose=new.purpose,
        supplier_id=supplier_id,
        customer_id=new.customer_id,
        issued_on=new.issued_on,
        supply_from=new.supply_from,
        supply_until=new.supply_until,
        due_on=new.issued_on + timedelta(days=payment_days),
        payment_reference=payment_reference(number),
        net_total=net,
        vat_total=vat,
        premium_tax_total=premium_tax,
        total=net + vat + premium_tax,
        note=new.note,
        lines=lines,
    )


def _outbox(
    session: Session, invoice: Invoice, side: Side, organisation_id: int, entries: list[Entry]
) -> None:
    session.add(
        Booking(
            key=key("invoice", invoice.id, side.value),
            invoice_id=invoice.id,
            side=side,
            organisation_id=organisation_id,
            entries=[entry.to_json() for entry in entries],
        )
    )


def _credit_key(original_key: str, original_id: int, note_id: int) -> str:
    prefix = key("invoice", original_id, "")
    return key("invoice", note_id, "") + original_key.removeprefix(prefix)


def _negated(line: InvoiceLine) -> NewLine:
    return NewLine(
        kind=LineKind(line.kind),
        description=line.description,
        unit_amount=-line.unit_amount,
        quantity=line.quantity,
        vat_percent=line.vat_percent,
        vat_exemption=line.vat_exemption,
    )


def _check(new: NewInvoice) -> None:
    if new.supply_until < new.supply_from:
        raise ValidationFailed(message("Een periode kan niet eindigen voor ze begint."))
    if not new.lines:
        raise ValidationFailed(message("Een factuur heeft minstens één regel."))
    for line in new.lines:
        if (line.vat_percent is None) == (line.vat_exemption is None):
            raise ValidationFailed(
                message("Geef per regel een btw-tarief of de reden van vrijstelling.")
            )
