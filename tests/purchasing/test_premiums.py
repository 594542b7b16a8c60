"""The premium split: exact to the cent, fair to a cent, independent of order (properties)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from purchasing.corrections import corrections
from purchasing.errors import AllocationRefused
from purchasing.money import cents_of, from_cents
from purchasing.premiums import ZERO_POTS, Pots, allocate, split_pots
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, RateCard, Tier
from purchasing.shares import Member, PolicyTerms, price_pool

totals = st.integers(min_value=-(10**9), max_value=10**9).map(from_cents)
keys = st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=6)
weight_values = st.decimals(
    min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False
)
positive_weights = st.decimals(
    min_value=Decimal("0.0001"), max_value=10**6, places=4, allow_nan=False, allow_infinity=False
)
weight_maps = st.dictionaries(keys, weight_values, min_size=1, max_size=12).filter(
    lambda weights: sum(weights.values()) > 0
)


def exact_share(total: Decimal, weights: dict[str, Decimal], key: str) -> Fraction:
    return Fraction(total) * Fraction(weights[key]) / sum(map(Fraction, weights.values()))


@given(totals, weight_maps)
def test_the_shares_always_sum_exactly_to_the_total(total, weights):
    assert sum(allocate(total, weights).values()) == total


@given(totals, weight_maps)
def test_no_share_is_a_cent_or_more_away_from_its_exact_proportion(total, weights):
    for key, share in allocate(total, weights).items():
        assert abs(Fraction(share) - exact_share(total, weights, key)) < Fraction(1, 100)


@given(totals, weight_maps)
def test_every_share_is_a_whole_number_of_cents_with_two_places(total, weights):
    for share in allocate(total, weights).values():
        cents_of(share)
        assert share.as_tuple().exponent == -2


@given(totals, weight_maps, st.randoms(use_true_random=False))
def test_the_order_of_the_mapping_never_changes_the_result(total, weights, random):
    items = list(weights.items())
    random.shuffle(items)
    shuffled = allocate(total, dict(items))
    original = allocate(total, weights)
    assert list(shuffled.items()) == list(original.items())


@given(totals, weight_maps)
def test_the_same_split_gives_the_same_result_every_time(total, weights):
    assert allocate(total, weights) == allocate(total, dict(weights))


@given(totals, weight_maps)
def test_a_credit_is_split_as_the_mirror_image_of_a_charge(total, weights):
    charge = allocate(total, weights)
    credit = allocate(-total, weights)
    assert credit == {key: -share for key, share in charge.items()}


@given(totals, weight_maps, st.data())
def test_raising_a_members_weight_never_lowers_its_share(total, weights, data):
    key = data.draw(st.sampled_from(sorted(weights)))
    raised = dict(weights, **{key: weights[key] + data.draw(positive_weights)})
    before, after = allocate(abs(total), weights)[key], allocate(abs(total), raised)[key]
    assert after >= before


@given(totals, weight_maps, keys, positive_weights)
def test_adding_a_member_never_raises_another_share_above_its_former_exact_proportion(
    total, weights, newcomer, weight
):
    """Largest remainder may move one rounding cent (the "new state" paradox), no more."""
    assume(newcomer not in weights)
    total = abs(total)
    after = allocate(total, {**weights, newcomer: weight})
    for key in weights:
        ceiling = math.ceil(exact_share(total, weights, key) * 100)
        assert cents_of(after[key]) <= ceiling


def test_adding_a_member_can_move_one_rounding_cent_to_another_member():
    """Hamilton's paradox, pinned so nobody mistakes it for a bug: b's exact part falls, yet
    it now has the largest remainder and gets the cent."""
    before = allocate(Decimal("0.03"), {"a": Decimal(16), "b": Decimal(3)})
    after = allocate(Decimal("0.03"), {"a": Decimal(16), "b": Decimal(3), "z": Decimal(2)})
    assert before == {"a": Decimal("0.03"), "b": Decimal("0.00")}
    assert after == {"a": Decimal("0.02"), "b": Decimal("0.01"), "z": Decimal("0.00")}


@given(totals, weight_maps, keys)
def test_a_member_with_zero_weight_pays_nothing(total, weights, idle):
    assume(idle not in weights)
    assert allocate(total, {**weights, idle: Decimal(0)})[idle] == 0


@given(totals, weight_maps)
def test_the_three_pots_each_sum_to_the_insurers_invoice(total, weights):
    invoice = Pots(total, abs(total) // 7 * Decimal("0.01"), Decimal("123.45"))
    shares = split_pots(invoice, weights)
    assert Pots(*(sum(pot) for pot in zip(*shares.values(), strict=True))) == invoice


def test_equal_weights_give_the_leftover_cents_to_the_smallest_keys():
    shares = allocate(Decimal("100.00"), {"c": Decimal(1), "a": Decimal(1), "b": Decimal(1)})
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert list(shares) == ["a", "b", "c"]


def test_a_credit_gives_the_leftover_cents_to_the_same_members_as_a_charge():
    shares = allocate(Decimal("-100.00"), {"b": Decimal(1), "a": Decimal(1), "c": Decimal(1)})
    assert shares == {"a": Decimal("-33.34"), "b": Decimal("-33.33"), "c": Decimal("-33.33")}


def test_nobody_to_split_among_carries_only_a_zero_total():
    assert allocate(Decimal("0.00"), {}) == {}
    assert allocate(Decimal(0), {"a": Decimal(0)}) == {"a": Decimal("0.00")}
    with pytest.raises(AllocationRefused):
        allocate(Decimal("10.00"), {})
    with pytest.raises(AllocationRefused):
        allocate(Decimal("10.00"), {"a": Decimal(0), "b": Decimal(0)})


@pytest.mark.parametrize("weight", [Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
def test_a_negative_or_non_finite_weight_is_refused(weight):
    with pytest.raises(AllocationRefused):
        allocate(Decimal("10.00"), {"a": Decimal(1), "b": weight})


def test_a_total_with_a_fraction_of_a_cent_is_refused():
    with pytest.raises(AllocationRefused):
        allocate(Decimal("10.005"), {"a": Decimal(1)})
    assert allocate(Decimal("10.000"), {"a": Decimal(1)}) == {"a": Decimal("10.00")}


def test_weights_of_very_different_sizes_are_split_exactly():
    shares = allocate(
        Decimal("1000000.00"), {"big": Decimal("1E+12"), "tiny": Decimal("0.000000001")}
    )
    assert shares == {"big": Decimal("1000000.00"), "tiny": Decimal("0.00")}


pot_maps = st.dictionaries(
    keys, st.tuples(totals, totals, totals).map(lambda pots: Pots(*pots)), max_size=6
)


@given(pot_maps, pot_maps)
def test_what_was_invoiced_plus_the_corrections_is_exactly_what_is_due(invoiced, due):
    settled = {key: pots for key, pots in invoiced.items()}
    for correction in corrections(invoiced, due):
        before = settled.get(correction.member, ZERO_POTS)
        settled[correction.member] = Pots(
            *(old + change for old, change in zip(before, correction.difference, strict=True))
        )
    assert {key: pots for key, pots in settled.items() if any(pots)} == {
        key: pots for key, pots in due.items() if any(pots)
    }


payrolls = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)


@given(st.lists(payrolls, min_size=1, max_size=20), st.tuples(totals, totals, totals))
def test_a_priced_pool_splits_each_pot_of_the_insurers_invoice_exactly(payroll_list, invoice):
    assume(sum(payroll_list) > 0)
    terms = PolicyTerms(
        RateCard(Basis.PAYROLL_PERCENT, (Tier(Decimal(0), Decimal("2.35")),)),
        Period(date(2026, 1, 1), date(2026, 12, 31)),
    )
    members = [
        Member(f"m{n}", Exposure(payroll=payroll), date(2026, 1, 1))
        for n, payroll in enumerate(payroll_list)
    ]
    shares = price_pool(terms, members, invoice=Pots(*invoice))
    for pot in range(3):
        assert sum(share.pots[pot] for share in shares) == invoice[pot]
