"""Importing statements: nothing twice, refusals change nothing, balances become assertions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from ledger.bank.accounts import add_bank_account, set_csv_mapping
from ledger.bank.csvmapping import CsvMapping
from ledger.bank.importing import import_statement
from ledger.bank.inbox import Confirmation, confirm_line, open_lines
from ledger.bank.models import BankAccount, BankBalance, BankImport, BankLine
from ledger.bank.presets import PRESETS
from ledger.bank.reconciliation import reconcile, reconciliations
from ledger.bank.statement import StatementRefused
from ledger.checks import BalanceAssertionBroken
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import ValidationFailed
from ledger.models import BalanceAssertion
from ledger.transactions import post_transaction
from tests.bank.conftest import statement_file

ING = "NL20INGB0001234567"


def count(session, table) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def opening_balance(session, day: date, number: str) -> None:
    post_transaction(
        session,
        NewTransaction(
            date=day,
            narration="Beginsaldo bank",
            postings=(
                NewPosting("Assets:Bank:Checking", Amount(Decimal(number), "EUR")),
                NewPosting("Equity:Opening-Balances", Amount(-Decimal(number), "EUR")),
            ),
        ),
        None,
    )


def book_everything(session) -> None:
    for item in open_lines(session):
        if item.line.is_pending:
            continue
        confirm_line(session, Confirmation(item.line.id, "Expenses:Bank:Fees"), None)


def test_an_iban_is_validated_before_it_becomes_a_bank_account(books):
    with pytest.raises(ValidationFailed, match="geen geldig IBAN"):
        add_bank_account(books, "NL20INGB0001234568", None)


def test_a_bank_account_links_to_an_existing_balance_sheet_account_only(books):
    with pytest.raises(ValidationFailed, match="balansrekening"):
        add_bank_account(books, ING, None, account="Expenses:Bank:Fees")


def test_importing_a_statement_puts_its_lines_in_the_inbox(books):
    add_bank_account(books, "nl20 ingb 0001 2345 67", None)

    result = import_statement(books, statement_file("ing.camt053.xml"), None, filename="a.xml")

    assert (result.imported, result.duplicates, result.pending) == (3, 0, 1)
    assert result.account == "Assets:Bank:Checking"
    assert result.closing_balance == Decimal("2367.45")
    assert [item.line.is_pending for item in open_lines(books)] == [False, False, False, True]


def test_importing_the_same_file_twice_adds_nothing_the_second_time(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.camt053.xml"), None)

    again = import_statement(books, statement_file("ing.camt053.xml"), None)

    assert (again.imported, again.duplicates) == (0, 3)
    assert count(books, BankLine) == 4  # the pending line once too


def test_an_ing_csv_imported_before_its_labels_were_read_is_not_imported_twice(books):
    """Lines of an ING CSV are known by a hash of their text (ING gives no reference). Reading
    the labelled parts out of the text must not change it, or a treasurer's next export,
    overlapping the last, would bring every line in again."""
    bank_account_id = add_bank_account(books, ING, None)
    set_csv_mapping(books, bank_account_id, replace(PRESETS["ing"], split_labels=False), None)
    import_statement(books, statement_file("ing.csv"), None, bank_account_id=bank_account_id)
    whole = books.scalars(select(BankLine.description).order_by(BankLine.date)).all()
    books.execute(update(BankAccount).values(csv_mapping=None))  # the preset again

    again = import_statement(books, statement_file("ing.csv"), None)

    assert (again.imported, again.duplicates) == (0, 3)
    assert whole[0].startswith("Naam: Verzekeraar Collectief NV Omschrijving: premie AVB")


def test_an_overlapping_statement_adds_only_its_new_lines(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.mt940"), None)
    later = (
        statement_file("ing.mt940")
        .decode()
        .replace(
            ":62F:C240302EUR1112,15",
            ":61:2403030303D2,15NTRFNONREF//00000000001004\n:86:/REMI/USTD//Bankkosten/\n"
            ":62F:C240303EUR1110,00",
        )
    )

    result = import_statement(books, later.encode(), None)

    assert (result.imported, result.duplicates) == (1, 3)


def test_a_file_for_another_iban_is_refused_and_changes_nothing(books):
    add_bank_account(books, ING, None)

    with pytest.raises(StatementRefused, match="geen bekende bankrekening"):
        import_statement(books, statement_file("other_iban.camt053.xml"), None)

    assert (count(books, BankImport), count(books, BankLine)) == (0, 0)


def test_a_file_for_another_iban_than_the_chosen_account_is_refused(books):
    chosen = add_bank_account(books, ING, None)
    add_bank_account(books, "NL36INGB0007654321", None, account="Assets:Bank:Savings")

    with pytest.raises(StatementRefused, match="niet van NL20INGB0001234567"):
        import_statement(
            books, statement_file("other_iban.camt053.xml"), None, bank_account_id=chosen
        )

    assert count(books, BankLine) == 0


@pytest.mark.parametrize(
    "name", ["does_not_add_up.camt053.xml", "truncated.camt053.xml", "billion_laughs.camt053.xml"]
)
def test_a_malformed_file_is_refused_and_changes_nothing(books, name):
    add_bank_account(books, ING, None)

    with pytest.raises(StatementRefused):
        import_statement(books, statement_file(name), None)

    assert (count(books, BankImport), count(books, BankLine), count(books, BankBalance)) == (
        0,
        0,
        0,
    )


def test_a_statement_whose_balance_contradicts_an_earlier_one_is_refused(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.camt053.xml"), None)
    changed = (
        statement_file("ing.camt053.xml")
        .replace(b"2500.00", b"2400.00")
        .replace(b"2367.45", b"2267.45")
    )

    with pytest.raises(StatementRefused, match="volgens een ander afschrift"):
        import_statement(books, changed, None)


def test_balances_become_assertions_once_the_lines_before_them_are_booked(books):
    add_bank_account(books, ING, None)
    opening_balance(books, date(2024, 3, 1), "2500.00")
    import_statement(books, statement_file("ing.camt053.xml"), None)
    opening_only = books.scalars(select(BalanceAssertion.date)).all()

    book_everything(books)

    assert opening_only == [date(2024, 4, 1)]
    assertions = books.execute(select(BalanceAssertion.date, BalanceAssertion.number)).all()
    assert sorted(assertions) == [
        (date(2024, 4, 1), Decimal("2500.00")),
        (date(2024, 4, 3), Decimal("2367.45")),
    ]
    (status,) = reconciliations(books)
    assert status.is_reconciled
    assert status.asserted_until == date(2024, 4, 3)


def test_a_payment_booked_twice_by_hand_is_refused_by_the_closing_assertion(books):
    add_bank_account(books, ING, None)
    opening_balance(books, date(2024, 3, 1), "2500.00")
    import_statement(books, statement_file("ing.camt053.xml"), None)
    book_everything(books)

    with pytest.raises(BalanceAssertionBroken):
        post_transaction(
            books,
            NewTransaction(
                date=date(2024, 4, 1),
                narration="Huur zaal april (nog eens)",
                postings=(
                    NewPosting("Assets:Bank:Checking", Amount(Decimal("-120.00"), "EUR")),
                    NewPosting("Expenses:Bank:Fees", Amount(Decimal("120.00"), "EUR")),
                ),
            ),
            None,
        )


def test_a_missing_statement_shows_as_a_difference_instead_of_an_assertion(books):
    add_bank_account(books, "NL38RABO0300000001", None)
    opening_balance(books, date(2024, 5, 1), "-15.20")
    import_statement(books, statement_file("rabobank.camt053.xml"), None)
    book_everything(books)

    import_statement(books, statement_file("rabobank.csv"), None)  # July to September missing
    (status,) = reconciliations(books)

    assert status.difference == Decimal("734.80") - Decimal("1721.70")
    assert status.difference_date == date(2024, 10, 1)
    assert status.asserted_until == date(2024, 5, 16)


def test_the_first_statement_shows_its_opening_balance_as_a_difference_until_it_is_booked(books):
    add_bank_account(books, ING, None)

    import_statement(books, statement_file("ing.camt053.xml"), None)
    (status,) = reconciliations(books)

    assert (status.difference, status.difference_date) == (Decimal("-2500.00"), date(2024, 4, 1))
    assert status.open_lines == 3


def test_an_opening_balance_booked_afterwards_is_asserted_when_reconciling_again(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.camt053.xml"), None)
    book_everything(books)
    opening_balance(books, date(2024, 3, 1), "2500.00")

    added = reconcile(books)

    assert added == 2
    assert reconciliations(books)[0].is_reconciled


def test_booked_lines_without_a_balance_from_the_bank_are_not_called_reconciled(books):
    """A new bank account, and one whose files carry no balance, said "afgestemd" with nothing
    checked against the books."""
    bank_account_id = add_bank_account(books, "NL63TRIO0212345678", None)
    assert not reconciliations(books)[0].is_reconciled
    no_balances = replace(TRIODOS_MAPPING, balance_after=None)
    set_csv_mapping(books, bank_account_id, no_balances, None)
    import_statement(books, statement_file("triodos.csv"), None)

    book_everything(books)

    (status,) = reconciliations(books)
    assert (status.open_lines, status.difference, status.asserted_until) == (0, None, None)
    assert not status.is_reconciled


TRIODOS_MAPPING = CsvMapping(
    date="Boekdatum",
    date_format="%d-%m-%Y",
    amount="Bedrag",
    decimal_comma=True,
    direction="Af/Bij",
    debit_values=("Af",),
    counterparty_name="Naam",
    counterparty_iban="Tegenrekening",
    description=("Omschrijving",),
    balance_after="Saldo",
    delimiter=";",
)


def test_a_csv_is_read_with_the_column_mapping_saved_for_its_bank_account(books):
    bank_account_id = add_bank_account(books, "NL63TRIO0212345678", None)
    set_csv_mapping(books, bank_account_id, TRIODOS_MAPPING, None)

    result = import_statement(books, statement_file("triodos.csv"), None)

    assert (result.imported, result.iban) == (2, "NL63TRIO0212345678")
    assert result.closing_balance == Decimal("1010.50")
    amounts = books.scalars(select(BankLine.amount).order_by(BankLine.date)).all()
    assert amounts == [Decimal("15.00"), Decimal("-4.50")]


def test_a_csv_that_fits_no_mapping_is_refused(books):
    add_bank_account(books, "NL63TRIO0212345678", None)

    with pytest.raises(StatementRefused, match="Onbekend bestandsformaat"):
        import_statement(books, statement_file("triodos.csv"), None)
