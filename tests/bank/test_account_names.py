"""The bank inbox and rules take an account by the Dutch name the rest of the application shows."""

from __future__ import annotations

from sqlalchemy import select

from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankLine
from ledger.bank.rules import all_rules
from tenants.roles import Role
from tests.bank.conftest import statement_file
from tests.bank.test_web import ING, signed_in, upload


def test_a_line_is_booked_on_the_account_typed_by_its_dutch_name(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    line_id = books.scalars(select(BankLine.id).order_by(BankLine.id)).first()

    inbox = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert '<option value="Contributies"' in inbox
    response = client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={"line": str(line_id), f"account-{line_id}": "contributies"},
    )

    assert response.status_code == 302
    page = client.get(f"/o/{org.slug}/journal").get_data(as_text=True)
    assert "Income:Members:Dues" in page


def test_a_rule_takes_the_dutch_name_and_lists_it_so(client, make_user, login_as, org, books):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    client.post(
        f"/o/{org.slug}/bank/rules", data={"account": "Huur", "description_contains": "huur"}
    )

    assert [rule.contra_account for rule in all_rules(books)] == ["Expenses:Housing:Rent"]
    page = client.get(f"/o/{org.slug}/bank/rules").get_data(as_text=True)
    assert 'data-label="Tegenrekening">Huur</td>' in page and '<option value="Huur"' in page
    assert "Expenses:Housing:Rent" not in page


def test_a_refused_rule_comes_back_with_what_was_typed(client, make_user, login_as, org, books):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    response = client.post(
        f"/o/{org.slug}/bank/rules",
        data={"account": "Huurr", "counterparty_name": "Buurthuis", "amount_min": "12,50"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-account"' in page and "Huurr" in page
    assert 'value="Buurthuis"' in page and 'value="12,50"' in page
    assert all_rules(books) == []
