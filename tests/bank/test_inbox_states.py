"""Lines that cannot be booked as they are: ignored with a reason, pending at the bank, before
the books open; and statements whose lines fall outside their own period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.dashboard.attention import unbooked_bank_lines
from ledger.audit import audit_trail
from ledger.bank.accounts import add_bank_account
from ledger.bank.ignoring import ignore_line, restore_line
from ledger.bank.importing import import_statement
from ledger.bank.inbox import Confirmation, confirm_line, ignored_count, open_lines
from ledger.bank.models import BankBalance, BankLine
from ledger.bank.rules import RuleSpec, add_rule
from ledger.entries import AccountRef
from ledger.errors import ValidationFailed
from ledger.models import Account
from tests.bank.conftest import statement_file

ING = "NL20INGB0001234567"
RABO = "NL38RABO0300000001"
# ING's statement of the next day: the payment pending on 2 April, now booked under its own
# reference (as the bank does), and nothing else.
NEXT_DAY = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>0240403000000001</Id><Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2367.45</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-04-03</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2267.46</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-04-03</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">99.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2024-04-03</Dt></BookgDt><AcctSvcrRef>IN24040300005</AcctSvcrRef></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


@pytest.fixture
def inbox(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.camt053.xml"), None)
    return books


def line_named(session, name: str) -> BankLine:
    return session.scalars(select(BankLine).where(BankLine.counterparty_name == name)).one()


def test_an_ignored_line_leaves_the_inbox_and_the_to_do_count_and_shows_under_ignored(inbox):
    line = line_named(inbox, "M. Bakker")
    before = unbooked_bank_lines(inbox)

    ignore_line(inbox, line.id, "  Privébetaling,  terugbetaald ", 7)

    assert line.id not in [item.line.id for item in open_lines(inbox)]
    assert [item.line.id for item in open_lines(inbox, ignored=True)] == [line.id]
    assert line.ignored_reason == "Privébetaling, terugbetaald"
    assert (ignored_count(inbox), unbooked_bank_lines(inbox)) == (1, before - 1)


def test_ignoring_needs_a_reason_and_changes_nothing_without_one(inbox):
    line = line_named(inbox, "M. Bakker")

    with pytest.raises(ValidationFailed, match="Geef een reden"):
        ignore_line(inbox, line.id, "   ", None)

    assert line.ignored_at is None


def test_an_ignored_line_comes_back_and_both_steps_are_in_the_audit_trail(inbox):
    line = line_named(inbox, "M. Bakker")
    ignore_line(inbox, line.id, "Dubbel met de kas", 7)

    restore_line(inbox, line.id, 8)

    assert line.ignored_at is None and line.ignored_reason == ""
    assert line.id in [item.line.id for item in open_lines(inbox)]
    steps = audit_trail(inbox, entity="bank_line", entity_id=line.id)
    assert sorted((row.action, row.actor_id) for row in steps) == [("ignore", 7), ("restore", 8)]
    reasons = {row.action: row.after or row.before for row in steps}
    assert reasons == {
        "ignore": {"reason": "Dubbel met de kas"},
        "restore": {"reason": "Dubbel met de kas"},
    }


def test_an_ignored_line_cannot_be_booked(inbox):
    line = line_named(inbox, "M. Bakker")
    ignore_line(inbox, line.id, "Privé", None)

    with pytest.raises(ValidationFailed, match="genegeerd"):
        confirm_line(inbox, Confirmation(line.id, "Income:Donations:Gifts"), None)


def test_a_pending_line_is_shown_as_such_and_cannot_be_booked(inbox):
    (pending,) = [item for item in open_lines(inbox) if item.line.is_pending]

    assert pending.line.amount == Decimal("-99.99")
    assert "In behandeling bij de bank" in pending.hint.template
    assert unbooked_bank_lines(inbox) == 3
    with pytest.raises(ValidationFailed, match="in behandeling"):
        confirm_line(inbox, Confirmation(pending.line.id, "Expenses:Bank:Fees"), None)


def test_the_booked_version_of_a_pending_line_replaces_it_without_a_duplicate(inbox):
    booked_later = NEXT_DAY.encode()

    result = import_statement(inbox, booked_later, None)

    lines = inbox.scalars(select(BankLine).where(BankLine.amount == Decimal("-99.99"))).all()
    assert [(line.is_pending, line.bank_reference) for line in lines] == [(False, "IN24040300005")]
    assert (result.imported, result.pending) == (1, 0)


def test_a_line_before_the_books_open_says_so_with_the_fix_and_is_not_pre_ticked(inbox):
    inbox.execute(
        update(Account)
        .where(Account.name == "Assets:Bank:Checking")
        .values(opened_on=date(2024, 4, 2))
    )
    add_rule(
        inbox, RuleSpec("Income:Donations:Gifts", counterparty_iban="NL02ABNA0123456789"), None
    )
    add_rule(inbox, RuleSpec("Expenses:Bank:Fees", counterparty_iban="NL36INGB0007654321"), None)

    items = {item.line.counterparty_name: item for item in open_lines(inbox)}

    early, later = items["M. Bakker"], items["Servicebureau Samen"]
    assert early.proposal is not None and not early.is_ready
    assert early.hint.params == {"start": date(2024, 4, 2)}
    assert "Negeer de regel" in early.hint.template
    assert later.is_ready and later.hint is None


def test_a_line_that_looks_booked_by_hand_already_is_not_pre_ticked(inbox):
    add_rule(inbox, RuleSpec("Expenses:Bank:Fees", counterparty_iban="NL44RABO0123456789"), None)
    from ledger.entries import Amount, NewPosting, NewTransaction
    from ledger.transactions import post_transaction

    post_transaction(
        inbox,
        NewTransaction(
            date=date(2024, 4, 1),
            narration="Huur april, met de hand",
            postings=(
                NewPosting("Assets:Bank:Checking", Amount(Decimal("-120.00"), "EUR")),
                NewPosting("Expenses:Bank:Fees", Amount(Decimal("120.00"), "EUR")),
            ),
        ),
        None,
    )

    rent = next(i for i in open_lines(inbox) if i.line.counterparty_name.startswith("Stichting"))

    assert not rent.is_ready
    assert "Mogelijk dubbel" in rent.hint.template


def test_only_postings_of_the_lines_amounts_are_read_as_booked_by_hand(inbox):
    """Hand postings of other amounts in the lines' days are not read: an inbox spanning a year
    would otherwise bring every bank posting of that year. The amount matches at any scale."""
    from ledger.bank.bookable import _booked_by_hand
    from ledger.entries import Amount, NewPosting, NewTransaction
    from ledger.transactions import post_transaction

    def by_hand(number: str) -> int:
        return post_transaction(
            inbox,
            NewTransaction(
                date=date(2024, 4, 1),
                narration=f"Met de hand: {number}",
                postings=(
                    NewPosting("Assets:Bank:Checking", Amount(Decimal(number), "EUR")),
                    NewPosting("Expenses:Bank:Fees", Amount(-Decimal(number), "EUR")),
                ),
            ),
            None,
        )

    for other in ("-1.00", "-119.99", "-120.01", "120.00"):
        by_hand(other)
    same = by_hand("-120.0")
    lines = [item.line for item in open_lines(inbox)]
    bank_account_id = lines[0].bank_account_id

    found = _booked_by_hand(inbox, lines)

    assert found == {(bank_account_id, date(2024, 4, 1), Decimal("-120.00")): same}


def test_a_rabobank_costs_line_dated_before_its_statements_opening_is_accepted(books):
    add_bank_account(books, RABO, None)

    result = import_statement(books, statement_file("rabobank_costs.mt940"), None)

    assert result.imported == 4
    balances = books.execute(select(BankBalance.date, BankBalance.number)).all()
    # the costs of 30 July count in the books from that day on, in every later balance
    assert sorted(balances) == [
        (date(2024, 7, 31), Decimal("687.90")),
        (date(2024, 8, 1), Decimal("722.70")),
        (date(2024, 8, 2), Decimal("1972.70")),
        (date(2024, 8, 3), Decimal("1722.70")),
    ]


def test_the_same_file_with_an_early_line_imports_twice_without_a_contradiction(books):
    add_bank_account(books, RABO, None)
    import_statement(books, statement_file("rabobank_costs.mt940"), None)

    again = import_statement(books, statement_file("rabobank_costs.mt940"), None)

    assert (again.imported, again.duplicates) == (0, 4)


def test_an_early_line_in_a_later_file_moves_the_balances_kept_from_an_earlier_file(books):
    add_bank_account(books, RABO, None)
    text = statement_file("rabobank_costs.mt940").decode()
    first, _, last = text.partition(":20:940S240802")
    import_statement(books, first.encode(), None)

    import_statement(books, (":940:\n:20:940S240802" + last).encode(), None)

    kept = {row.date: row.number for row in books.execute(select(BankBalance)).scalars()}
    assert kept[date(2024, 8, 1)] == Decimal("722.70")
    assert kept[date(2024, 8, 2)] == Decimal("1972.70")


def test_each_statement_in_a_file_must_add_up_on_its_own(books):
    add_bank_account(books, RABO, None)
    broken = statement_file("rabobank_costs.mt940").replace(
        b":62F:C240801EUR1984,80\n:20:940S240802", b":62F:C240801EUR1984,81\n:20:940S240802"
    )

    with pytest.raises(ValidationFailed, match="afschrift van 01-08-2024 klopt niet"):
        import_statement(books, broken, None)


def test_a_line_in_a_closed_period_says_how_to_go_on_and_is_not_pre_ticked(inbox):
    from ledger.periods import close_period

    add_rule(
        inbox, RuleSpec("Income:Donations:Gifts", counterparty_iban="NL02ABNA0123456789"), None
    )
    close_period(inbox, date(2024, 4, 1), date(2024, 4, 1), None, role="owner")

    gift = next(i for i in open_lines(inbox) if i.line.counterparty_name == "M. Bakker")

    assert not gift.is_ready
    assert gift.hint.params == {"start": date(2024, 4, 1), "end": date(2024, 4, 1)}


def test_a_rule_proposing_an_account_closed_on_the_lines_day_does_not_pre_tick_it(inbox):
    add_rule(
        inbox, RuleSpec("Income:Donations:Gifts", counterparty_iban="NL02ABNA0123456789"), None
    )
    inbox.execute(
        update(Account)
        .where(Account.name == "Income:Donations:Gifts")
        .values(closed_on=date(2024, 3, 31))
    )

    gift = next(i for i in open_lines(inbox) if i.line.counterparty_name == "M. Bakker")

    assert not gift.is_ready
    account = AccountRef("Income:Donations:Gifts")  # shown by its label, in the reader's language
    assert gift.hint.params == {"name": account, "date": date(2024, 4, 1)}


def test_every_line_before_the_books_open_is_ignored_in_one_step_with_the_reason_written_out(
    inbox,
):
    from ledger.bank.ignoring import ignore_before_start
    from ledger.bank.inbox import before_start_count

    inbox.execute(
        update(Account)
        .where(Account.name == "Assets:Bank:Checking")
        .values(opened_on=date(2024, 4, 2))
    )
    assert before_start_count(open_lines(inbox)) == 2

    count = ignore_before_start(inbox, 5)

    ignored = open_lines(inbox, ignored=True)
    assert count == 2
    assert {item.line.counterparty_name for item in ignored} == {
        "M. Bakker",
        "Stichting Buurthuis De Linde",
    }
    assert {item.line.ignored_reason for item in ignored} == {
        "Valt vóór de start van de boekhouding (02-04-2024)."
    }
    assert before_start_count(open_lines(inbox)) == 0
    assert len(audit_trail(inbox, entity="bank_line")) == 2


def test_a_line_dated_after_its_statements_closing_date_keeps_the_files_balances_consistent(
    books,
):
    add_bank_account(books, RABO, None)
    text = (
        ":940:\n:20:940S240801\n:25:NL38RABO0300000001 EUR\n:28C:00001\n:60F:C240731EUR100,00\n"
        ":61:240801C10,00NTRFNONREF//R1\n:86:/REMI/Gift\n"
        ":61:240802C5,00NTRFNONREF//R2\n:86:/REMI/Gift, gedateerd op de dag na het afschrift\n"
        ":62F:C240801EUR115,00\n"
        ":20:940S240802\n:25:NL38RABO0300000001 EUR\n:28C:00002\n:60F:C240801EUR115,00\n"
        ":61:240802D20,00NTRFNONREF//R3\n:86:/REMI/Koffie\n:62F:C240802EUR95,00\n"
    )

    import_statement(books, text.encode(), None)

    balances = books.execute(select(BankBalance.date, BankBalance.number)).all()
    assert sorted(balances) == [
        (date(2024, 8, 1), Decimal("100.00")),
        (date(2024, 8, 2), Decimal("110.00")),
        (date(2024, 8, 3), Decimal("95.00")),
    ]
