"""Changing a bank rule in place: its conditions and account, refused as a new rule would be."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from ledger.audit import AUDIT_LOG
from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.inbox import Confirmation, confirm_line, open_lines
from ledger.bank.models import BankLine, BankRule
from ledger.bank.rules import RuleExists, RuleSpec, add_rule, change_rule, rule_from_line, rule_of
from ledger.errors import NotFound, ValidationFailed
from tenants.roles import Role
from tests.bank.conftest import statement_file
from tests.bank.test_inbox import ING, line_by_name
from tests.bank.test_web import signed_in, upload

RENT = RuleSpec("Expenses:Housing:Rent", counterparty_iban="NL44RABO0123456789")


@pytest.fixture
def inbox(books):
    add_bank_account(books, ING, None)
    import_statement(books, statement_file("ing.camt053.xml"), None)
    return books


def proposal_for(session, name: str) -> str | None:
    found = {i.line.counterparty_name: i.proposal for i in open_lines(session)}[name]
    return None if found is None else found.account


def edits_of(session, rule_id: int) -> list[tuple[dict, dict]]:
    rows = session.execute(
        select(AUDIT_LOG.c.before, AUDIT_LOG.c.after).where(
            AUDIT_LOG.c.entity == "bank_rule",
            AUDIT_LOG.c.entity_id == rule_id,
            AUDIT_LOG.c.action == "edit",
        )
    )
    return [tuple(row) for row in rows]


def test_a_changed_rule_proposes_its_new_account_for_open_lines(inbox):
    rule_id = add_rule(inbox, RENT, None)

    change_rule(inbox, rule_id, RuleSpec("Expenses:Office:Supplies", "NL44RABO0123456789"), 7)

    assert proposal_for(inbox, "Stichting Buurthuis De Linde") == "Expenses:Office:Supplies"
    assert rule_of(inbox, rule_id).contra_account == "Expenses:Office:Supplies"
    assert edits_of(inbox, rule_id) == [
        (
            {
                "counterparty_iban": "NL44RABO0123456789",
                "counterparty_name": "",
                "description_contains": "",
                "amount_min": "",
                "amount_max": "",
                "account": "Expenses:Housing:Rent",
            },
            {
                "counterparty_iban": "NL44RABO0123456789",
                "counterparty_name": "",
                "description_contains": "",
                "amount_min": "",
                "amount_max": "",
                "account": "Expenses:Office:Supplies",
            },
        )
    ]


def test_new_conditions_take_effect_and_a_save_without_change_writes_no_audit_row(inbox):
    rule_id = add_rule(inbox, RENT, None)
    narrower = RuleSpec(
        "Expenses:Housing:Rent", "NL44RABO0123456789", amount_min=Decimal("1000.00")
    )

    change_rule(inbox, rule_id, narrower, None)
    change_rule(inbox, rule_id, replace(narrower, amount_min=Decimal("1000")), None)

    assert proposal_for(inbox, "Stichting Buurthuis De Linde") is None  # below 1.000,00 now
    assert len(edits_of(inbox, rule_id)) == 1  # 1000 is 1000.00: the second save changed nothing


def test_a_rule_made_from_a_booked_line_keeps_its_bank_account_when_changed(inbox):
    line = line_by_name(inbox, "M. Bakker")
    confirm_line(inbox, Confirmation(line.id, "Income:Donations:Gifts"), None)
    rule_id = rule_from_line(inbox, line.id, None)
    kept_for = inbox.scalar(select(BankRule.bank_account_id).where(BankRule.id == rule_id))

    change_rule(inbox, rule_id, RuleSpec("Income:Donations:Donors", line.counterparty_iban), None)

    assert kept_for is not None
    assert rule_of(inbox, rule_id).bank_account_id == kept_for
    assert rule_of(inbox, rule_id).contra_account == "Income:Donations:Donors"


def test_a_change_to_another_rules_conditions_is_refused_and_changes_nothing(inbox):
    add_rule(inbox, RENT, None)
    other = add_rule(inbox, RuleSpec("Income:Donations:Gifts", counterparty_name="Bakker"), None)

    with pytest.raises(RuleExists, match="al een andere regel met deze voorwaarden"):
        change_rule(inbox, other, RuleSpec("Income:Donations:Gifts", " nl44rabo0123456789 "), None)

    assert rule_of(inbox, other).counterparty_name == "Bakker"
    assert edits_of(inbox, other) == []


@pytest.mark.parametrize(
    ("spec", "refusal"),
    [
        (RuleSpec("Expenses:Housing:Rent"), "minstens één voorwaarde"),
        (RuleSpec("Expenses:Nowhere", counterparty_name="x"), "bestaat niet"),
        (
            RuleSpec("Expenses:Housing:Rent", "x", amount_min=Decimal(5), amount_max=Decimal(1)),
            "minimumbedrag is groter",
        ),
    ],
)
def test_a_change_a_new_rule_would_be_refused_for_is_refused(inbox, spec, refusal):
    rule_id = add_rule(inbox, RENT, None)

    with pytest.raises((ValidationFailed, NotFound), match=refusal):
        change_rule(inbox, rule_id, spec, None)

    assert rule_of(inbox, rule_id) == RuleSpec(
        "Expenses:Housing:Rent", "NL44RABO0123456789", id=rule_id
    )


def test_changing_a_rule_that_is_gone_says_so(inbox):
    with pytest.raises(NotFound, match="Regel 999 bestaat niet"):
        change_rule(inbox, 999, RENT, None)


# In the browser


def rule_form(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*? value="([^"]*)"', page))


def test_the_form_shows_the_rule_as_a_person_types_it_and_saving_changes_it(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.OWNER)  # the owner reads the audit trail
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    client.post(
        f"/o/{org.slug}/bank/rules",
        data={"counterparty_name": "buurthuis", "amount_min": "1.250,5", "account": "Huur"},
    )
    rule_id = books.scalar(select(BankRule.id))
    rules_page = client.get(f"/o/{org.slug}/bank/rules").get_data(as_text=True)

    form = rule_form(client.get(f"/o/{org.slug}/bank/rules/{rule_id}").get_data(as_text=True))
    saved = client.post(
        f"/o/{org.slug}/bank/rules/{rule_id}",
        data={**form, "amount_min": "", "account": "Kantoorbenodigdheden"},
        follow_redirects=True,
    )

    assert f'href="/o/{org.slug}/bank/rules/{rule_id}"' in rules_page  # the list links to it
    assert form["counterparty_name"] == "buurthuis"
    assert form["amount_min"] == "1250,50"  # typed as a Dutch person types it
    assert form["amount_max"] == ""
    assert form["account"] == "Huur"  # the label, not the books' name
    assert "Regel gewijzigd." in saved.get_data(as_text=True)
    books.rollback()
    assert books.scalars(select(BankRule.id)).all() == [rule_id]  # changed, not replaced
    inbox = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert 'value="Kantoorbenodigdheden"' in inbox  # the proposal follows the change
    audit = client.get(f"/o/{org.slug}/audit").get_data(as_text=True).replace("\u00a0", " ")
    assert "Vanaf bedrag" in audit and "€ 1.250,50" in audit


def test_a_refused_change_shows_the_form_again_with_what_was_typed(
    client, make_user, login_as, org, books
):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    for name in ("buurthuis", "bakker"):
        client.post(
            f"/o/{org.slug}/bank/rules", data={"counterparty_name": name, "account": "Huur"}
        )
    second = books.scalars(select(BankRule.id).order_by(BankRule.id)).all()[1]

    repeated = client.post(
        f"/o/{org.slug}/bank/rules/{second}",
        data={"counterparty_name": "BUURTHUIS", "account": "Huur"},
    )
    upside_down = client.post(
        f"/o/{org.slug}/bank/rules/{second}",
        data={
            "counterparty_name": "bakker",
            "account": "Huur",
            "amount_min": "20",
            "amount_max": "12,5",
        },
    )

    assert repeated.status_code == upside_down.status_code == 422
    page = repeated.get_data(as_text=True)
    assert "Er is al een andere regel met deze voorwaarden." in page
    assert rule_form(page)["counterparty_name"] == "BUURTHUIS"
    page = upside_down.get_data(as_text=True)
    assert (
        '<p class="field-error" id="amount_min-error" data-testid="error-amount_min">'
        "Het minimumbedrag is groter dan het maximumbedrag.</p>" in page
    )  # at the field it is about
    assert (rule_form(page)["amount_min"], rule_form(page)["amount_max"]) == ("20", "12,5")
    books.rollback()
    assert books.scalar(select(BankRule.counterparty_name).where(BankRule.id == second)) == "bakker"
    assert books.scalar(select(BankRule.amount_max).where(BankRule.id == second)) is None


def test_a_rule_removed_meanwhile_sends_the_change_back_to_the_list_with_the_reason(
    client, make_user, login_as, org
):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    answer = client.post(
        f"/o/{org.slug}/bank/rules/4242",
        data={"counterparty_name": "x", "account": "Huur"},
        follow_redirects=True,
    )

    assert answer.request.path == f"/o/{org.slug}/bank/rules"
    assert "Regel 4242 bestaat niet." in answer.get_data(as_text=True)
    assert client.get(f"/o/{org.slug}/bank/rules/4242").status_code == 404


def test_a_viewer_can_neither_open_nor_save_a_rules_form(client, make_user, login_as, org, books):
    rule_id = add_rule(books, RENT, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.VIEWER)

    assert client.get(f"/o/{org.slug}/bank/rules/{rule_id}").status_code == 403
    posted = client.post(
        f"/o/{org.slug}/bank/rules/{rule_id}", data={"counterparty_name": "x", "account": "Huur"}
    )
    assert posted.status_code == 403
    assert 'data-testid="edit-rule"' not in client.get(f"/o/{org.slug}/bank/rules").get_data(
        as_text=True
    )
    books.rollback()
    assert rule_of(books, rule_id).counterparty_iban == "NL44RABO0123456789"


# What a rule's conditions may hold


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("nl44 rabo 0123 4567 89", "NL44RABO0123456789"),  # as a person copies it
        ("123456789", "123456789"),  # an older account number, as some banks' files give it
    ],
)
def test_an_account_number_is_kept_as_bank_lines_hold_it(inbox, typed, kept):
    rule_id = add_rule(inbox, RuleSpec("Expenses:Housing:Rent", counterparty_iban=typed), None)

    assert rule_of(inbox, rule_id).counterparty_iban == kept


@pytest.mark.parametrize(
    ("spec", "field", "refusal"),
    [
        (RuleSpec("Income:Donations:Gifts", "NL" + "9" * 40), "counterparty_iban", "hoogstens 34"),
        (RuleSpec("Income:Donations:Gifts", "NL45RABO0123456789"), "counterparty_iban", "geldig"),
        (RuleSpec("Income:Donations:Gifts", "NL44-RABO-0123"), "counterparty_iban", "letters"),
        (
            RuleSpec("Income:Donations:Gifts", counterparty_name="x" * 201),
            "counterparty_name",
            "hoogstens 200 tekens",
        ),
        (
            RuleSpec("Income:Donations:Gifts", description_contains="x" * 201),
            "description_contains",
            "hoogstens 200 tekens",
        ),
    ],
)
def test_a_condition_no_bank_line_could_meet_is_refused_at_its_field(inbox, spec, field, refusal):
    rule_id = add_rule(inbox, RENT, None)

    with pytest.raises(ValidationFailed, match=refusal) as made:
        add_rule(inbox, spec, None)
    with pytest.raises(ValidationFailed, match=refusal) as changed:
        change_rule(inbox, rule_id, spec, None)

    assert made.value.field == changed.value.field == field
    assert inbox.scalars(select(BankRule.id)).all() == [rule_id]


def test_a_rule_from_a_line_whose_account_number_no_rule_could_take_goes_by_the_name(inbox):
    line = line_by_name(inbox, "M. Bakker")
    inbox.execute(
        update(BankLine).where(BankLine.id == line.id).values(counterparty_iban="NL02/ABNA/0123")
    )
    confirm_line(inbox, Confirmation(line.id, "Income:Donations:Gifts"), None)

    rule = rule_of(inbox, rule_from_line(inbox, line.id, None))

    assert (rule.counterparty_iban, rule.counterparty_name) == ("", "M. Bakker")


def test_the_form_prints_an_iban_in_groups_and_saving_it_so_keeps_the_rule(
    client, make_user, login_as, org, books
):
    rule_id = add_rule(books, RENT, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    form = rule_form(client.get(f"/o/{org.slug}/bank/rules/{rule_id}").get_data(as_text=True))
    saved = client.post(f"/o/{org.slug}/bank/rules/{rule_id}", data=form)

    assert form["counterparty_iban"] == "NL44 RABO 0123 4567 89"
    assert saved.status_code == 302
    books.rollback()
    assert edits_of(books, rule_id) == []  # the same rule, written as people read it
    assert rule_of(books, rule_id).counterparty_iban == "NL44RABO0123456789"


def test_an_account_number_too_long_for_a_rule_is_refused_on_the_page_not_an_error(
    client, make_user, login_as, org, books
):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    answer = client.post(
        f"/o/{org.slug}/bank/rules",
        data={"counterparty_iban": "NL" + "9" * 40, "account": "Huur"},
    )

    assert answer.status_code == 422
    assert 'data-testid="error-counterparty_iban"' in answer.get_data(as_text=True)
    assert books.scalar(select(func.count()).select_from(BankRule)) == 0
