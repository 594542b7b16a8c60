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
    form = {"on": "31-13-2026", "role": "boss", "count": "drie", "org": ""}

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
    "app/books/params.py": "the query readers of the report pages (dates, cursors, formats)",
    "app/links.py": "copies a page's query into links to the same page, reading no field",
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
    """``request.form`` or ``request.args``, or a name or parameter called ``form``."""
    if isinstance(node, ast.Attribute):
        return node.attr in ("form", "args") and ast.unparse(node.value) == "request"
    return isinstance(node, ast.Name) and node.id == "form"


def form_classes(source: str) -> Iterator[tuple[int, str]]:
    """(line, code) of every WTForms form class and every import of WTForms or ``FlaskForm``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases]
            if {"FlaskForm", "Form"} & set(bases):
                yield node.lineno, f"class {node.name}"
        elif isinstance(node, ast.Import | ast.ImportFrom) and _imports_wtforms(node):
            yield node.lineno, ast.unparse(node)


def _imports_wtforms(node: ast.Import | ast.ImportFrom) -> bool:
    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
    modules += [alias.name for alias in node.names]
    return any(name.split(".")[0] == "wtforms" or name == "FlaskForm" for name in modules)


def test_no_view_reads_a_form_field_but_through_the_readers():
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {code}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in ALLOWED
        for line, code in raw_reads(path.read_text())
    ]
    assert found == []


def test_no_form_is_a_wtforms_class():
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {code}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for line, code in form_classes(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "from flask_wtf import FlaskForm",
        "from wtforms.validators import Length",
        "import wtforms",
        "class LoginForm(FlaskForm):\n    pass",
        "class CodeForm(wtf.Form):\n    pass",
    ],
)
def test_the_check_catches_a_wtforms_form(source: str):
    assert [line for line, _code in form_classes(source)] == [1]


def test_the_check_leaves_csrf_protection_alone():
    assert list(form_classes("from flask_wtf import CSRFProtect\ncsrf = CSRFProtect()")) == []


@pytest.mark.parametrize(
    "source",
    [
        'request.args["lang"]',
        'request.args.get("next")',
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
    source = 'text(request.form, "iban")\ntext(request.args, "next")\nchoices.get(name)'
    assert list(raw_reads(source)) == []
