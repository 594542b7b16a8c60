"""Domain errors, read from the source: Dutch sentences, marked for translation, one status a kind.

Every message a refusal carries is written once, where it is raised (or in the class that owns
it), as a full Dutch sentence: a capital, a digit or a placeholder at the start, a full stop
(or a question or exclamation mark) at the end, and wrapped in ``message()`` so the catalog
has it. Every error class is of one kind, and ``app/errors.py`` gives each kind one status.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from app.errors import STATUSES, status_of
from ledger.errors import Conflict, DomainError, NotFound, NotPermitted, message

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "tenants", "purchasing", "app", "workers")
DOMAIN = ("ledger", "tenants", "purchasing")


def is_sentence(text: str) -> bool:
    """A full sentence: starts with a capital, a digit or a ``%(name)s``; ends with . ? or !"""
    return (text[:1].isupper() or text[:1].isdigit() or text.startswith("%(")) and text.rstrip()[
        -1:
    ] in {".", "?", "!"}


def sources(packages: tuple[str, ...]) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())


def marked_messages(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, text) of every ``message("...")`` in ``tree``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "message"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


@cache
def every_error_class() -> tuple[type[DomainError], ...]:
    """Every subclass of DomainError the domain defines (its modules imported first)."""
    for name, _tree in sources(DOMAIN):
        importlib.import_module(
            name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        )
    found: list[type[DomainError]] = []
    pending = [DomainError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return tuple(found)


def unmarked_raises(tree: ast.AST, error_names: set[str]) -> Iterator[tuple[int, str]]:
    """Raises of a domain error whose message is a bare string or an f-string, unmarked."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        called = node.exc.func
        name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
        first = node.exc.args[0] if node.exc.args else None
        if name in error_names and isinstance(first, ast.Constant | ast.JoinedStr):
            yield node.lineno, ast.unparse(node.exc)


def test_every_marked_message_is_a_full_dutch_sentence() -> None:
    fragments = [
        f"{name}:{line}: {text!r}"
        for name, tree in sources(PACKAGES)
        for line, text in marked_messages(tree)
        if not is_sentence(text)
    ]
    assert fragments == []


def test_the_walk_reads_the_messages_of_every_package() -> None:
    found = {name.split("/")[0] for name, tree in sources(PACKAGES) if any(marked_messages(tree))}
    assert set(DOMAIN) <= found


@pytest.mark.parametrize(
    "text",
    ["bedrag is te groot.", "Het bedrag is te groot", "Rekening %(name)s bestaat niet: %(reason)s"],
)
def test_the_sentence_check_catches_a_fragment(text: str) -> None:
    assert not is_sentence(text)


@pytest.mark.parametrize(
    "text", ["Het bedrag is te groot.", "%(name)s bestaat niet.", "Wilt u doorgaan?"]
)
def test_the_sentence_check_passes_a_sentence(text: str) -> None:
    assert is_sentence(text)


def test_every_domain_error_is_raised_with_a_marked_message() -> None:
    names = {error.__name__ for error in every_error_class()} | {"DomainError"}
    bare = [
        f"{name}:{line}: {call}"
        for name, tree in sources(PACKAGES)
        for line, call in unmarked_raises(tree, names)
    ]
    assert bare == []


def test_the_raise_check_catches_an_unmarked_message() -> None:
    planted = ast.parse('raise NotFound("Deze factuur bestaat niet.")\nraise NotFound(f"{x}.")')
    assert [line for line, _call in unmarked_raises(planted, {"NotFound"})] == [1, 2]


def test_every_error_class_is_of_one_kind_with_one_status() -> None:
    kinds = [kind for kind, _status in STATUSES if kind is not DomainError]
    mixed = [
        error.__name__
        for error in every_error_class()
        if sum(issubclass(error, kind) for kind in kinds) > 1
    ]
    assert mixed == []


@pytest.mark.parametrize(
    ("kind", "status"), [(NotFound, 404), (NotPermitted, 403), (Conflict, 409), (DomainError, 422)]
)
def test_each_kind_of_failure_answers_its_own_status(kind: type[DomainError], status: int) -> None:
    assert status_of(kind(message("Zo niet."))) == status
    for error in every_error_class():
        if issubclass(error, kind) and not any(
            issubclass(error, other) for other, _ in STATUSES if other not in (kind, DomainError)
        ):
            assert status_of(error.__new__(error)) == status, error.__name__
