"""Posted forms are read one way: each reader returns a plain value or refuses at its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.form_input import amount, choice, chosen_id, day, figure, optional_figure, whole_number
from ledger.errors import ValidationFailed
from tenants.roles import Role


def test_figures_are_read_the_dutch_way_and_plain_and_empty_is_zero_or_none():
    form = {"a": "1.234,56", "b": "12.5", "c": ""}

    assert figure(form, "a") == Decimal("1234.56") and figure(form, "b") == Decimal("12.5")
    assert figure(form, "c") == 0 and optional_figure(form, "c") is None


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-inf", "1e3", "twaalf"])
def test_a_figure_that_is_not_a_number_is_refused_at_its_field(typed: str):
    with pytest.raises(ValidationFailed) as refused:
        optional_figure({"amount_min": typed}, "amount_min")

    assert refused.value.field == "amount_min"


def test_an_amount_must_be_filled_in_and_has_at_most_cents():
    for typed in ("", "1,234"):
        with pytest.raises(ValidationFailed) as refused:
            amount({"amount": typed}, "amount")
        assert refused.value.field == "amount"


def test_days_choices_and_numbers_refuse_what_they_cannot_read_at_that_field():
    form = {"on": "31-12-2026", "role": "boss", "count": "drie", "org": ""}

    for read, name in (
        (lambda: day(form, "on"), "on"),
        (lambda: choice(Role, form, "role"), "role"),
        (lambda: whole_number(form, "count"), "count"),
        (lambda: chosen_id(form, "org"), "org"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            read()
        assert refused.value.field == name


def test_an_empty_day_or_number_takes_its_default():
    assert day({}, "on", date(2026, 1, 1)) == date(2026, 1, 1)
    assert whole_number({"n": " "}, "n", 3) == 3 and choice(Role, {"r": "owner"}, "r") is Role.OWNER
