"""The unit of work, read from the source: domain code never commits or rolls back.

Services take a session and flush; the request, the job or the command around them commits
once or rolls back once (``app/unit_of_work.py``, ``app/commands.py``,
``tenants/unit_of_work.py``). The few modules that must own a transaction are listed here
with the reason, which is also written where they do it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENDINGS = frozenset({"commit", "rollback"})

# Modules that end transactions themselves, and why (each says so in its docstring too).
ALLOWED = {
    "tenants/provisioning.py": (
        "creating or dropping an organisation's schema is a transaction of its own: the"
        " session is bound to the new schema inside it, and it completes or leaves nothing"
    ),
    "tenants/migrations.py": (
        "each tenant schema is migrated in a transaction of its own, so one failing tenant"
        " never holds back or undoes the others"
    ),
    "tenants/unit_of_work.py": "it is the unit of work of jobs and commands: the boundary itself",
}


def transaction_endings(source: str) -> Iterator[tuple[int, str]]:
    """(line, call) of every ``<anything>.commit()`` or ``<anything>.rollback()`` in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ENDINGS
        ):
            yield node.lineno, f"{ast.unparse(node.func.value)}.{node.func.attr}()"


def endings_in(package: str) -> list[str]:
    """Every commit or rollback in ``package`` outside the allowed modules, as ``path:line``."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        found += [f"{name}:{line}: {call}" for line, call in transaction_endings(path.read_text())]
    return found


@pytest.mark.parametrize("package", ["ledger", "tenants", "purchasing"])
def test_no_domain_code_commits_or_rolls_back(package: str) -> None:
    assert endings_in(package) == []


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_allowed_module_exists_and_says_why_it_owns_its_transactions(name: str) -> None:
    source = (ROOT / name).read_text()
    assert "transaction" in source.split('"""', 2)[1], f"{name} does not say why in its docstring"


@pytest.mark.parametrize(
    "source",
    [
        "session.commit()",
        "def later(session):\n    session.rollback()",
        "class Payables:\n    def record(self):\n        self.session.commit()",
        "db.session().rollback()",
        "with open_session() as public:\n    public.commit()",
        "action = lambda: session.commit()",
    ],
)
def test_the_check_catches_a_planted_commit_or_rollback(source: str) -> None:
    assert list(transaction_endings(source)) != []


@pytest.mark.parametrize(
    "source",
    [
        "session.flush()",
        "with session.begin_nested():\n    pass",
        "# session.commit() in a comment",
        '"""Commits nothing: session.rollback() is the caller\'s."""',
        "commit = rollback = None",
    ],
)
def test_the_check_leaves_flushes_savepoints_and_words_alone(source: str) -> None:
    assert list(transaction_endings(source)) == []
