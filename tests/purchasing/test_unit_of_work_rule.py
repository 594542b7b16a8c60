"""Purchasing never commits nor rolls back: the request, job or command around it does, once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PURCHASING = Path(__file__).resolve().parents[2] / "purchasing"


def transaction_ends(source: str) -> list[str]:
    """Where ``source`` calls ``commit()`` or ``rollback()`` on anything."""
    return [
        f"line {node.lineno}: {node.func.attr}()"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]


def modules() -> list[Path]:
    return sorted(PURCHASING.rglob("*.py"))


@pytest.mark.parametrize(
    "path", modules(), ids=[p.relative_to(PURCHASING).as_posix() for p in modules()]
)
def test_no_purchasing_module_commits_or_rolls_back(path):
    assert transaction_ends(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    ["session.commit()", "def f(s):\n    s.rollback()", "self.session.commit()"],
)
def test_the_check_catches_a_commit_or_a_rollback(source):
    assert transaction_ends(source) != []


def test_the_check_lets_a_flush_and_a_savepoint_pass():
    assert transaction_ends("session.flush()\nwith session.begin_nested():\n    pass") == []
