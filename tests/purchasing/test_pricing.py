"""Pricing a pool on Dutch cases: verzuim on payroll, AVB flat with tax, pro rata, tiers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purchasing.corrections import corrections, true_up
from purchasing.errors import TermsInvalid
from purchasing.premium_tax import LineTreatment, TaxRate, Treatment, rate_on, taxable_share
from purchasing.premiums import Pots
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, Line, RateCard, Tier, TierMeasure
from purchasing.shares import Member, PolicyTerms, price_pool

D = Decimal
YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


def verzuim_terms() -> PolicyTerms:
    return PolicyTerms(RateCard(Basis.PAYROLL_PERCENT, (Tier(D(0), D("2.35")),)), YEAR_2026)


def member(key: str, joined_on: date = date(2026, 1, 1), **exposure: str) -> Member:
    figures = {name: D(value) for name, value in exposure.items()}
    return Member(key, Exposure(**figures), joined_on)


def test_verzuim_at_2_35_percent_of_payroll_for_three_members():
    members = [
        member("buurthuis", payroll="120000"),
        member("voedselbank", payroll="45000"),
        member("speeltuin", payroll="310500"),
    ]
    shares = {share.member: share for share in price_pool(verzuim_terms(), members)}
    assert {key: share.pots.net for key, share in shares.items()} == {
        "buurthuis": D("2820.00"),
        "speeltuin": D("7296.75"),
        "voedselbank": D("1057.50"),
    }
    assert all(share.pots.tax == 0 for share in shares.values())
    assert shares["speeltuin"].tier.rate == D("2.35")


def test_avb_flat_per_organisation_with_21_percent_tax_on_premium_and_costs():
    card = RateCard(Basis.FLAT, (Tier(D(0), D("450.00")),))
    terms = PolicyTerms(card, YEAR_2026, D("25.00"), taxable_share=D(1), tax_percent=D(21))
    shares = price_pool(terms, [member(key) for key in ("c", "b", "a")])
    assert [share.pots for share in shares] == [
        Pots(D("450.00"), D("8.34"), D("96.25")),
        Pots(D("450.00"), D("8.33"), D("96.25")),
        Pots(D("450.00"), D("8.33"), D("96.25")),
    ]
    assert sum(share.total for share in shares) == D("1350.00") + D("25.00") + D("288.75")


def test_a_member_joining_on_the_first_of_july_pays_for_184_of_365_days():
    members = [
        member("vroeg", payroll="100000"),
        member("laat", date(2026, 7, 1), payroll="100000"),
    ]
    late = next(share for share in price_pool(verzuim_terms(), members) if share.member == "laat")
    assert (late.days_covered, late.days_in_term) == (184, 365)
    assert late.pro_rata_premium == D("1184.66")  # 2350 × 184 / 365 = 1184.657...
    assert late.pots.net == D("1184.66")


def test_the_minimum_premium_applies_to_a_member_whose_exposure_prices_below_it():
    card = RateCard(Basis.PER_EMPLOYEE, (Tier(D(0), D("95")),), minimum_premium=D("250"))
    shares = price_pool(PolicyTerms(card, YEAR_2026), [member("klein", employees="2")])
    assert shares[0].is_minimum_applied
    assert (shares[0].annual_premium, shares[0].pots.net) == (D("190"), D("250.00"))


def test_the_whole_pool_gets_the_lower_rate_once_it_reaches_ten_members():
    tiers = (Tier(D(0), D("2.35")), Tier(D(10), D("2.10")))
    card = RateCard(Basis.PAYROLL_PERCENT, tiers, TierMeasure.MEMBERS)
    nine = [member(f"m{n}", payroll="100000") for n in range(9)]
    ten = [*nine, member("m9", payroll="100000")]
    assert price_pool(PolicyTerms(card, YEAR_2026), nine)[0].pots.net == D("2350.00")
    assert price_pool(PolicyTerms(card, YEAR_2026), ten)[0].pots.net == D("2100.00")


def test_a_tier_can_be_reached_by_the_pools_total_exposure():
    tiers = (Tier(D(0), D("40")), Tier(D(500), D("30")))
    card = RateCard(Basis.PER_VOLUNTEER, tiers, TierMeasure.EXPOSURE)
    shares = price_pool(
        PolicyTerms(card, YEAR_2026),
        [member("a", volunteers="300"), member("b", volunteers="250")],
    )
    assert shares[0].pool_measure == D(550)
    assert [share.pots.net for share in shares] == [D("9000.00"), D("7500.00")]


def test_rate_cards_without_a_base_tier_are_refused():
    with pytest.raises(TermsInvalid):
        RateCard(Basis.FLAT, (Tier(D(5), D("100")),))


def test_the_tax_rate_comes_from_the_row_in_force_on_the_day():
    rates = [TaxRate(date(2013, 1, 1), D(21)), TaxRate(date(2001, 1, 1), D("9.7"))]
    assert rate_on(rates, date(2012, 12, 31)) == D("9.7")
    assert rate_on(rates, date(2013, 1, 1)) == D(21)
    with pytest.raises(TermsInvalid):
        rate_on(rates, date(2000, 1, 1))


def test_a_combined_volunteers_policy_is_taxed_on_its_liability_share_only():
    treatments = [
        LineTreatment(Line.VOLUNTEERS, date(2013, 1, 1), Treatment.SPLIT),
        LineTreatment(Line.VERZUIM, date(2013, 1, 1), Treatment.EXEMPT),
    ]
    assert taxable_share(treatments, Line.VOLUNTEERS, date(2026, 1, 1), D("0.6")) == D("0.6")
    assert taxable_share(treatments, Line.VERZUIM, date(2026, 1, 1), None) == 0
    with pytest.raises(TermsInvalid):
        taxable_share(treatments, Line.VOLUNTEERS, date(2026, 1, 1), None)


def test_a_lower_declaration_mid_term_gives_a_credit_not_a_new_invoice():
    invoiced = {"a": Pots(D("1000.00"), D("10.00"), D("212.10")), "b": Pots(D(5), D(0), D(0))}
    due = {"a": Pots(D("800.00"), D("10.00"), D("170.10")), "b": Pots(D(5), D(0), D(0))}
    [correction] = corrections(invoiced, due)
    assert correction.member == "a"
    assert correction.is_credit
    assert correction.difference == Pots(D("-200.00"), D("0.00"), D("-42.00"))


def test_naverrekening_charges_the_difference_between_actual_and_estimated_payroll():
    terms = verzuim_terms()
    advance = price_pool(terms, [member("a", payroll="100000"), member("b", payroll="50000")])
    invoiced = {share.member: share.pots for share in advance}
    actual = [member("a", payroll="110000"), member("b", payroll="50000")]
    [correction] = true_up(terms, invoiced, actual)
    assert (correction.member, correction.difference.net) == ("a", D("235.00"))
    assert not correction.is_credit


days = st.integers(min_value=0, max_value=800)


@given(days, days, st.booleans())
def test_pro_rata_never_covers_more_than_the_period_nor_less_than_nothing(start, length, leaves):
    joined = date(2025, 6, 1).fromordinal(date(2025, 6, 1).toordinal() + start)
    left = joined.fromordinal(joined.toordinal() + length) if leaves else None
    [share] = price_pool(verzuim_terms(), [Member("a", Exposure(payroll=D(100000)), joined, left)])
    assert 0 <= share.days_covered <= 365
    assert 0 <= share.pro_rata_premium <= D("2350.00")
    assert share.pots.net == share.pro_rata_premium
