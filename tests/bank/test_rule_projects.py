"""A bank rule's project: lines it proposes an account for are booked on its project too, so the
report per project holds what the bank inbox booked (ledger/bank/rules.py, inbox.py)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ledger.audit import AUDIT_LOG
from ledger.bank.accounts import add_bank_account
from ledger.bank.inbox import Confirmation, confirm_line, confirm_lines, open_lines
from ledger.bank.models import BankLine, BankRule
from ledger.bank.rules import RuleSpec, add_rule, change_rule, rule_from_line, rule_of
from ledger.models import Transaction
from tenants.roles import Role
from tests.bank.conftest import statement_file
from tests.bank.test_inbox import ING, line_by_name
from tests.bank.test_rule_changes import inbox  # noqa: F401 (a fixture)
from tests.bank.test_web import signed_in, upload

LINDE = "Stichting Buurthuis De Linde"
RENT = "Expenses:Housing:Rent"
HALL = RuleSpec(RENT, counterparty_name="buurthuis", project="Buurtfeest")
GIFTS = "Income:Donations:Gifts"


def book_two(session, hall_project: str | None, gift_project: str | None):
    """The hall's rent and a member's gift booked together, each with the project typed."""
    hall, gift = line_by_name(session, LINDE), line_by_name(session, "M. Bakker")
    confirmations = [
        Confirmation(hall.id, RENT, project=hall_project),
        Confirmation(gift.id, GIFTS, project=gift_project),
    ]
    return hall, gift, confirm_lines(session, confirmations, None)


def meta_of(session, line: BankLine) -> dict:
    session.refresh(line)
    return session.scalar(select(Transaction.meta).where(Transaction.id == line.transaction_id))


def test_a_line_booked_on_its_rules_account_gets_the_rules_project(inbox):  # noqa: F811
    rule_id = add_rule(inbox, HALL, None)
    [proposal] = [i.proposal for i in open_lines(inbox) if i.line.counterparty_name == LINDE]
    assert proposal is not None and (proposal.account, proposal.project) == (RENT, "Buurtfeest")

    line = line_by_name(inbox, LINDE)
    confirm_line(inbox, Confirmation(line.id, RENT), None)

    assert meta_of(inbox, line) == {"bank-line": str(line.id), "project": "Buurtfeest"}
    assert rule_of(inbox, rule_id).project == "Buurtfeest"


def test_a_line_booked_on_another_account_than_its_rules_gets_no_project(inbox):  # noqa: F811
    add_rule(inbox, HALL, None)
    line = line_by_name(inbox, LINDE)

    result = confirm_lines(inbox, [Confirmation(line.id, "Expenses:Office:Supplies")], None)

    assert list(result.booked) == [line.id]
    assert meta_of(inbox, line) == {"bank-line": str(line.id)}


def test_a_rules_project_is_written_as_the_books_write_it_and_a_change_is_audited(
    inbox,  # noqa: F811
):
    line = line_by_name(inbox, LINDE)
    confirm_line(inbox, Confirmation(line.id, RENT), None)
    inbox.execute(
        Transaction.__table__.update()
        .where(Transaction.id == line.transaction_id)
        .values(meta={"project": "Buurtfeest"})
    )
    rule_id = add_rule(inbox, RuleSpec(RENT, counterparty_name="linde", project=" buurtFEEST "), 1)
    assert rule_of(inbox, rule_id).project == "Buurtfeest"

    change_rule(inbox, rule_id, RuleSpec(RENT, counterparty_name="linde", project=""), 1)

    assert rule_of(inbox, rule_id).project == ""
    [(before, after)] = inbox.execute(
        select(AUDIT_LOG.c.before, AUDIT_LOG.c.after).where(
            AUDIT_LOG.c.entity == "bank_rule", AUDIT_LOG.c.action == "edit"
        )
    ).all()
    assert before["project"] == "Buurtfeest" and "project" not in after


def test_a_rule_made_from_a_booked_line_keeps_the_lines_project(inbox):  # noqa: F811
    add_rule(inbox, HALL, None)
    line = line_by_name(inbox, LINDE)
    confirm_line(inbox, Confirmation(line.id, RENT), None)

    made = rule_of(inbox, rule_from_line(inbox, line.id, None))

    assert (made.contra_account, made.counterparty_iban, made.project) == (
        RENT,
        "NL44RABO0123456789",
        "Buurtfeest",
    )


def test_the_rules_page_sets_a_project_and_the_inbox_shows_it_with_the_proposal(
    app, client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))

    response = client.post(
        f"/o/{org.slug}/bank/rules",
        data={"counterparty_name": "buurthuis", "account": "Huur", "project": "Buurtfeest"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    rules = client.get(f"/o/{org.slug}/bank/rules").get_data(as_text=True)
    assert '<small data-testid="rule-project">project Buurtfeest</small>' in rules
    edit = re.search(r'href="(/o/[^"]+/bank/rules/\d+)" class="button secondary"', rules)
    assert edit and 'name="project" type="text" value="Buurtfeest"' in client.get(edit[1]).get_data(
        as_text=True
    )
    line_id = books.scalar(select(BankLine.id).where(BankLine.counterparty_name == LINDE))
    inbox_page = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    # A bookkeeper finds the rule's project in the line's project field, to keep or change.
    assert (
        f'<input id="project-{line_id}" form="confirm" name="project-{line_id}" class="project"'
    ) in inbox_page
    assert 'maxlength="100" value="Buurtfeest">' in inbox_page
    viewer = signed_in(app.test_client(), make_user, login_as, org, Role.VIEWER)
    seen = viewer.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert '· <span class="project">project Buurtfeest</span></small>' in seen
    assert 'class="project" placeholder' not in seen

    client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={"line": [str(line_id)], f"account-{line_id}": "Huur"},
    )
    booked = books.scalar(select(BankLine.transaction_id).where(BankLine.id == line_id))
    assert books.scalar(select(Transaction.meta).where(Transaction.id == booked)) == {
        "bank-line": str(line_id),
        "project": "Buurtfeest",
    }


def test_a_rule_with_a_project_the_books_cannot_take_is_refused_and_not_kept(
    client, make_user, login_as, org, books
):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    response = client.post(
        f"/o/{org.slug}/bank/rules",
        data={"counterparty_name": "buurthuis", "account": "Huur", "project": "x" * 101},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="error-project">Een projectnaam is hoogstens 100 tekens lang.' in page
    assert books.scalar(select(func.count()).select_from(BankRule)) == 0


# A project typed with the line in the inbox


def test_a_project_typed_with_a_line_is_booked_as_the_books_write_it(inbox):  # noqa: F811
    line = line_by_name(inbox, LINDE)
    confirm_line(inbox, Confirmation(line.id, RENT, project="Buurtfeest"), None)
    other = line_by_name(inbox, "M. Bakker")

    result = confirm_lines(inbox, [Confirmation(other.id, GIFTS, project="  buurtFEEST ")], None)

    assert list(result.booked) == [other.id]
    assert meta_of(inbox, line)["project"] == "Buurtfeest"
    assert meta_of(inbox, other) == {"bank-line": str(other.id), "project": "Buurtfeest"}


def test_a_typed_project_wins_over_the_rules_and_an_emptied_one_means_none(inbox):  # noqa: F811
    add_rule(inbox, HALL, None)
    add_rule(inbox, RuleSpec(GIFTS, counterparty_name="bakker", project="Buurtfeest"), None)

    hall, gift, result = book_two(inbox, "Moestuin", "")

    assert sorted(result.booked) == sorted([hall.id, gift.id])
    assert meta_of(inbox, hall)["project"] == "Moestuin"
    assert meta_of(inbox, gift) == {"bank-line": str(gift.id)}


def test_a_project_the_books_cannot_take_refuses_its_line_alone(inbox):  # noqa: F811
    hall, gift, result = book_two(inbox, "x" * 101, "Buurtfeest")

    assert list(result.booked) == [gift.id]
    assert "hoogstens 100 tekens" in str(result.refused[hall.id])
    inbox.refresh(hall)
    assert hall.booked_at is None and hall.transaction_id is None


def test_the_inbox_books_a_project_typed_with_a_line(client, make_user, login_as, org, books):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    line_id = books.scalar(select(BankLine.id).where(BankLine.counterparty_name == LINDE))
    page = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert f'name="project-{line_id}" class="project" placeholder="project (optioneel)"' in page

    response = client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={
            "line": [str(line_id)],
            f"account-{line_id}": "Huur",
            f"project-{line_id}": "Zomerkamp",
        },
    )

    assert response.status_code == 302
    booked = books.scalar(select(BankLine.transaction_id).where(BankLine.id == line_id))
    assert books.scalar(select(Transaction.meta).where(Transaction.id == booked)) == {
        "bank-line": str(line_id),
        "project": "Zomerkamp",
    }


def test_a_new_project_typed_twice_in_one_booking_is_one_project(inbox):  # noqa: F811
    hall, gift, result = book_two(inbox, "Zomerkamp", "zomerKAMP ")

    assert sorted(result.booked) == sorted([hall.id, gift.id])
    # The line booked first (the oldest) gives the spelling; the other is written as it.
    spellings = {meta_of(inbox, hall)["project"], meta_of(inbox, gift)["project"]}
    assert len(spellings) == 1 and spellings <= {"Zomerkamp", "zomerKAMP"}


def test_the_inbox_books_no_project_where_the_rules_was_cleared(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    add_rule(books, HALL, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    line_id = books.scalar(select(BankLine.id).where(BankLine.counterparty_name == LINDE))

    client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={"line": [str(line_id)], f"account-{line_id}": "Huur", f"project-{line_id}": " "},
    )

    booked = books.scalar(select(BankLine.transaction_id).where(BankLine.id == line_id))
    assert books.scalar(select(Transaction.meta).where(Transaction.id == booked)) == {
        "bank-line": str(line_id)
    }
