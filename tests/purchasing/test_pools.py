"""Pools against PostgreSQL: open, list, quote, join, declare, leave, start at the minimum."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from purchasing.errors import EnrolmentRefused, PoolNotOpen, TermsInvalid, ValidationFailed
from purchasing.models import (
    CoInsured,
    DeclarationKind,
    Enrolment,
    ExposureDeclaration,
    Pool,
    VolunteerScheme,
)
from purchasing.policies import (
    NewPolicy,
    add_policy,
    attach_document,
    policy_terms,
    record_volunteer_scheme,
)
from purchasing.pools import change_declaration, join, leave, members_on, quote
from purchasing.queries import member_key, pools_open_to
from purchasing.rating import Basis, Exposure, Line
from purchasing.shares import price_pool

D = Decimal
PAYROLL = Exposure(employees=D(3), fte=D("2.4"), payroll=D("100000"))
DEC_1 = date(2025, 12, 1)


def test_a_pool_waits_until_it_reaches_its_minimum_then_starts(session, make_org, make_pool):
    pool_id = make_pool(minimum_members=2)
    join(session, pool_id, make_org().id, PAYROLL, DEC_1)
    session.commit()
    assert session.get(Pool, pool_id).status == "waiting"
    join(session, pool_id, make_org().id, PAYROLL, date(2025, 12, 15))
    session.commit()
    pool = session.get(Pool, pool_id)
    assert (pool.status, pool.started_on) == ("active", date(2026, 1, 1))


def test_joining_names_the_organisation_co_insured_and_records_its_declaration(
    session, make_org, make_pool
):
    pool_id, org = make_pool(), make_org()
    enrolment_id = join(session, pool_id, org.id, PAYROLL, DEC_1)
    [declaration] = session.scalars(
        select(ExposureDeclaration).where(ExposureDeclaration.enrolment_id == enrolment_id)
    ).all()
    assert (declaration.payroll, declaration.kind) == (D("100000.00"), "estimate")
    [named] = session.scalars(select(CoInsured).where(CoInsured.organisation_id == org.id)).all()
    assert (named.named_from, named.named_until) == (DEC_1, None)


def test_an_organisation_cannot_join_the_same_pool_twice(session, make_org, make_pool):
    pool_id, org = make_pool(), make_org()
    join(session, pool_id, org.id, PAYROLL, DEC_1)
    with pytest.raises(EnrolmentRefused):
        join(session, pool_id, org.id, PAYROLL, date(2025, 12, 2))


def test_nobody_joins_outside_the_enrolment_window(session, make_org, make_pool):
    pool_id = make_pool(enrolment_closes_on=date(2025, 12, 31))
    with pytest.raises(PoolNotOpen):
        join(session, pool_id, make_org().id, PAYROLL, date(2026, 1, 1))


def test_a_changed_declaration_is_a_new_row_and_the_old_one_stays(session, make_org, make_pool):
    enrolment_id = join(session, make_pool(), make_org().id, PAYROLL, DEC_1)
    change_declaration(session, enrolment_id, Exposure(payroll=D("80000")), date(2026, 7, 1))
    change_declaration(
        session,
        enrolment_id,
        Exposure(payroll=D("90000")),
        date(2026, 12, 31),
        kind=DeclarationKind.ACTUAL,
    )
    rows = session.scalars(
        select(ExposureDeclaration.payroll)
        .where(ExposureDeclaration.enrolment_id == enrolment_id)
        .order_by(ExposureDeclaration.id)
    ).all()
    assert rows == [D("100000.00"), D("80000.00"), D("90000.00")]


def test_the_declaration_in_force_prices_the_member_on_that_day(session, make_org, make_pool):
    pool_id, org = make_pool(minimum_members=1), make_org()
    enrolment_id = join(session, pool_id, org.id, PAYROLL, DEC_1)
    change_declaration(session, enrolment_id, Exposure(payroll=D("80000")), date(2026, 7, 1))
    [before] = members_on(session, pool_id, date(2026, 6, 30))
    [after] = members_on(session, pool_id, date(2026, 7, 1))
    assert (before.exposure.payroll, after.exposure.payroll) == (D("100000"), D("80000"))


def test_leaving_respects_the_notice_period_and_ends_the_co_insurance(session, make_org, make_pool):
    org = make_org()
    enrolment_id = join(session, make_pool(), org.id, PAYROLL, DEC_1)
    last_day = leave(session, enrolment_id, date(2026, 5, 1), leave_on=date(2026, 5, 10))
    assert last_day == date(2026, 5, 31)  # 30 days' notice
    session.commit()
    assert session.get(Enrolment, enrolment_id).notice_given_on == date(2026, 5, 1)
    named = session.scalars(select(CoInsured).where(CoInsured.organisation_id == org.id)).one()
    assert named.named_until == date(2026, 5, 31)
    with pytest.raises(EnrolmentRefused):
        leave(session, enrolment_id, date(2026, 6, 1))


def test_open_pools_leave_out_the_ones_the_organisation_is_in(session, make_org, make_pool):
    org = make_org()
    mine, other = make_pool(name="Mijn pool"), make_pool(name="Andere pool")
    join(session, mine, org.id, PAYROLL, DEC_1)
    offered = [offer.pool_id for offer in pools_open_to(session, org.id, date(2025, 12, 2))]
    assert other in offered and mine not in offered


def test_a_volunteers_pool_warns_an_organisation_the_vng_scheme_already_covers(
    session, make_org, make_pool, make_policy
):
    org = make_org()
    record_volunteer_scheme(session, org.id, VolunteerScheme.VNG_PLUS, municipality="Utrecht")
    policy_id = make_policy(
        line=Line.VOLUNTEERS,
        basis=Basis.PER_VOLUNTEER,
        taxable_share=D("0.6"),
        tiers=[(D(0), D("4.50"))],
    )
    pool_id = make_pool(policy_id, name="Vrijwilligers")
    [offer] = [o for o in pools_open_to(session, org.id, DEC_1) if o.pool_id == pool_id]
    assert offer.overlaps_municipal_scheme


def test_joining_a_volunteers_pool_the_vng_scheme_covers_needs_an_explicit_confirmation(
    session, make_org, make_pool, make_policy
):
    org = make_org()
    record_volunteer_scheme(session, org.id, VolunteerScheme.VNG_BASIS, municipality="Zwolle")
    policy_id = make_policy(
        line=Line.VOLUNTEERS,
        basis=Basis.PER_VOLUNTEER,
        taxable_share=D("0.6"),
        tiers=[(D(0), D("4.50"))],
    )
    pool_id = make_pool(policy_id, name="Vrijwilligers")
    with pytest.raises(EnrolmentRefused, match="VNG-regeling") as refused:
        join(session, pool_id, org.id, Exposure(volunteers=D(12)), DEC_1)
    assert refused.value.field == "confirm_overlap"
    session.rollback()
    assert join(
        session, pool_id, org.id, Exposure(volunteers=D(12)), DEC_1, is_overlap_confirmed=True
    )


def test_a_quote_falls_as_the_pool_reaches_its_next_tier(session, make_org, make_pool):
    pool_id = make_pool(minimum_members=1)
    for _ in range(8):
        join(session, pool_id, make_org().id, PAYROLL, DEC_1)
    candidate = make_org()
    offer = quote(session, pool_id, candidate.id, PAYROLL, DEC_1)
    assert offer.share.member == member_key(candidate.id)
    assert offer.share.pool_measure == 9 and offer.share.pots.net == D("2350.00")
    [step] = offer.steps
    assert (step.still_needed, step.annual_premium) == (D(1), D("2100.0000"))
    join(session, pool_id, make_org().id, PAYROLL, DEC_1)
    assert quote(session, pool_id, candidate.id, PAYROLL, DEC_1).share.pots.net == D("2100.00")


def test_a_quote_mid_term_is_pro_rata_and_taxes_an_avb_policy_at_21_percent(
    session, make_org, make_pool, make_policy
):
    policy_id = make_policy(
        line=Line.AVB, basis=Basis.FLAT, tiers=[(D(0), D("365.00"))], annual_costs=D("0")
    )
    pool_id = make_pool(policy_id, minimum_members=1)
    offer = quote(session, pool_id, make_org().id, Exposure(), date(2026, 10, 1))
    assert (offer.share.days_covered, offer.share.pots.net) == (92, D("92.00"))
    assert offer.share.pots.tax == D("19.32")


def test_the_policy_terms_price_the_pool_so_each_pot_sums_to_the_expected_invoice(
    session, make_org, make_pool
):
    pool_id = make_pool(minimum_members=1)
    for payroll in ("100000", "45000", "310500"):
        join(session, pool_id, make_org().id, Exposure(payroll=D(payroll)), DEC_1)
    session.commit()
    pool = session.get(Pool, pool_id)
    shares = price_pool(policy_terms(session, pool.policy), members_on(session, pool_id, DEC_1))
    assert sum(share.pots.net for share in shares) == D("10704.25")


def test_a_split_line_policy_without_its_taxable_share_is_refused(session, make_policy):
    with pytest.raises(TermsInvalid):
        make_policy(line=Line.VOLUNTEERS, basis=Basis.PER_VOLUNTEER, tiers=[(D(0), D("4"))])


def test_only_the_bureau_can_hold_a_collective_policy(session, make_org, insurer_id):
    with pytest.raises(ValidationFailed):
        add_policy(
            session,
            NewPolicy(
                insurer_id,
                make_org().id,
                Line.AVB,
                "AVB",
                date(2026, 1, 1),
                date(2026, 12, 31),
                Basis.FLAT,
                [(D(0), D(100))],
            ),
        )


def test_a_policy_document_is_kept_as_a_file_reference(session, make_policy):
    document_id = attach_document(session, make_policy(), "Polisvoorwaarden", "policies/v1.pdf")
    assert document_id > 0


@pytest.mark.parametrize(
    "exposure", [Exposure(payroll=D(-1)), Exposure(volunteers=D("2.5"))], ids=["negative", "half"]
)
def test_a_declaration_with_impossible_figures_is_refused(session, make_org, make_pool, exposure):
    with pytest.raises(ValidationFailed):
        join(session, make_pool(), make_org().id, exposure, DEC_1)
