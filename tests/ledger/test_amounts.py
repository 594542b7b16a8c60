"""Typed amounts: Dutch and decimal-point notation read alike; ambiguous text is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import example, given
from hypothesis import strategies as st

from ledger.amounts import parse_amount
from ledger.errors import ValidationFailed

cents = st.decimals(
    min_value=Decimal("-9999999999.99"),
    max_value=Decimal("9999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("-12,5", "-12.5"),
        ("€ 1.234,56", "1234.56"),
        ("€1.234,56", "1234.56"),
        ("-€ 12,50", "-12.50"),
        ("€ -12,50", "-12.50"),
        ("1.234,56 EUR", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12,-", "12"),
        ("1.234.567", "1234567"),
        ("0,05", "0.05"),
        ("  42  ", "42"),
        ("\u221212,00", "-12.00"),
    ],
)
def test_amounts_typed_the_dutch_or_the_decimal_point_way_are_read(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1.234", "1,234", "12.500", "-3,000"])
def test_a_single_separator_before_three_digits_is_refused_as_ambiguous(text):
    with pytest.raises(ValidationFailed, match="dubbelzinnig") as refused:
        parse_amount(text)
    assert refused.value.field == "amount"


@pytest.mark.parametrize(
    "text", ["", "   ", "€", "abc", "1.2.3", "12,34,56", "1,23.4", "1e5", "--1"]
)
def test_text_that_is_no_amount_is_refused_with_a_message(text):
    with pytest.raises(ValidationFailed) as refused:
        parse_amount(text, field="price")
    assert refused.value.field == "price"
    assert str(refused.value)


def test_more_cents_than_the_currency_has_are_refused_unless_allowed():
    with pytest.raises(ValidationFailed, match="te veel cijfers"):
        parse_amount("0,125")
    assert parse_amount("0,125", max_places=None) == Decimal("0.125")


def test_a_very_long_text_is_refused_before_it_is_read():
    with pytest.raises(ValidationFailed, match="te lang"):
        parse_amount("1" * 100)


@given(cents)
@example(Decimal("1000.00"))
@example(Decimal("-1234567.89"))
def test_any_amount_written_by_babel_in_dutch_is_read_back_exactly(number):
    """As the pages show money (always with cents), so a copied amount reads back."""
    assert parse_amount(format_decimal(number, format="#,##0.00", locale="nl_NL")) == number
    assert parse_amount(format_currency(number, "EUR", locale="nl_NL")) == number


@given(cents)
def test_any_amount_written_with_a_decimal_point_is_read_back_exactly(number):
    assert parse_amount(str(number)) == number
    assert parse_amount(format_decimal(number, format="#,##0.00", locale="en_GB")) == number


@given(st.text(max_size=30))
def test_any_text_either_reads_as_a_number_or_is_refused_in_words(text):
    try:
        result = parse_amount(text)
    except ValidationFailed as refused:
        assert str(refused)
    else:
        assert isinstance(result, Decimal)
        assert result.is_finite()


@pytest.mark.parametrize(
    "text", ["999999999999999999999999999", "100.000.000.000", "-100000000000,00", "1e40"]
)
def test_an_amount_of_a_hundred_billion_or_more_is_refused_like_the_bank_import_refuses_it(text):
    with pytest.raises(ValidationFailed) as refused:
        parse_amount(text)
    assert refused.value.field == "amount"


def test_the_largest_amount_below_the_limit_is_read_and_a_narrower_limit_is_kept():
    assert parse_amount("99.999.999.999,99") == Decimal("99999999999.99")
    with pytest.raises(ValidationFailed, match="te groot"):
        parse_amount("1000", below=Decimal(1000))
    assert parse_amount("999,99", below=Decimal(1000)) == Decimal("999.99")


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-inf", "sNaN"])
def test_words_that_python_reads_as_numbers_are_no_amount(text):
    with pytest.raises(ValidationFailed):
        parse_amount(text, max_places=None)
