"""The inbox: rules propose a contra account, people confirm, invoices are matched by reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.inbox import (
    Confirmation,
    confirm_line,
    confirm_lines,
    open_lines,
    recently_booked,
)
from ledger.bank.matching import (
    BankPayment,
    OpenInvoice,
    candidate_references,
    first_open,
    normalised_reference,
)
from ledger.bank.models import BankLine
from ledger.bank.rules import RuleSpec, add_rule, all_rules, names_of_ibans, rule_from_line
from ledger.entries import Amount
from ledger.errors import ValidationFailed
from ledger.models import Posting, Transaction
from tests.bank.conftest import statement_file

ING = "NL20INGB0001234567"


@pytest.fixture
def inbox(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.camt053.xml"), None)
    return books


@dataclass
class Invoices:
    """A real, in-memory implementation of the invoice side, as purchasing will provide it."""

    open: dict[str, OpenInvoice]
    payments: list[tuple[str, Amount, int, date]] = field(default_factory=list)

    def match(self, payment: BankPayment) -> OpenInvoice | None:
        return first_open(lambda r: self.open.get(normalised_reference(r)), payment)

    def already_booked(self, invoice: OpenInvoice, payment: BankPayment) -> int | None:
        return None

    def record(self, invoice: OpenInvoice, payment: BankPayment, transaction_id: int) -> None:
        reference, amount = invoice.reference, payment.amount
        self.payments.append((reference, amount, transaction_id, payment.paid_on))
        left = self.open[reference].open_amount.number - amount.number
        if left == 0:
            del self.open[reference]


def bureau_invoice() -> Invoices:
    invoice = OpenInvoice(
        reference="5000000000000412",
        number="F2024-0412",
        open_amount=Amount(Decimal("-47.55"), "EUR"),
        account="Liabilities:Payables:Bureau",
        counterparty="Servicebureau Samen",
    )
    return Invoices({invoice.reference: invoice})


def line_by_name(session, name: str) -> BankLine:
    return session.scalar(select(BankLine).where(BankLine.counterparty_name == name))


def test_a_rule_on_the_counterparty_iban_proposes_its_account(inbox):
    add_rule(inbox, RuleSpec("Expenses:Housing:Rent", counterparty_iban="NL44RABO0123456789"), None)

    proposals = {i.line.counterparty_name: i.proposal for i in open_lines(inbox)}

    assert proposals["Stichting Buurthuis De Linde"].account == "Expenses:Housing:Rent"
    assert proposals["M. Bakker"] is None


def test_the_rule_with_more_conditions_wins(inbox):
    add_rule(inbox, RuleSpec("Income:Donations:Donors", description_contains="contributie"), None)
    add_rule(
        inbox,
        RuleSpec(
            "Income:Donations:Gifts",
            description_contains="CONTRIBUTIE",
            amount_min=Decimal("30"),
            amount_max=Decimal("40"),
        ),
        None,
    )

    proposals = {i.line.counterparty_name: i.proposal for i in open_lines(inbox)}

    assert proposals["M. Bakker"].account == "Income:Donations:Gifts"


def test_an_amount_range_excludes_lines_outside_it(inbox):
    add_rule(inbox, RuleSpec("Income:Donations:Gifts", amount_min=Decimal("100")), None)

    proposals = {i.line.counterparty_name: i.proposal for i in open_lines(inbox)}

    assert proposals["M. Bakker"] is None


def test_a_rule_without_conditions_is_refused(inbox):
    with pytest.raises(ValidationFailed, match="minstens één voorwaarde"):
        add_rule(inbox, RuleSpec("Income:Donations:Gifts"), None)


def test_confirming_a_line_posts_a_transaction_linked_to_it(inbox):
    line = line_by_name(inbox, "M. Bakker")

    transaction_id = confirm_line(inbox, Confirmation(line.id, "Income:Donations:Gifts"), 7)

    inbox.refresh(line)
    assert line.transaction_id == transaction_id and line.booked_by == 7
    transaction = inbox.get(Transaction, transaction_id)
    assert transaction.meta == {"bank-line": str(line.id)}
    assert transaction.payee == "M. Bakker"
    numbers = inbox.scalars(
        select(Posting.number).where(Posting.transaction_id == transaction_id)
    ).all()
    assert sorted(numbers) == [Decimal("-35.00"), Decimal("35.00")]


def test_a_line_cannot_be_booked_twice(inbox):
    line = line_by_name(inbox, "M. Bakker")
    confirm_line(inbox, Confirmation(line.id, "Income:Donations:Gifts"), None)

    with pytest.raises(ValidationFailed, match="al geboekt"):
        confirm_line(inbox, Confirmation(line.id, "Income:Donations:Gifts"), None)


def test_bulk_confirmation_books_the_good_lines_and_reports_the_refused_one(inbox):
    lines = [i.line for i in open_lines(inbox)]

    result = confirm_lines(
        inbox,
        [
            Confirmation(lines[0].id, "Income:Donations:Gifts"),
            Confirmation(lines[1].id, "Expenses:Nope"),
            Confirmation(lines[2].id, "Expenses:Bank:Fees"),
        ],
        None,
    )

    assert set(result.booked) == {lines[0].id, lines[2].id}
    assert set(result.refused) == {lines[1].id}
    assert [i.line.id for i in open_lines(inbox) if not i.line.is_pending] == [lines[1].id]


def test_a_rule_made_from_a_booked_line_proposes_the_same_account_next_time(inbox):
    line = line_by_name(inbox, "Stichting Buurthuis De Linde")
    confirm_line(inbox, Confirmation(line.id, "Expenses:Bank:Fees"), None)

    rule_id = rule_from_line(inbox, line.id, None)

    (rule,) = all_rules(inbox)
    assert rule.id == rule_id
    assert (rule.counterparty_iban, rule.contra_account) == (
        "NL44RABO0123456789",
        "Expenses:Bank:Fees",
    )


def test_an_iban_is_named_by_the_name_it_came_with_last(inbox):
    """The camt file (April 2024) names NL44RABO0123456789 "Stichting Buurthuis De Linde",
    the ING CSV (September 2024) names it "Gemeente Amsterdam"."""
    import_statement(inbox, statement_file("ing.csv"), None)

    names = names_of_ibans(inbox, ["NL44RABO0123456789", "NL02ABNA0123456789", "NL91NEVER0", ""])

    assert names == {
        "NL44RABO0123456789": "Gemeente Amsterdam",
        "NL02ABNA0123456789": "M. Bakker",
    }
    assert names_of_ibans(inbox, []) == {}


def test_a_payment_reference_proposes_the_open_invoice_over_any_rule(inbox):
    add_rule(inbox, RuleSpec("Expenses:Bank:Fees", counterparty_name="servicebureau"), None)

    proposals = {
        i.line.counterparty_name: i.proposal for i in open_lines(inbox, invoices=bureau_invoice())
    }

    proposal = proposals["Servicebureau Samen"]
    assert proposal.account == "Liabilities:Payables:Bureau"
    assert proposal.invoice.number == "F2024-0412"


def test_confirming_a_matched_line_records_the_payment_on_the_invoice(inbox):
    invoices = bureau_invoice()
    line = line_by_name(inbox, "Servicebureau Samen")

    transaction_id = confirm_line(
        inbox, Confirmation(line.id, "Liabilities:Payables:Bureau"), None, invoices=invoices
    )

    assert invoices.payments == [
        ("5000000000000412", Amount(Decimal("-47.55"), "EUR"), transaction_id, date(2024, 4, 2))
    ]
    assert invoices.open == {}


def test_the_lines_booked_last_come_with_the_account_each_went_to(inbox):
    """Not the bank's own account, whichever side of the transaction that is on."""
    gift = line_by_name(inbox, "M. Bakker")
    paid = line_by_name(inbox, "Servicebureau Samen")
    confirm_line(inbox, Confirmation(gift.id, "Income:Donations:Gifts"), None)
    confirm_line(
        inbox,
        Confirmation(paid.id, "Liabilities:Payables:Bureau"),
        None,
        invoices=bureau_invoice(),
    )

    booked = [(item.line.id, item.account) for item in recently_booked(inbox)]

    assert booked == [
        (paid.id, "Liabilities:Payables:Bureau"),
        (gift.id, "Income:Donations:Gifts"),
    ]


def test_an_incoming_payment_does_not_match_an_invoice_the_organisation_must_pay(inbox):
    invoices = bureau_invoice()
    invoices.open["5000000000000412"] = OpenInvoice(
        "5000000000000412", "X", Amount(Decimal("-35.00"), "EUR"), "Liabilities:Payables:Bureau"
    )
    line = line_by_name(inbox, "M. Bakker")
    line.description = "betaling 5000 0000 0000 0412"
    inbox.commit()

    proposals = {i.line.id: i.proposal for i in open_lines(inbox, invoices=invoices)}

    assert proposals[line.id] is None


def test_references_written_in_the_description_are_found_too():
    assert candidate_references("", "factuur RF18 5390 0754 7034 dank") == ["RF18539007547034"]
    assert candidate_references("", "kenmerk 5000 0000 0000 0412") == ["5000000000000412"]
