"""Roles are asked one way: ``g.org.allows`` in views, the same predicate ``can`` in templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, g, render_template_string

from app.tenancy import OrgContext
from tenants.roles import Role

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def org_with(role: Role) -> OrgContext:
    return OrgContext(id=1, slug="buurthuis", name="Buurthuis", role=role, is_bureau=False)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.VIEWER, "--"),
        (Role.BOOKKEEPER, "b-"),
        (Role.OWNER, "bo"),
    ],
)
def test_a_template_asks_whether_the_user_may_by_the_least_role_that_may(
    app: Flask, role: Role, expected: str
) -> None:
    page = '{{ "b" if can("bookkeeper") else "-" }}{{ "o" if can(Role.OWNER) else "-" }}'
    with app.test_request_context():
        g.org = org_with(role)
        assert render_template_string(page, Role=Role) == expected


def test_outside_an_organisation_nobody_may(app: Flask) -> None:
    with app.test_request_context():
        assert render_template_string('{{ can("viewer") }}') == "False"


def test_no_template_compares_role_names_itself() -> None:
    by_name = re.compile(r"\.role\s*(==|!=|in\b|not in\b)")
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if by_name.search(line)
    ]
    assert offenders == []
