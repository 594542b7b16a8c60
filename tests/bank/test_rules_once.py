"""A rule is kept once: the same conditions sent twice, or four times at once, make one rule."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankLine, BankRule
from tenants.roles import Role
from tests.at_once import at_once
from tests.bank.conftest import statement_file
from tests.bank.test_web import ING, upload

RULE = {"counterparty_name": "Buurthuis", "account": "Expenses:Housing:Rent"}


def rules_in(books) -> int:
    books.rollback()  # a new snapshot: what the requests committed
    return int(books.scalar(select(func.count()).select_from(BankRule)) or 0)


def bookkeeper(app, make_user, login_as, org):
    user = make_user(org=org, role=Role.BOOKKEEPER)

    def browser():
        client = app.test_client()
        login_as(client, user)
        return client

    return browser


def test_a_rule_sent_four_times_at_once_is_kept_once(app, make_user, login_as, org, books):
    browsers = bookkeeper(app, make_user, login_as, org)
    clients = iter([browsers() for _ in range(4)])
    path = f"/o/{org.slug}/bank/rules"

    answers = at_once(4, lambda: next(clients).post(path, data=RULE))

    statuses = sorted(getattr(answer, "status_code", repr(answer)) for answer in answers)
    assert statuses == [302, 422, 422, 422]
    refused = [answer for answer in answers if answer.status_code == 422]
    assert all(
        "Er is al een regel met deze voorwaarden" in a.get_data(as_text=True) for a in refused
    )
    assert rules_in(books) == 1


def test_the_same_conditions_in_other_letters_or_to_another_account_are_refused(
    app, make_user, login_as, org, books
):
    client = bookkeeper(app, make_user, login_as, org)()
    path = f"/o/{org.slug}/bank/rules"
    assert client.post(path, data=RULE).status_code == 302

    shouting = client.post(path, data={**RULE, "counterparty_name": " BUURTHUIS "})
    elsewhere = client.post(path, data={**RULE, "account": "Expenses:Office:Supplies"})
    narrower = client.post(path, data={**RULE, "amount_max": "100"})

    assert shouting.status_code == elsewhere.status_code == 422
    assert "Er is al een regel met deze voorwaarden" in elsewhere.get_data(as_text=True)
    assert narrower.status_code == 302  # one more condition: a rule of its own
    assert rules_in(books) == 2


def test_a_rule_made_twice_from_one_booked_line_is_kept_once(app, make_user, login_as, org, books):
    add_bank_account(books, ING, None)
    books.commit()
    client = bookkeeper(app, make_user, login_as, org)()
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    line_id = books.scalars(select(BankLine.id).order_by(BankLine.id)).first()
    client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={"line": [str(line_id)], f"account-{line_id}": "Income:Donations:Gifts"},
    )

    first = client.post(f"/o/{org.slug}/bank/lines/{line_id}/rule")
    again = client.post(f"/o/{org.slug}/bank/lines/{line_id}/rule", follow_redirects=True)

    assert first.status_code == 302
    assert again.status_code == 200  # back on the rules page, told why
    page = again.get_data(as_text=True)
    assert "Er is al een regel met deze voorwaarden" in page
    assert "Wijzig die regel dan." in page  # what the page offers: the kept rule changed
    assert 'data-testid="edit-rule"' in page
    assert rules_in(books) == 1
