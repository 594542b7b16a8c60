"""Posted forms are read one way: each reader returns a plain value or refuses at its field."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

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


# --- Read from the source: no field of a form is read any other way -------------------------

ROOT = Path(__file__).resolve().parents[2]
READS = frozenset({"get", "getlist", "to_dict", "items", "values", "pop", "setdefault"})
# Modules that look at a whole form without reading a field of it, and why.
ALLOWED = {
    "app/form_input.py": "the readers themselves",
    "app/input_limits.py": "refuses a NUL byte in any field before a view runs",
}


def raw_reads(source: str) -> Iterator[tuple[int, str]]:
    """(line, code) of every field read off ``request.form`` or a ``form`` by hand."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript):
            target = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in READS
        ):
            target = node.func.value
        else:
            continue
        if _is_a_form(target):
            yield node.lineno, ast.unparse(node)


def _is_a_form(node: ast.expr) -> bool:
    """``request.form``, or a name or parameter called ``form`` (what views call it)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "form" and ast.unparse(node.value) == "request"
    return isinstance(node, ast.Name) and node.id == "form"


def test_no_view_reads_a_form_field_but_through_the_readers():
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {code}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in ALLOWED
        for line, code in raw_reads(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'request.form["iban"]',
        'request.form.get("iban", "")',
        'request.form.getlist("line", type=id_number)',
        'form.get("note", "").strip()',
        "form[name]",
    ],
)
def test_the_check_catches_a_field_read_by_hand(source: str):
    assert [line for line, _code in raw_reads(source)] == [1]


def test_the_check_leaves_the_readers_and_other_gets_alone():
    source = 'text(request.form, "iban")\nrequest.args.get("next")\nchoices.get(name)'
    assert list(raw_reads(source)) == []
