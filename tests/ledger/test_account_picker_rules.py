"""The account picker's rules: what it shows for an account, and which account a text names."""

from __future__ import annotations

import pytest

from ledger.errors import ValidationFailed
from ledger.suggestions import AccountChoice, chosen_account, parent_choices, picker_texts


def choice(name: str, label_nl: str = "", label_en: str = "", rgs: str | None = None):
    return AccountChoice(name, name.split(":")[0], label_nl, label_en, rgs)


CHART = [
    choice("Assets:Bank:Checking", "Rekening-courant bank", "Current account", "BLimBanRba"),
    choice(
        "Assets:Receivables:Bureau", "Rekening-courant servicebureau", "Receivable", "BVorOvrRco"
    ),
    choice(
        "Liabilities:Payables:Bureau", "Rekening-courant servicebureau", "Payable", "BSchOvsRco"
    ),
    choice("Expenses:Housing:Rent", "Huur", "Rent", "WBedHuiBeh"),
    choice("Expenses:Activities:Materials", "Materialen activiteiten", "Materials", "WBed"),
    choice("Expenses:Activities:Other", "Overige activiteitenkosten", "Other activities", "WBed"),
    choice("Expenses:Imported"),
]


def test_the_picker_shows_the_dutch_label_and_tells_twins_apart_by_their_rgs_code():
    shown = picker_texts(CHART)
    assert shown["Expenses:Housing:Rent"] == "Huur"
    assert shown["Assets:Receivables:Bureau"] == "Rekening-courant servicebureau (BVorOvrRco)"
    assert shown["Liabilities:Payables:Bureau"] == "Rekening-courant servicebureau (BSchOvsRco)"
    assert shown["Expenses:Imported"] == "Expenses:Imported"  # no label: nothing else to show


def test_every_text_the_picker_shows_names_its_account_again():
    for name, text in picker_texts(CHART).items():
        assert chosen_account(CHART, text, field="account") == name


@pytest.mark.parametrize("typed", ["Huur", "huur ", "Rent", "WBedHuiBeh", "Expenses:Housing:Rent"])
def test_an_account_is_chosen_by_dutch_or_english_label_rgs_code_or_name(typed):
    assert chosen_account(CHART, typed, field="account") == "Expenses:Housing:Rent"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Kies een rekening."),
        ("Huurr", "kennen we niet"),
        ("WBed", "meer dan één rekening"),
        ("Rekening-courant servicebureau", "meer dan één rekening"),
    ],
)
def test_an_empty_unknown_or_ambiguous_text_is_refused_at_its_field_in_dutch(typed, words):
    with pytest.raises(ValidationFailed) as refused:
        chosen_account(CHART, typed, field="budget")
    assert refused.value.field == "budget"
    assert words in refused.value.template


def test_an_account_of_another_kind_is_refused_and_the_kind_settles_a_shared_label():
    with pytest.raises(ValidationFailed, match="kan hier niet"):
        chosen_account(CHART, "Huur", field="account", types=("Assets", "Liabilities"))
    shared = "Rekening-courant servicebureau"
    assert chosen_account(CHART, shared, field="a", types=("Liabilities",)) == (
        "Liabilities:Payables:Bureau"
    )


def test_a_new_account_can_go_under_a_root_named_in_dutch():
    assert chosen_account(parent_choices(CHART), "Lasten", field="parent") == "Expenses"
    assert chosen_account(parent_choices(CHART), "Huur", field="parent") == "Expenses:Housing:Rent"
