"""Renaming an account: its labels change, its name (what the books refer to) does not.

A treasurer reads and picks accounts by their Dutch label, so a new label is held to the same
rules as one given when the account is opened: present, unique in any case, at most
``LABEL_LONGEST`` characters, without invisible characters. The old labels stay in the
audit trail.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.accounts import (
    LABEL_LONGEST,
    open_account_under,
    open_named_account,
    rename_account,
)
from ledger.audit import audit_trail
from ledger.balances import balances_on
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import NotFound, ValidationFailed
from ledger.export import export_book
from ledger.models import Account
from ledger.transactions import post_transaction
from tests.ledger.test_posting import BANK, YEAR

RENT = "Expenses:Housing:Rent"


def labels(books, name: str = RENT) -> tuple[str, str]:
    row = books.execute(select(Account.label_nl, Account.label_en).where(Account.name == name))
    return tuple(row.one())


def audit_count(books) -> int:
    return len(audit_trail(books, entity="account"))


def test_a_renamed_account_keeps_its_name_its_postings_and_its_old_labels_in_the_trail(books):
    rent = NewTransaction(
        date=date(YEAR, 2, 1),
        narration="Huur februari",
        postings=(
            NewPosting(RENT, Amount(Decimal("750.00"), "EUR")),
            NewPosting(BANK, Amount(Decimal("-750.00"), "EUR")),
        ),
    )
    post_transaction(books, rent, None)
    account_id = books.scalar(select(Account.id).where(Account.name == RENT))

    assert rename_account(
        books, RENT, 7, label_nl="  Huur   buurthuis ", label_en="Community centre rent"
    )

    assert labels(books) == ("Huur buurthuis", "Community centre rent")
    assert books.scalar(select(Account.id).where(Account.name == RENT)) == account_id
    assert balances_on(books, date(YEAR, 12, 31))[RENT] == {"EUR": Decimal("750.00")}
    row = audit_trail(books, limit=1)[0]
    assert (row.action, row.entity, row.entity_id, row.actor_id) == (
        "rename",
        "account",
        account_id,
        7,
    )
    assert row.before == {"label_nl": "Huur", "label_en": "Rent"}
    assert row.after == {"label_nl": "Huur buurthuis", "label_en": "Community centre rent"}


def test_the_export_carries_the_new_labels_on_the_account_it_opens(books):
    rename_account(books, RENT, None, label_nl="Huur buurthuis", label_en="")

    exported = export_book(books)
    opened = next(line for line in exported.splitlines() if f" open {RENT} " in line)
    block = exported[exported.index(opened) :].split("\n\n")[0]
    assert 'label_nl: "Huur buurthuis"' in block
    assert "label_en" not in block


def test_the_same_labels_again_change_nothing_and_write_no_trail(books):
    before = audit_count(books)
    assert not rename_account(books, RENT, None, label_nl=" Huur", label_en="Rent ")
    assert audit_count(books) == before


def test_a_change_of_case_alone_is_the_accounts_own_label_and_allowed(books):
    assert rename_account(books, RENT, None, label_nl="HUUR", label_en="Rent")
    assert labels(books) == ("HUUR", "Rent")


@pytest.mark.parametrize("taken", ["Vakantiegeld", "vakantiegeld", " VAKANTIEGELD "])
def test_a_dutch_label_another_account_answers_to_is_refused(books, taken):
    before = audit_count(books)
    with pytest.raises(ValidationFailed) as refused:
        rename_account(books, RENT, None, label_nl=taken, label_en="Rent")
    assert refused.value.field == "label_nl"
    assert "Er is al een rekening" in str(refused.value)
    assert labels(books) == ("Huur", "Rent")
    assert audit_count(books) == before


@pytest.mark.parametrize(
    ("label_nl", "label_en", "field", "words"),
    [
        ("  ", "Rent", "label_nl", "Vul dit veld in"),
        ("H" * (LABEL_LONGEST + 1), "Rent", "label_nl", f"hoogstens {LABEL_LONGEST} tekens"),
        ("Huur", "R" * (LABEL_LONGEST + 1), "label_en", f"hoogstens {LABEL_LONGEST} tekens"),
        ("Huur\u200b", "Rent", "label_nl", "onzichtbare tekens"),
        ("Huur", "Rent\x07", "label_en", "stuurtekens"),
    ],
    ids=["empty", "long-dutch", "long-english", "zero-width-space", "bell"],
)
def test_a_label_the_pages_cannot_show_is_refused_at_its_field(
    books, label_nl, label_en, field, words
):
    with pytest.raises(ValidationFailed) as refused:
        rename_account(books, RENT, None, label_nl=label_nl, label_en=label_en)
    assert refused.value.field == field
    assert words in str(refused.value)
    assert labels(books) == ("Huur", "Rent")


def test_a_label_of_the_longest_length_is_kept_whole(books):
    longest = "H" * LABEL_LONGEST
    assert rename_account(books, RENT, None, label_nl=longest, label_en="")
    assert labels(books) == (longest, "")


def test_an_account_that_does_not_exist_is_not_found(books):
    with pytest.raises(NotFound):
        rename_account(books, "Expenses:Nowhere", None, label_nl="Nergens", label_en="")


def test_an_account_is_opened_under_the_same_rules_for_its_labels(books):
    count = books.scalar(select(func.count()).select_from(Account))
    for label_nl, label_en in (
        ("H" * (LABEL_LONGEST + 1), ""),
        ("Kamp\x00", ""),
        ("Kamp", "Camp\x1b"),
    ):
        with pytest.raises(ValidationFailed):
            open_account_under(
                books, "Expenses", label_nl, None, opened_on=date(YEAR, 1, 1), label_en=label_en
            )
    assert books.scalar(select(func.count()).select_from(Account)) == count
    name = open_account_under(
        books, "Expenses", " Zomer  kamp ", None, opened_on=date(YEAR, 1, 1), label_en=" Camp "
    )
    assert labels(books, name) == ("Zomer kamp", "Camp")


@pytest.mark.parametrize(
    ("label_nl", "label_en", "field"),
    [
        ("Holiday pay", "Rent", "label_nl"),  # Vakantiegeld's English label
        ("Huur", "Vakantiegeld", "label_en"),  # another account's Dutch label, as English
        ("Huur", "wperlesvag", "label_en"),  # an RGS code, in another case
        ("expenses:staff:holiday-pay", "Rent", "label_nl"),  # another account's name
    ],
)
def test_a_label_the_picker_would_take_for_another_account_is_refused(
    books, label_nl, label_en, field
):
    rgs = books.scalar(select(Account.rgs_code).where(Account.label_nl == "Vakantiegeld"))
    if label_en == "wperlesvag":
        label_en = str(rgs).lower()
    with pytest.raises(ValidationFailed) as refused:
        rename_account(books, RENT, None, label_nl=label_nl, label_en=label_en)
    assert refused.value.field == field
    assert labels(books) == ("Huur", "Rent")


def test_labels_are_compared_as_the_picker_folds_them(books):
    rename_account(books, RENT, None, label_nl="Straße", label_en="")
    with pytest.raises(ValidationFailed):
        rename_account(books, "Expenses:Staff:Holiday-Pay", None, label_nl="STRASSE", label_en="")


def test_a_label_two_accounts_share_from_the_chart_stays_while_the_other_changes(books):
    shared = books.execute(
        select(Account.name, Account.label_nl).where(Account.name.like("%:Bureau"))
    ).all()
    assert len({label for _name, label in shared}) == 1 and len(shared) == 2  # the chart's own
    name, label = shared[0]

    assert rename_account(books, name, None, label_nl=label, label_en="Bureau current account")
    assert labels(books, name) == (label, "Bureau current account")


def test_an_account_opened_by_its_name_has_its_labels_held_to_the_same_rules(books):
    opened = date(YEAR, 1, 1)
    with pytest.raises(ValidationFailed) as refused:
        open_named_account(books, "Expenses:Camp", None, opened_on=opened, label_nl="huur")
    assert refused.value.field == "label_nl"
    with pytest.raises(ValidationFailed) as refused:
        open_named_account(books, "Expenses:Camp", None, opened_on=opened, label_en="x" * 101)
    assert refused.value.field == "label_en"
    open_named_account(books, "Expenses:Camp", None, opened_on=opened, label_nl=" Zomer  kamp")
    assert labels(books, "Expenses:Camp") == ("Zomer kamp", "")
