"""What the account picker shows for each account, in Dutch and in English: a label that names
that account alone, else the label with its RGS code, else the account's name."""

from __future__ import annotations

from ledger.suggestions import AccountChoice, picker_texts, resolve_account

RENT = AccountChoice("Expenses:Housing:Rent", "Expenses", "Huur", "Rent", "WBedHuiBeh")
HALL = AccountChoice("Expenses:Housing:Hall", "Expenses", "Zaalhuur", "Rent", "WBedHuiZaa")
NO_ENGLISH = AccountChoice("Expenses:Other", "Expenses", "Overig", "", None)
CHOICES = [RENT, HALL, NO_ENGLISH]


def test_a_dutch_reader_gets_the_dutch_labels():
    assert dict(picker_texts(CHOICES)) == {
        RENT.name: "Huur",
        HALL.name: "Zaalhuur",
        NO_ENGLISH.name: "Overig",
    }


def test_an_english_label_two_accounts_share_takes_its_rgs_code_and_a_missing_one_the_dutch():
    texts = picker_texts(CHOICES, english=True)
    assert dict(texts) == {
        RENT.name: "Rent (WBedHuiBeh)",
        HALL.name: "Rent (WBedHuiZaa)",
        NO_ENGLISH.name: "Overig",
    }
    # what the picker shows names its account again when it is sent back
    assert [resolve_account(CHOICES, text) for text in texts.values()] == [
        RENT.name,
        HALL.name,
        NO_ENGLISH.name,
    ]
