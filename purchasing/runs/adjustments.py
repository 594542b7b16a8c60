"""Correction and true-up runs: what was invoiced stays; the difference becomes a new document.

A correction run follows a change after a premium run (a new declaration, someone leaving):
it prices the premium run's period again on the estimates, compares each member's pots with
what its invoices and credit notes of that period already say (read from their lines), and
issues a partial credit note referring to the member's invoice, or an extra invoice. A
true-up run (naverrekening) does the same over a year of a payroll or turnover line, priced
on the ACTUAL figures members reported, against everything invoiced as advance and
corrected since. Both run through the run machinery: once per member, resumable, booked on
both sides through the booking outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from purchasing.corrections import Correction, corrections
from purchasing.errors import ValidationFailed, message
from purchasing.invoices.documents import credited_on
from purchasing.models import (
    DeclarationKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceRun,
    LineKind,
    RunItem,
    RunKind,
    RunStatus,
)
from purchasing.pools import get_pool
from purchasing.premiums import ZERO_POTS, Pots
from purchasing.proration import Period
from purchasing.queries import declaration_on, member_key
from purchasing.rating import Basis
from purchasing.runs.premium import (
    MemberShare,
    covered_enrolments,
    period_shares,
    pot_lines,
    premium_invoice,
)
from purchasing.runs.runs import PlannedInvoice, run_period, start_run
from purchasing.shares import pots_to_json
from tenants.models import Organisation

NOTES = {RunKind.CORRECTION: "correctie", RunKind.TRUE_UP: "naverrekening"}


def start_correction_run(session: Session, pool_id: int, period: Period, issued_on: date) -> int:
    """The correction run of a premium run's period: the unfinished one, or a new one.

    Refused when there is no finished premium run for exactly that period, when the period
    was trued up already, or when nothing changed. Commits.
    """
    pool = get_pool(session, pool_id)
    runs = _runs(session, pool.id, period, exact=True)
    if not any(r.kind == RunKind.PREMIUM and r.status == RunStatus.DONE for r in runs):
        raise ValidationFailed(
            message("Corrigeer alleen een afgeronde premierun, over precies diens periode."),
            field="starts_on",
        )
    _refuse_if_trued_up(session, pool.id, period)
    unfinished = [r for r in runs if r.kind == RunKind.CORRECTION and r.status != RunStatus.DONE]
    if not unfinished and not _differences(session, pool.id, period, RunKind.CORRECTION, None):
        raise ValidationFailed(
            message("Er is niets te corrigeren: de facturen kloppen met de huidige opgaven."),
            field="starts_on",
        )
    return start_run(session, RunKind.CORRECTION, pool.id, period, issued_on)


def start_true_up_run(session: Session, pool_id: int, period: Period, issued_on: date) -> int:
    """The true-up run of a pool over ``period``, once every member reported actual figures.

    Only for lines priced on payroll or turnover; every premium run it settles lies wholly
    inside the period. Commits.
    """
    pool = get_pool(session, pool_id)
    if not Basis(pool.policy.basis).is_trued_up:
        raise ValidationFailed(
            message(
                "Deze polis kent geen naverrekening: de premie hangt niet af van loonsom of omzet."
            ),
            field="starts_on",
        )
    for run in _runs(session, pool.id, period, exact=False):
        inside = period.starts_on <= run.starts_on and run.ends_on <= period.ends_on
        if run.kind == RunKind.PREMIUM and not inside:
            raise ValidationFailed(
                message(
                    "De premierun van %(starts_on)s t/m %(ends_on)s valt maar half in deze periode."
                ),
                field="starts_on",
                starts_on=f"{run.starts_on:%d-%m-%Y}",
                ends_on=f"{run.ends_on:%d-%m-%Y}",
            )
    _refuse_missing_actuals(session, pool.id, period)
    return start_run(session, RunKind.TRUE_UP, pool.id, period, issued_on)


def correction_invoices(session: Session, run: InvoiceRun) -> Sequence[PlannedInvoice]:
    """The planner of a correction run: one document per member whose share changed."""
    return _plan(session, run)


def true_up_invoices(session: Session, run: InvoiceRun) -> Sequence[PlannedInvoice]:
    """The planner of a true-up run: one document per member whose actual share differs."""
    return _plan(session, run)


def invoiced_pots(session: Session, run_ids: Sequence[int]) -> dict[int, Pots]:
    """Per organisation, the pots its invoices of these runs carry, net of credit notes on them.

    Read from the invoice lines: what was invoiced, whatever the rates say today.
    """
    items = select(RunItem.invoice_id).where(RunItem.run_id.in_(run_ids))
    rows = session.execute(
        select(Invoice.customer_id, InvoiceLine.kind, func.sum(InvoiceLine.amount))
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(Invoice.id.in_(items) | Invoice.credits_invoice_id.in_(items))
        .group_by(Invoice.customer_id, InvoiceLine.kind)
    )
    found: dict[int, Pots] = {}
    for organisation_id, kind, amount in rows:
        net, costs, tax = found.get(organisation_id, ZERO_POTS)
        if kind == LineKind.PREMIUM:
            net += amount
        elif kind == LineKind.COSTS:
            costs += amount
        elif kind == LineKind.PREMIUM_TAX:
            tax += amount
        found[organisation_id] = Pots(net, costs, tax)
    return found


def _plan(session: Session, run: InvoiceRun) -> list[PlannedInvoice]:
    assert run.pool_id is not None
    kind, period = RunKind(run.kind), run_period(run)
    pool = get_pool(session, run.pool_id)
    planned = []
    for organisation_id, correction, share in _differences(session, pool.id, period, kind, run.id):
        difference = correction.difference
        lines = pot_lines(
            pool.policy.name, period, difference, share.tax_percents if share else [], NOTES[kind]
        )
        new = premium_invoice(pool, organisation_id, run.issued_on, period, lines)
        credits = None
        if difference.total < 0:
            credits = _credit_target(
                session, organisation_id, _earlier(session, run), -difference.total
            )
        breakdown = {
            "kind": kind.value,
            "invoiced": pots_to_json(correction.invoiced),
            "difference": pots_to_json(difference),
            **(share or MemberShare(ZERO_POTS, ())).to_json(),
        }
        planned.append(PlannedInvoice(organisation_id, new, breakdown, credits))
    return planned


def _differences(
    session: Session, pool_id: int, period: Period, kind: RunKind, run_id: int | None
) -> list[tuple[int, Correction, MemberShare | None]]:
    """Each member whose due pots differ from what the earlier runs invoiced it."""
    earlier = [r.id for r in _settled_runs(session, pool_id, period, kind) if r.id != run_id]
    invoiced = {member_key(org): pots for org, pots in invoiced_pots(session, earlier).items()}
    declarations = DeclarationKind.ACTUAL if kind == RunKind.TRUE_UP else DeclarationKind.ESTIMATE
    shares = period_shares(session, pool_id, period, declarations)
    due = {member_key(org): share.pots for org, share in shares.items()}
    found = []
    for correction in corrections(invoiced, due):
        difference = correction.difference
        if not (difference.net + difference.costs) and not difference.tax:
            continue
        organisation_id = int(correction.member)
        found.append((organisation_id, correction, shares.get(organisation_id)))
    return found


def _settled_runs(
    session: Session, pool_id: int, period: Period, kind: RunKind
) -> list[InvoiceRun]:
    """The runs whose documents a correction (exact period) or true-up (inside) settles."""
    if kind == RunKind.CORRECTION:
        runs = _runs(session, pool_id, period, exact=True)
    else:
        runs = [
            run
            for run in _runs(session, pool_id, period, exact=False)
            if period.starts_on <= run.starts_on and run.ends_on <= period.ends_on
        ]
    return [run for run in runs if run.kind in (RunKind.PREMIUM, RunKind.CORRECTION)]


def _earlier(session: Session, run: InvoiceRun) -> list[int]:
    return [
        r.id
        for r in _settled_runs(session, run.pool_id or 0, run_period(run), RunKind(run.kind))
        if r.id != run.id
    ]


def _credit_target(
    session: Session, organisation_id: int, run_ids: Sequence[int], amount: Decimal
) -> int:
    """The member's invoice a credit note refers to: its latest one in these runs that still
    carries at least ``amount``, or else its largest (the credit note then says how much)."""
    invoices = list(
        session.scalars(
            select(Invoice)
            .join(RunItem, RunItem.invoice_id == Invoice.id)
            .where(
                RunItem.run_id.in_(run_ids),
                Invoice.customer_id == organisation_id,
                Invoice.kind == InvoiceKind.INVOICE,
            )
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        )
    )
    if not invoices:
        raise ValidationFailed(message("Er is geen factuur om te crediteren."))
    remaining = {
        invoice.id: invoice.total + credited_on(session, invoice.id) for invoice in invoices
    }
    for invoice in invoices:
        if remaining[invoice.id] >= amount:
            return invoice.id
    return max(invoices, key=lambda invoice: remaining[invoice.id]).id


def _runs(session: Session, pool_id: int, period: Period, *, exact: bool) -> list[InvoiceRun]:
    query = select(InvoiceRun).where(InvoiceRun.pool_id == pool_id).order_by(InvoiceRun.id)
    if exact:
        query = query.where(
            InvoiceRun.starts_on == period.starts_on, InvoiceRun.ends_on == period.ends_on
        )
    else:
        query = query.where(
            InvoiceRun.starts_on <= period.ends_on, InvoiceRun.ends_on >= period.starts_on
        )
    return list(session.scalars(query))


def _refuse_if_trued_up(session: Session, pool_id: int, period: Period) -> None:
    if any(r.kind == RunKind.TRUE_UP for r in _runs(session, pool_id, period, exact=False)):
        raise ValidationFailed(
            message(
                "Deze periode is al nagecalculeerd; een correctie op de schatting kan niet meer."
            ),
            field="starts_on",
        )


def _refuse_missing_actuals(session: Session, pool_id: int, period: Period) -> None:
    """A true-up on missing figures would credit the whole advance: name who must report."""
    pool = get_pool(session, pool_id)
    started = pool.started_on or period.starts_on
    covered = covered_enrolments(
        session, pool, Period(max(period.starts_on, started), period.ends_on)
    )
    actual = DeclarationKind.ACTUAL
    missing = {
        e.organisation_id for e in covered if declaration_on(e, period.ends_on, actual) is None
    }
    if missing:
        names = session.scalars(select(Organisation.name).where(Organisation.id.in_(missing)))
        raise ValidationFailed(
            message("Nog niet alle deelnemers hebben hun werkelijke cijfers opgegeven: %(names)s."),
            field="starts_on",
            names=", ".join(sorted(names)),
        )
