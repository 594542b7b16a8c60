"""The layers of docs/ARCHITECTURE.md, read from the source: the domain never imports the web.

Ruff bans the web and job packages in the domain as you type (``TID251`` in pyproject.toml);
this test also holds the order inside the domain: ledger, then tenants, then purchasing, and
keeps the two faces apart: the web may queue jobs, but jobs never import the web (nor Flask),
so a worker runs without building the web application.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A package may import only the domain packages listed after it (and itself).
DOMAIN_ORDER = ("purchasing", "tenants", "ledger")
FACES = frozenset({"app", "workers", "werkzeug", "wtforms"})


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``, in functions too."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def forbidden_imports(package: str, source: str) -> list[str]:
    """The imports in a module of ``package`` that point the wrong way."""
    below = set(DOMAIN_ORDER[DOMAIN_ORDER.index(package) :])
    forbidden = []
    for line, module in imported_modules(source):
        top = module.split(".", 1)[0]
        is_face = top in FACES or top == "flask" or top.startswith("flask_")
        is_higher_domain = top in DOMAIN_ORDER and top not in below
        if is_face or is_higher_domain:
            forbidden.append(f"line {line}: {module}")
    return forbidden


def web_imports_of_a_job(source: str) -> list[str]:
    """The imports in a module of ``workers`` that reach into the web face or Flask."""
    return [
        f"line {line}: {module}"
        for line, module in imported_modules(source)
        if (top := module.split(".", 1)[0]) in {"app", "flask", "werkzeug", "wtforms"}
        or top.startswith("flask_")
    ]


def worker_modules() -> list[Path]:
    return sorted((ROOT / "workers").rglob("*.py"))


def domain_modules() -> list[Path]:
    return sorted(path for package in DOMAIN_ORDER for path in (ROOT / package).rglob("*.py"))


def test_the_domain_has_modules_to_check():
    assert {path.relative_to(ROOT).parts[0] for path in domain_modules()} == set(DOMAIN_ORDER)


@pytest.mark.parametrize(
    "path", domain_modules(), ids=[str(path.relative_to(ROOT)) for path in domain_modules()]
)
def test_no_domain_module_imports_the_web_the_jobs_or_a_higher_layer(path):
    package = path.relative_to(ROOT).parts[0]
    assert forbidden_imports(package, path.read_text()) == []


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("ledger", "from flask import g"),
        ("ledger", "import flask_login"),
        ("tenants", "def later():\n    from werkzeug.exceptions import NotFound"),
        ("purchasing", "from app.extensions import db"),
        ("purchasing", "import workers.queues"),
        ("ledger", "from tenants.binding import bind_session"),
        ("tenants", "from purchasing.models import Invoice"),
    ],
)
def test_the_check_catches_an_import_that_points_the_wrong_way(package, source):
    assert forbidden_imports(package, source) != []


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("purchasing", "from tenants.models import Organisation\nfrom ledger import accounts"),
        ("tenants", "from ledger.errors import message"),
        ("ledger", "from sqlalchemy.orm import Session\nfrom .models import Account"),
    ],
)
def test_the_check_lets_an_import_that_points_down_pass(package, source):
    assert forbidden_imports(package, source) == []


@pytest.mark.parametrize(
    "path", worker_modules(), ids=[str(path.relative_to(ROOT)) for path in worker_modules()]
)
def test_no_worker_module_imports_the_web_or_flask(path):
    assert web_imports_of_a_job(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from app.mail import send",
        "import app",
        "def later():\n    from app import create_app",
        "from flask import current_app",
        "import flask_sqlalchemy",
    ],
)
def test_the_check_catches_a_job_that_imports_the_web(source):
    assert web_imports_of_a_job(source) != []


def test_the_check_lets_a_job_import_the_domain_and_its_own_package():
    source = (
        "from purchasing.models import Invoice\nfrom tenants.unit_of_work import unit_of_work\n"
    )
    assert web_imports_of_a_job(source + "from workers.mail import Mailer") == []
