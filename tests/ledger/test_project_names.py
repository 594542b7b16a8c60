"""A project's name as typed, and the projects an entry form offers (ledger/projects.py,
ledger/suggestions.py ``recent_names``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import ValidationFailed
from ledger.projects import PROJECT_LONGEST, project_name, project_of, with_project
from ledger.suggestions import recent_names
from ledger.transactions import post_transaction
from tests.ledger.test_posting import YEAR


def test_a_typed_name_has_single_spaces_and_takes_the_spelling_the_books_know() -> None:
    assert project_name("  Buurt   feest ") == "Buurt feest"
    assert project_name("moestuin", known=["Buurtfeest", "Moestuin"]) == "Moestuin"
    assert project_name("MOESTUIN  2027", known=["Moestuin"]) == "MOESTUIN 2027"
    assert project_name(" \t ") is None


@pytest.mark.parametrize("typed", ["x" * (PROJECT_LONGEST + 1), "Moes\x00tuin", "Moes\u200btuin"])
def test_a_name_too_long_or_with_a_control_character_is_refused_on_its_field(typed) -> None:
    with pytest.raises(ValidationFailed) as refused:
        project_name(typed)
    assert refused.value.field == "project"


def test_a_longest_name_is_taken() -> None:
    assert project_name("x" * PROJECT_LONGEST) == "x" * PROJECT_LONGEST


def test_setting_and_clearing_a_project_keeps_the_other_metadata() -> None:
    meta = {"invoice": "T-17", "project": "Oud"}
    assert with_project(meta, "Nieuw") == {"invoice": "T-17", "project": "Nieuw"}
    assert with_project(meta, None) == {"invoice": "T-17"}
    assert meta == {"invoice": "T-17", "project": "Oud"}
    assert project_of(meta) == "Oud"
    assert project_of({"project": Decimal("3")}) == "" and project_of({}) == ""
    # An edit form shows no project for a number an imported file gave, and keeps it.
    assert with_project({"project": Decimal("3")}, None) == {"project": Decimal("3")}
    assert with_project({"project": Decimal("3")}, "Moestuin") == {"project": "Moestuin"}


def _post(books, payee: str | None, meta: dict) -> None:
    post_transaction(
        books,
        NewTransaction(
            date=date(YEAR, 3, 1),
            narration="",
            payee=payee,
            meta=meta,
            postings=(
                NewPosting("Expenses:Office:Supplies", Amount(Decimal("1"), "EUR")),
                NewPosting("Assets:Cash", Amount(Decimal("-1"), "EUR")),
            ),
        ),
        actor_id=None,
    )


def test_the_forms_offer_payees_and_projects_each_most_recent_first_and_limited(books) -> None:
    _post(books, "Hema", {"project": "Moestuin"})
    _post(books, "Gamma", {"project": "Buurtfeest"})
    _post(books, None, {"project": Decimal("7")})  # a number from an imported file: no name
    _post(books, "", {"project": ""})
    _post(books, "Hema", {"project": "Moestuin", "invoice": "T-1"})
    _post(books, "Albert Heijn", {})

    found = recent_names(books)

    assert found.payees == ["Albert Heijn", "Hema", "Gamma"]
    assert found.projects == ["Moestuin", "Buurtfeest"]
    shortest = recent_names(books, limit=1)
    assert (shortest.payees, shortest.projects) == (["Albert Heijn"], ["Moestuin"])
