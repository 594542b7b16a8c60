"""Text that users type can never break or inject into the Beancount export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from beancount import loader
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.beans import parse_book, render_book
from ledger.entries import (
    AccountRef,
    Amount,
    Book,
    CustomEntry,
    EventEntry,
    NewPosting,
    NewTransaction,
    NoteEntry,
    OpenEntry,
)

HOSTILE = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8")),
    st.sampled_from(
        [
            '"',
            "\\",
            '\\"',
            "\n2024-01-01 open Assets:Injected\n",
            '" \n2024-01-01 close Assets:Bank ; "',
            "; comment",
            'option "title" "x"',
            "€ ünïcødé 😀",
            "\r\n\t",
        ]
    ),
)


def book_with(payee: str, narration: str, meta: str, label: str, note: str) -> Book:
    return Book(
        options={},
        directives=(
            OpenEntry(date(2024, 1, 1), "Assets:Bank", ("EUR",), None, {"label_nl": label}),
            OpenEntry(date(2024, 1, 1), "Income:Gifts", ("EUR",)),
            NewTransaction(
                date=date(2024, 2, 1),
                payee=payee,
                narration=narration,
                meta={"remark": meta},
                postings=(
                    NewPosting("Assets:Bank", Amount(Decimal("1.00"), "EUR"), meta={"memo": meta}),
                    NewPosting("Income:Gifts", Amount(Decimal("-1.00"), "EUR")),
                ),
            ),
            NoteEntry(date(2024, 2, 2), "Assets:Bank", note),
            EventEntry(date(2024, 2, 3), note, note),
            CustomEntry(date(2024, 2, 4), note, (note, AccountRef("Assets:Bank"))),
        ),
    )


@settings(max_examples=150, deadline=None)
@given(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE)
def test_hostile_text_round_trips_through_the_export_and_adds_no_directive(
    payee: str, narration: str, meta: str, label: str, note: str
) -> None:
    text = render_book(book_with(payee, narration, meta, label, note))

    entries, errors, _options = loader.load_string(text)
    book, problems = parse_book(text)

    assert errors == [] and problems == []
    assert book is not None and len(entries) == len(book.directives) == 6
    transaction = next(d for d in book.directives if isinstance(d, NewTransaction))
    assert (transaction.payee or "", transaction.narration) == (payee, narration)
    assert transaction.meta["remark"] == meta
    assert transaction.postings[0].meta["memo"] == meta
    opening = next(d for d in book.directives if isinstance(d, OpenEntry))
    assert opening.meta["label_nl"] == label
    assert next(d for d in book.directives if isinstance(d, NoteEntry)).comment == note
    event = next(d for d in book.directives if isinstance(d, EventEntry))
    assert (event.type, event.description) == (note, note)
    custom = next(d for d in book.directives if isinstance(d, CustomEntry))
    assert (custom.type, custom.values) == (note, (note, AccountRef("Assets:Bank")))
