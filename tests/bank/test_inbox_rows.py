"""The inbox's rows, written in Python: every text from the bank escaped, every word in the
reader's language, and what a bookkeeper may do only for a bookkeeper."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from flask_babel import force_locale

from app.bank.inbox_rows import inbox_rows
from ledger.bank.bookable import Hint
from ledger.bank.inbox import InboxLine, Proposal
from ledger.bank.matching import OpenInvoice
from ledger.bank.models import BankLine
from ledger.entries import Amount
from ledger.errors import DomainError

HOSTILE = '<script>alert("x")</script> & "co"'


def line(number: int, **values) -> BankLine:
    fields = {
        "date": date(2026, 3, 9),
        "amount": Decimal("-1234.5"),
        "currency": "EUR",
        "description": "",
        "counterparty_name": "",
        "counterparty_iban": "",
        "payment_reference": "",
        "return_reason": "",
        "is_pending": False,
        **values,
    }
    return BankLine(id=number, **fields)


INVOICE = OpenInvoice(
    "RF18539007547034", "2026-0007", Amount(Decimal("45"), "EUR"), "Assets:Debtors"
)


def test_every_text_from_the_bank_is_escaped(app: Flask) -> None:
    hostile = line(
        1,
        description=HOSTILE,
        counterparty_name=HOSTILE,
        counterparty_iban="NL91<b>",
        payment_reference=HOSTILE,
        return_reason="<i>",
    )
    hint = Hint("Deze regel lijkt dubbel: %(what)s.", {"what": HOSTILE})
    with app.test_request_context("/"):
        html = str(inbox_rows([InboxLine(hostile, None, hint)], True, {}))
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert html.count("&lt;script&gt;") == 4  # description, counterparty, reference, hint
    assert "retour: &lt;i&gt;" in html and "NL91&lt;b&gt;" in html


def test_a_bookkeeper_ticks_a_ready_line_and_types_its_account_as_the_picker_writes_it(
    app: Flask,
) -> None:
    ready = InboxLine(line(7, counterparty_name="Bol.com"), Proposal("Expenses:Office"), None)
    invoiced = InboxLine(line(8), Proposal("Assets:Debtors", invoice=INVOICE), None)
    shown_as = {"Expenses:Office": "Kantoorkosten (Expenses:Office)"}
    with app.test_request_context("/"):
        html = str(inbox_rows([ready, invoiced], True, shown_as))
    first, second = html.split("</tr>")[:2]
    assert 'name="line" value="7" aria-label="Regel 7 boeken" checked>' in first
    assert 'value="Kantoorkosten (Expenses:Office)"' in first
    assert "voorstel van een regel" in first and ">€\xa0-1.234,50<" in first
    assert 'value="Assets:Debtors"' in second and "factuur 2026-0007" in second
    assert first.count('form="ignore-7"') == 2  # the reason and the button of its own form


def test_a_pending_line_cannot_be_ticked_or_given_an_account(app: Flask) -> None:
    pending = InboxLine(line(3, is_pending=True), None, None)
    with app.test_request_context("/"):
        html = str(inbox_rows([pending], True, {}))
    assert 'class="pending"' in html and '<span class="badge">In behandeling</span>' in html
    assert 'type="checkbox"' not in html and 'name="account-3"' not in html
    assert ">—</td>" in html


def test_a_line_no_account_can_book_cannot_be_ticked_but_a_possible_duplicate_can(
    app: Flask,
) -> None:
    early = Hint("Deze regel valt vóór de start van de boekhouding.", kind="before_start")
    closed = Hint("Deze regel valt in de afgesloten periode.", kind="closed_period")
    twice = Hint("Mogelijk dubbel.", kind="duplicate")
    items = [
        InboxLine(line(11), Proposal("Expenses:Office"), early),
        InboxLine(line(12), None, closed),
        InboxLine(line(13), Proposal("Expenses:Office"), twice),
    ]
    with app.test_request_context("/"):
        rows = str(inbox_rows(items, True, {})).split("</tr>")[:3]
    for blocked, number in zip(rows[:2], (11, 12), strict=True):
        assert f'value="{number}" aria-label="Regel {number} boeken" disabled>' in blocked
        assert f'name="account-{number}"' not in blocked and ">—" in blocked
        assert "voorstel van een regel" not in blocked  # a dash, proposed by nobody
        assert f'form="ignore-{number}"' in blocked  # ignoring it is what the hint asks
    assert 'value="13" aria-label="Regel 13 boeken">' in rows[2]  # not ticked, not barred
    assert 'name="account-13"' in rows[2]


def test_a_viewer_sees_the_proposal_but_no_tick_no_input_and_no_ignore_form(app: Flask) -> None:
    proposed = InboxLine(line(4), Proposal("Expenses:Office"), None)
    with app.test_request_context("/"):
        html = str(inbox_rows([proposed], False, {}))
    assert 'type="checkbox"' not in html and "<input" not in html and "<details" not in html
    assert ">Expenses:Office\n<small>" in html  # no organisation bound: the name as it is


def test_the_words_and_the_amount_are_in_the_readers_language(app: Flask) -> None:
    ready = InboxLine(
        line(5), Proposal("Expenses:Office"), Hint("Vóór de start van de boekhouding.")
    )
    with app.test_request_context("/"), force_locale("en"):
        html = str(inbox_rows([ready], True, {}))
    assert 'aria-label="Post line 5"' in html and 'data-label="Contra account"' in html
    assert "<small>suggested by a rule</small>" in html and ">-€1,234.50<" in html
    assert ">09/03/2026<" in html and "<summary>Ignore</summary>" in html


def in_both_languages(app: Flask, item: InboxLine) -> tuple[str, str]:
    """The row of ``item`` for a bookkeeper reading Dutch, and for one reading English."""
    with app.test_request_context("/"):
        dutch = str(inbox_rows([item], True, {}))
    with app.test_request_context("/"), force_locale("en"):
        english = str(inbox_rows([item], True, {}))
    return dutch, english


def test_a_hints_day_is_written_as_its_reader_writes_days(app: Flask) -> None:
    """The hint's day was Dutch text made in the domain, also on an English page."""
    hint = Hint(
        "Deze regel valt vóór de start van de boekhouding (%(start)s) en kan niet geboekt"
        " worden. Negeer de regel: wat vóór die datum gebeurde, staat in de beginbalans.",
        {"start": date(2026, 1, 1)},
        kind="before_start",
    )
    dutch, english = in_both_languages(app, InboxLine(line(6), None, hint))
    assert "de boekhouding (01-01-2026)" in dutch
    assert "before the books start (01/01/2026)" in english


def test_a_hints_amount_is_written_as_its_reader_writes_money(app: Flask) -> None:
    """The amount in a hint was Dutch text made in the domain, also on an English page; on the
    command line it stays Dutch."""
    hint = Hint(
        "Mogelijk dubbel: op %(date)s staat al een boeking van %(amount)s op deze"
        " bankrekening (boeking %(id)s). Negeer de regel als het dezelfde betaling is.",
        {"date": date(2026, 3, 9), "amount": Amount(Decimal("-1234.5"), "EUR"), "id": 7},
        kind="duplicate",
    )
    dutch, english = in_both_languages(app, InboxLine(line(7), None, hint))
    assert "op 09-03-2026 staat al een boeking van €\xa0-1.234,50 op" in dutch
    assert "on 09/03/2026 a booking of -€1,234.50 is already on this bank account" in english
    refused = DomainError("Het saldo is %(amount)s.", amount=Amount(Decimal("-12.1"), "EUR"))
    assert str(refused) == "Het saldo is €\xa0-12,10."
