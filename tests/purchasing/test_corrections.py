"""Runs over a pool's periods: no day billed twice, corrections, true-ups, the insurer's invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ledger.errors import ValidationFailed
from purchasing.insurer_invoices import NewInsurerInvoice, record_insurer_invoice
from purchasing.invoices import accounts
from purchasing.models import DeclarationKind, Invoice, InvoiceRun, RunItem, RunKind
from purchasing.models.pools import InsurerInvoiceKind
from purchasing.pools import change_declaration, join, leave
from purchasing.premiums import Pots
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, Line
from purchasing.runs.adjustments import (
    correction_invoices,
    invoiced_pots,
    start_correction_run,
    start_true_up_run,
    true_up_invoices,
)
from purchasing.runs.premium import MemberShare, period_shares, premium_invoices, premium_shares
from purchasing.runs.runs import start_run
from tests.purchasing.billing import make_member
from tests.purchasing.books import balance
from workers.purchasing_jobs import execute_run

D = Decimal
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def avb(session, make_org, make_policy, make_pool):
    """An AVB pool (21% tax), €100 per employee a year plus €36.50 costs, three members."""
    policy_id = make_policy(
        line=Line.AVB,
        basis=Basis.PER_EMPLOYEE,
        tiers=[(D(0), D(100))],
        annual_costs=D("36.50"),
        name="Collectieve AVB 2026",
    )
    pool_id = make_pool(policy_id=policy_id, minimum_members=2)
    orgs = {name: make_member(make_org, session) for name in ("steady", "leaver", "late")}
    enrolments = {
        "steady": join(
            session, pool_id, orgs["steady"].id, Exposure(employees=D(2)), date(2025, 12, 1)
        ),
        "leaver": join(
            session, pool_id, orgs["leaver"].id, Exposure(employees=D(3)), date(2025, 12, 1)
        ),
        "late": join(session, pool_id, orgs["late"].id, Exposure(employees=D(1)), date(2026, 2, 1)),
    }
    session.commit()
    return pool_id, orgs, enrolments


def _run(engine, run_id, planner):
    return execute_run(engine, run_id, planner)


def _premium_run(session, engine, pool_id, period=Q1, issued_on=date(2026, 1, 15)) -> int:
    run_id = start_run(session, RunKind.PREMIUM, pool_id, period, issued_on)
    session.commit()
    _run(engine, run_id, premium_invoices)
    session.commit()
    return run_id


def _runs_of(session, pool_id) -> list[int]:
    session.commit()
    return list(session.scalars(select(InvoiceRun.id).where(InvoiceRun.pool_id == pool_id)))


def _documents(session, run_id) -> list[Invoice]:
    items = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    session.commit()
    return list(session.scalars(select(Invoice).where(Invoice.id.in_(items)).order_by(Invoice.id)))


# 1. No day billed twice.


def test_a_premium_run_overlapping_another_of_the_same_pool_is_refused_with_its_period(
    session, avb
):
    pool_id, _, _ = avb
    first = start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 1, 15))
    assert start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 2, 1)) == first
    overlapping = Period(date(2026, 3, 1), date(2026, 5, 31))
    with pytest.raises(ValidationFailed, match="01-01-2026 t/m 31-03-2026") as refused:
        start_run(session, RunKind.PREMIUM, pool_id, overlapping, date(2026, 3, 1))
    assert refused.value.field == "starts_on"
    next_quarter = Period(date(2026, 4, 1), date(2026, 6, 30))
    assert start_run(session, RunKind.PREMIUM, pool_id, next_quarter, date(2026, 4, 1)) != first


def test_the_database_itself_refuses_two_premium_runs_sharing_a_day(session, avb):
    pool_id, _, _ = avb
    start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 1, 15))
    with pytest.raises(IntegrityError, match="ex_invoice_runs_premium_period"):
        session.execute(
            text(
                "INSERT INTO public.invoice_runs (kind, pool_id, starts_on, ends_on, issued_on)"
                " VALUES ('premium', :pool, '2026-03-31', '2026-04-30', '2026-04-01')"
            ),
            {"pool": pool_id},
        )
    session.rollback()


# 2. A change after invoicing is a correction.


def test_a_change_after_the_premium_run_is_corrected_by_credit_notes_and_extra_invoices(
    session, engine, bureau, avb
):
    pool_id, orgs, enrolments = avb
    session.commit()
    premium_run = _premium_run(session, engine, pool_id)
    originals = {invoice.customer_id: invoice for invoice in _documents(session, premium_run)}

    change_declaration(session, enrolments["steady"], Exposure(employees=D(4)), date(2026, 3, 1))
    leave(session, enrolments["leaver"], date(2026, 1, 10), date(2026, 2, 28))
    run_id = start_correction_run(session, pool_id, Q1, date(2026, 4, 2))
    session.commit()
    result = _run(engine, run_id, correction_invoices)

    documents = {doc.customer_id: doc for doc in _documents(session, run_id)}
    assert result.made_now == len(documents) >= 2
    credit = documents[orgs["leaver"].id]
    assert (credit.kind, credit.credits_invoice_id) == (
        "credit_note",
        originals[credit.customer_id].id,
    )
    assert credit.total < 0 and all(line.amount <= 0 for line in credit.lines)
    assert all("(correctie)" in line.description for line in credit.lines)
    extra = documents[orgs["steady"].id]
    assert extra.kind == "invoice" and extra.total > 0
    # What was invoiced and corrected now equals the shares as lived, pot by pot, exactly.
    invoiced = invoiced_pots(session, _runs_of(session, pool_id))
    assert invoiced == premium_shares(session, pool_id, Q1)
    owed = sum(p.net + p.costs for p in invoiced.values())
    tax = sum(p.tax for p in invoiced.values())
    assert balance(engine, bureau.tenant, accounts.INSURER_PAYABLE) == -owed
    assert balance(engine, bureau.tenant, accounts.PREMIUM_TAX_PAYABLE) == -tax
    assert balance(engine, bureau.tenant, accounts.RECEIVABLE) == owed + tax
    leaver = orgs["leaver"]
    assert balance(engine, leaver.tenant, accounts.PAYABLE) == -(
        originals[leaver.id].total + credit.total
    )


def test_a_correction_run_is_idempotent_and_refused_when_nothing_changed(session, engine, avb):
    pool_id, _, enrolments = avb
    session.commit()
    _premium_run(session, engine, pool_id)
    with pytest.raises(ValidationFailed, match="niets te corrigeren"):
        start_correction_run(session, pool_id, Q1, date(2026, 4, 2))

    change_declaration(session, enrolments["late"], Exposure(employees=D(5)), date(2026, 2, 1))
    run_id = start_correction_run(session, pool_id, Q1, date(2026, 4, 2))
    assert start_correction_run(session, pool_id, Q1, date(2026, 4, 3)) == run_id  # not done yet
    session.commit()
    first = _run(engine, run_id, correction_invoices)
    session.commit()
    again = _run(engine, run_id, correction_invoices)
    assert (first.made_now, again.made_now, again.invoiced) == (first.invoiced, 0, first.invoiced)
    with pytest.raises(ValidationFailed, match="niets te corrigeren"):
        start_correction_run(session, pool_id, Q1, date(2026, 4, 5))


def test_only_a_finished_premium_run_over_exactly_that_period_can_be_corrected(
    session, engine, avb
):
    pool_id, _, _ = avb
    session.commit()
    _premium_run(session, engine, pool_id)
    with pytest.raises(ValidationFailed, match="afgeronde premierun"):
        start_correction_run(
            session, pool_id, Period(date(2026, 1, 1), date(2026, 1, 31)), date(2026, 4, 2)
        )


def test_a_later_lowering_credits_the_members_invoice_again_without_crediting_too_much(
    session, engine, avb
):
    pool_id, orgs, enrolments = avb
    session.commit()
    premium_run = _premium_run(session, engine, pool_id)
    original = next(
        i for i in _documents(session, premium_run) if i.customer_id == orgs["leaver"].id
    )
    for employees, issued_on in ((D(2), date(2026, 4, 2)), (D(1), date(2026, 4, 9))):
        change_declaration(
            session, enrolments["leaver"], Exposure(employees=employees), date(2026, 1, 1)
        )
        started = start_correction_run(session, pool_id, Q1, issued_on)
        session.commit()
        _run(engine, started, correction_invoices)
    notes = list(session.scalars(select(Invoice).where(Invoice.credits_invoice_id == original.id)))
    assert len(notes) == 2
    assert (
        original.total + sum(note.total for note in notes)
        == premium_shares(session, pool_id, Q1)[orgs["leaver"].id].total
    )


# 3. Advance and true-up on payroll.


@pytest.fixture
def verzuim(session, make_org, make_pool):
    """The default verzuim pool: 2.35% of payroll, exempt from premium tax; two members."""
    pool_id = make_pool(minimum_members=2)
    first, second = make_member(make_org, session), make_member(make_org, session)
    enrolments = [
        join(session, pool_id, first.id, Exposure(payroll=D(100_000)), date(2026, 1, 1)),
        join(session, pool_id, second.id, Exposure(payroll=D(50_000)), date(2026, 1, 1)),
    ]
    session.commit()
    return pool_id, (first, second), enrolments


def test_payroll_premium_is_invoiced_as_an_advance_and_trued_up_on_the_actual_payroll(
    session, engine, bureau, verzuim
):
    pool_id, (first, second), enrolments = verzuim
    session.commit()
    advance_run = _premium_run(session, engine, pool_id, YEAR, date(2026, 1, 5))
    advances = {i.customer_id: i for i in _documents(session, advance_run)}
    assert advances[first.id].total == D("2350.00")
    assert all("(voorschot)" in line.description for i in advances.values() for line in i.lines)

    with pytest.raises(ValidationFailed, match="werkelijke cijfers") as refused:
        start_true_up_run(session, pool_id, YEAR, date(2027, 2, 1))
    assert first.name in str(refused.value) and second.name in str(refused.value)

    actual = DeclarationKind.ACTUAL
    change_declaration(
        session, enrolments[0], Exposure(payroll=D(120_000)), date(2026, 1, 1), actual
    )
    change_declaration(
        session, enrolments[1], Exposure(payroll=D(40_000)), date(2026, 1, 1), actual
    )
    run_id = start_true_up_run(session, pool_id, YEAR, date(2027, 2, 1))
    session.commit()
    _run(engine, run_id, true_up_invoices)

    documents = {doc.customer_id: doc for doc in _documents(session, run_id)}
    assert documents[first.id].kind == "invoice" and documents[first.id].total == D("470.00")
    assert documents[second.id].kind == "credit_note" and documents[second.id].total == D("-235.00")
    assert documents[second.id].credits_invoice_id == advances[second.id].id
    assert "(naverrekening)" in documents[first.id].lines[0].description
    due = {org: share.pots for org, share in period_shares(session, pool_id, YEAR, actual).items()}
    assert invoiced_pots(session, _runs_of(session, pool_id)) == due
    assert balance(engine, bureau.tenant, accounts.INSURER_PAYABLE) == -D("3760.00")
    # Trued up: the estimate can no longer correct it, nor can a premium run bill those days.
    with pytest.raises(ValidationFailed, match="nagecalculeerd"):
        start_correction_run(session, pool_id, YEAR, date(2027, 2, 2))


def test_a_line_not_priced_on_payroll_or_turnover_has_no_true_up(session, engine, avb):
    pool_id, _, _ = avb
    with pytest.raises(ValidationFailed, match="geen naverrekening"):
        start_true_up_run(session, pool_id, YEAR, date(2027, 2, 1))


def test_a_true_up_refuses_a_period_that_cuts_a_premium_run_in_half(session, engine, verzuim):
    pool_id, _, _ = verzuim
    session.commit()
    _premium_run(session, engine, pool_id, YEAR, date(2026, 1, 5))
    with pytest.raises(ValidationFailed, match="half"):
        start_true_up_run(session, pool_id, Q1, date(2027, 2, 1))


# 4. The insurer's invoice is what is split and what the bureau owes.


def test_with_the_insurers_invoice_entered_the_run_splits_it_and_owes_the_insurer_exactly_that(
    session, engine, bureau, avb
):
    pool_id, _, _ = avb
    invoiced_by_insurer = Pots(D("123.45"), D("9.99"), D("28.02"))
    record_insurer_invoice(
        session,
        NewInsurerInvoice(
            pool_id,
            InsurerInvoiceKind.ADVANCE,
            Q1,
            "VZ-2026-001",
            date(2026, 1, 10),
            invoiced_by_insurer,
        ),
    )
    session.commit()
    run_id = _premium_run(session, engine, pool_id)

    invoices = _documents(session, run_id)
    assert sum(i.net_total for i in invoices) == D("133.44")
    assert sum(i.premium_tax_total for i in invoices) == D("28.02")
    assert balance(engine, bureau.tenant, accounts.INSURER_PAYABLE) == -D("133.44")
    assert balance(engine, bureau.tenant, accounts.PREMIUM_TAX_PAYABLE) == -D("28.02")
    shares = period_shares(session, pool_id, Q1)
    assert {share.insurer_invoice for share in shares.values()} == {"VZ-2026-001"}
    with pytest.raises(ValidationFailed, match="al vastgelegd"):
        record_insurer_invoice(
            session,
            NewInsurerInvoice(
                pool_id,
                InsurerInvoiceKind.ADVANCE,
                Q1,
                "again",
                date(2026, 1, 11),
                invoiced_by_insurer,
            ),
        )


def test_an_insurers_invoice_entered_after_the_run_is_reached_by_a_correction_run(
    session, engine, bureau, avb
):
    pool_id, _, _ = avb
    session.commit()
    _premium_run(session, engine, pool_id)
    later = Pots(D("60.00"), D("5.00"), D("13.65"))
    record_insurer_invoice(
        session,
        NewInsurerInvoice(pool_id, InsurerInvoiceKind.ADVANCE, Q1, "VZ-9", date(2026, 2, 1), later),
    )
    started = start_correction_run(session, pool_id, Q1, date(2026, 2, 2))
    session.commit()
    _run(engine, started, correction_invoices)
    assert balance(engine, bureau.tenant, accounts.INSURER_PAYABLE) == -D("65.00")
    assert balance(engine, bureau.tenant, accounts.PREMIUM_TAX_PAYABLE) == -D("13.65")


# 5. Why a member pays what it pays, as it was when invoiced.


def test_the_run_item_keeps_the_breakdown_the_invoice_was_made_from(session, engine, avb):
    pool_id, orgs, enrolments = avb
    session.commit()
    run_id = _premium_run(session, engine, pool_id)
    before = period_shares(session, pool_id, Q1)[orgs["steady"].id]
    change_declaration(session, enrolments["steady"], Exposure(employees=D(9)), date(2026, 1, 1))

    item = session.scalar(
        select(RunItem).where(
            RunItem.run_id == run_id, RunItem.organisation_id == orgs["steady"].id
        )
    )
    kept = MemberShare.from_json(item.breakdown)
    assert kept == before
    assert kept.pots.total == session.get(Invoice, item.invoice_id).total
    assert kept.stretches[0][1].exposure == D(2)  # the figure then, not the 9 declared since
