"""Every form that takes an account takes it by its Dutch label, English label or RGS code.

Budgets, the chart settings (bank accounts, new accounts and their parent, closing) and new bank
accounts use the one picker and its one reader; a refused form comes back with the reason in
Dutch at the field and everything that was typed still in it. Pages show the Dutch label; the
Beancount name appears only in the advanced view of the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from lxml import html
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.bank.models import BankAccount
from ledger.models import Account
from ledger.reports.budgets import Budget
from tenants.binding import bind_session
from tenants.roles import Role
from tests.web.test_dutch_formats import ACCOUNT_PATH, visible_text

Handle = Any


@pytest.fixture
def owner(
    app: Flask, make_org: Callable[..., Handle], make_user: Callable[..., Any], login_as: Any
):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return client, org


def field_values(page: str) -> dict[str, str]:
    """The value of every named input on the page, as the browser would show it."""
    tree = html.fromstring(page)
    return {i.get("name"): i.get("value") or "" for i in tree.iter("input") if i.get("name")}


def error_at(page: str, field: str) -> str:
    found = html.fromstring(page).xpath(f'//*[@data-testid="error-{field}"]')
    return found[0].text_content() if found else ""


def account_of_bank(engine: Engine, org: Handle, iban: str) -> str | None:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        return session.scalar(
            select(Account.name)
            .join(BankAccount, BankAccount.account_id == Account.id)
            .where(BankAccount.iban == iban)
        )


def account_names(engine: Engine, org: Handle) -> set[str]:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        return set(session.scalars(select(Account.name)))


# --- budgets ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Huur", "rent", "WBedHuiBeh", "Expenses:Housing:Rent"])
def test_a_budget_is_set_on_the_account_typed_by_label_or_rgs_code(owner, engine, typed):
    client, org = owner
    budget = {"account": typed, "from": "2026-01-01", "to": "2026-12-31", "amount": "1.200,00"}
    saved = client.post(f"/o/{org.slug}/reports/budget", data=budget)
    assert saved.status_code == 302, error_at(saved.get_data(as_text=True), "account")
    with Session(engine) as session:
        bind_session(session, org.tenant)
        planned = session.execute(
            select(Account.name, Budget.number).join(Account, Account.id == Budget.account_id)
        ).all()
    assert [(name, str(number)) for name, number in planned] == [
        ("Expenses:Housing:Rent", "1200.00")
    ]


def test_a_budget_on_an_unknown_account_is_refused_in_dutch_and_keeps_what_was_typed(owner):
    client, org = owner
    typed = {"account": "Huurr", "from": "01-02-2026", "to": "30-11-2026", "amount": "1.234,56"}
    refused = client.post(f"/o/{org.slug}/reports/budget?from=2026-01-01&to=2026-12-31", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Huurr kennen we niet" in error_at(page, "account")
    assert {k: field_values(page)[k] for k in typed} == typed


def test_a_budget_is_not_set_on_a_balance_account(owner):
    client, org = owner
    typed = {"account": "Kas", "from": "2026-01-01", "to": "2026-12-31", "amount": "5,00"}
    refused = client.post(f"/o/{org.slug}/reports/budget", data=typed)
    assert refused.status_code == 422
    assert "kan hier niet" in error_at(refused.get_data(as_text=True), "account")


def test_the_budget_form_offers_income_and_expenses_by_their_dutch_labels(owner):
    client, org = owner
    page = client.get(f"/o/{org.slug}/reports/budget").get_data(as_text=True)
    options = html.fromstring(page).xpath('//datalist[@id="account-accounts"]/option')
    offered = {o.get("value"): o.get("label") for o in options}
    assert offered["Huur"] == "Rent · WBedHuiBeh"
    assert "Contributies" in offered and "Kas" not in offered
    assert not [value for value in offered if ":" in value]


# --- chart settings ----------------------------------------------------------------------


def test_an_iban_is_booked_on_the_account_picked_by_its_dutch_label(owner, engine):
    client, org = owner
    data = {"form": "iban", "iban": "NL91 ABNA 0417 1643 00", "iban_account": "Spaarrekening"}
    assert client.post(f"/o/{org.slug}/settings/ibans", data=data).status_code == 302
    assert account_of_bank(engine, org, "NL91ABNA0417164300") == "Assets:Bank:Savings"
    page = client.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    assert "NL91 ABNA 0417 1643 00 → Spaarrekening" in visible_text(page)


def test_the_iban_form_offers_the_current_account_by_its_label(owner):
    client, org = owner
    page = client.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    assert field_values(page)["iban_account"] == "Rekening-courant bank"


@pytest.mark.parametrize(
    ("typed", "words"), [("Spaarrekeningg", "kennen we niet"), ("Huur", "kan hier niet")]
)
def test_an_iban_on_an_unknown_or_expense_account_is_refused_and_keeps_the_iban(
    owner, engine, typed, words
):
    client, org = owner
    data = {"form": "iban", "iban": "NL91 ABNA 0417 1643 00", "iban_account": typed}
    refused = client.post(f"/o/{org.slug}/settings/ibans", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert words in error_at(page, "iban_account")
    assert field_values(page)["iban"] == "NL91 ABNA 0417 1643 00"
    assert field_values(page)["iban_account"] == typed
    assert account_of_bank(engine, org, "NL91ABNA0417164300") is None


def test_a_new_account_goes_under_the_parent_picked_and_is_named_from_its_label(owner, engine):
    client, org = owner
    data = {
        "form": "account",
        "label_nl": "Zomerkamp",
        "parent": "Lasten",
        "label_en": "Summer camp",
        "rgs_code": "",
    }
    assert client.post(f"/o/{org.slug}/settings/accounts", data=data).status_code == 302
    under = {**data, "label_nl": "Kampvuur", "label_en": "", "parent": "Overige activiteitenkosten"}
    assert client.post(f"/o/{org.slug}/settings/accounts", data=under).status_code == 302
    names = account_names(engine, org)
    assert {"Expenses:Summer-camp", "Expenses:Activities:Other:Kampvuur"} <= names
    budget = {"account": "Zomerkamp", "from": "2026-01-01", "to": "2026-12-31", "amount": "300"}
    assert client.post(f"/o/{org.slug}/reports/budget", data=budget).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"label_nl": "Zomerkamp", "parent": "Lastenn"}, "parent", "Lastenn kennen we niet"),
        ({"label_nl": "Huur", "parent": "Lasten"}, "label_nl", "Er is al een rekening Huur"),
        ({"label_nl": "", "parent": "Lasten"}, "label_nl", "Vul dit veld in"),
    ],
)
def test_a_new_account_refused_keeps_what_was_typed(owner, engine, data, field, words):
    client, org = owner
    before = account_names(engine, org)
    typed = {"form": "account", "label_en": "Summer camp", "rgs_code": "WBed", **data}
    refused = client.post(f"/o/{org.slug}/settings/accounts", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert words in error_at(page, field)
    shown = field_values(page)
    assert {k: shown[k] for k in ("label_nl", "parent", "label_en", "rgs_code")} == {
        k: typed[k] for k in ("label_nl", "parent", "label_en", "rgs_code")
    }
    assert account_names(engine, org) == before


def test_an_account_is_closed_by_its_dutch_label_and_an_unknown_one_is_refused(owner, engine):
    client, org = owner
    opened = {"form": "account", "label_nl": "Zomerkamp", "parent": "Lasten"}
    assert client.post(f"/o/{org.slug}/settings/accounts", data=opened).status_code == 302
    unknown = client.post(
        f"/o/{org.slug}/settings/accounts/close",
        data={"form": "close", "close_account": "Zomerkampp"},
    )
    assert unknown.status_code == 422
    assert field_values(unknown.get_data(as_text=True))["close_account"] == "Zomerkampp"
    closed = client.post(
        f"/o/{org.slug}/settings/accounts/close",
        data={"form": "close", "close_account": "zomerkamp"},
    )
    assert closed.status_code == 302
    with Session(engine) as session:
        bind_session(session, org.tenant)
        account = session.scalars(select(Account).where(Account.label_nl == "Zomerkamp")).one()
        assert account.closed_on is not None


def test_beancount_names_show_only_in_the_advanced_view_a_person_turns_on(owner):
    client, org = owner
    pages = [f"/o/{org.slug}/settings", f"/o/{org.slug}/reports/trial-balance"]
    for url in pages:
        assert ACCOUNT_PATH.findall(visible_text(client.get(url).get_data(as_text=True))) == []
    turned_on = client.post("/account/advanced-view", data={"show": "1", "next": pages[0]})
    assert turned_on.status_code == 302 and turned_on.location.endswith(pages[0])
    advanced = visible_text(client.get(pages[0]).get_data(as_text=True))
    assert "Expenses:Housing:Rent" in advanced and "Huur" in advanced
    for elsewhere in ("//elsewhere.example", "/\t/elsewhere.example", "https://elsewhere.example"):
        turned_off = client.post("/account/advanced-view", data={"show": "", "next": elsewhere})
        assert turned_off.location == "/account"
    plain = visible_text(client.get(pages[0]).get_data(as_text=True))
    assert "Expenses:Housing:Rent" not in plain


# --- new bank accounts on the bank page ---------------------------------------------------


def test_the_bank_page_adds_a_bank_account_on_the_account_typed_by_rgs_code(owner, engine):
    client, org = owner
    data = {"iban": "NL91 ABNA 0417 1643 00", "account": "BLimBanSpa"}
    assert client.post(f"/o/{org.slug}/bank/accounts", data=data).status_code == 302
    assert account_of_bank(engine, org, "NL91ABNA0417164300") == "Assets:Bank:Savings"


def test_the_bank_page_refuses_an_unknown_account_and_keeps_the_iban(owner, engine):
    client, org = owner
    data = {"iban": "NL91 ABNA 0417 1643 00", "account": "Spaarpot"}
    refused = client.post(f"/o/{org.slug}/bank/accounts", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Spaarpot kennen we niet" in error_at(page, "account")
    assert {k: field_values(page)[k] for k in data} == data
    assert ACCOUNT_PATH.findall(visible_text(page)) == []


# --- the journal's account filter --------------------------------------------------------


def test_the_journal_filters_by_the_dutch_label_and_keeps_it_in_the_field(owner):
    client, org = owner
    page = client.get(f"/o/{org.slug}/journal?account=Huur").get_data(as_text=True)
    assert field_values(page)["account"] == "Huur"
    by_name = client.get(f"/o/{org.slug}/journal?account=Expenses").get_data(as_text=True)
    assert field_values(by_name)["account"] == "Lasten"


# --- entry: the full form, edited --------------------------------------------------------


def edited_accounts(client: Any, org: Handle, accounts: list[str], amounts: list[str]) -> list[str]:
    """Book rent and bank charges from the bank in the full form with the accounts as typed,
    then open the booking to edit it: its account fields, as the form shows them."""
    rows = {"date": "2026-03-01", "narration": "Huur en kosten", "rows": "3"}
    for index, (account, amount) in enumerate(zip(accounts, amounts, strict=True)):
        side = "credit" if index == 2 else "debit"
        rows |= {f"account-{index}": account, f"{side}-{index}": amount}
    booked = client.post(f"/o/{org.slug}/entry/full", data=rows)
    assert booked.status_code == 302, error_at(booked.get_data(as_text=True), "account-0")
    form = field_values(client.get(booked.headers["Location"] + "/edit").get_data(as_text=True))
    return [form[f"account-{index}"] for index in range(3)]


def test_a_booking_edited_in_the_full_form_shows_its_accounts_by_dutch_label(owner):
    client, org = owner
    accounts = ["Huur", "Bankkosten", "Rekening-courant bank"]
    assert edited_accounts(client, org, accounts, ["350,00", "2,50", "352,50"]) == accounts


# --- an English reader -------------------------------------------------------------------


def in_english(client: Any) -> None:
    client.post("/locale", data={"locale": "en", "next": "/"})


def test_an_english_reader_is_offered_the_english_labels_with_the_dutch_one_as_hint(owner):
    client, org = owner
    in_english(client)
    page = client.get(f"/o/{org.slug}/reports/budget").get_data(as_text=True)
    options = html.fromstring(page).xpath('//datalist[@id="account-accounts"]/option')
    offered = {o.get("value"): o.get("label") for o in options}
    assert offered["Rent"] == "Huur · WBedHuiBeh"
    assert "Huur" not in offered and not [value for value in offered if ":" in value]


def test_an_english_reader_sees_stored_accounts_by_their_english_labels(owner):
    client, org = owner
    in_english(client)
    settings = client.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    assert field_values(settings)["iban_account"] == "Current account"
    journal = client.get(f"/o/{org.slug}/journal?account=Huur").get_data(as_text=True)
    assert field_values(journal)["account"] == "Rent"
    accounts = ["Rent", "Bank charges", "Current account"]
    assert edited_accounts(client, org, accounts, ["350.00", "2.50", "352.50"]) == accounts


def test_an_english_reader_edits_money_out_with_english_account_and_amount(owner):
    client, org = owner
    in_english(client)
    expense = {"date": "2026-03-01", "amount": "1,234.50", "money_account": "Assets:Bank:Checking",
               "category": "Rent"}  # fmt: skip
    booked = client.post(f"/o/{org.slug}/entry/expense", data=expense)
    assert booked.status_code == 302, error_at(booked.get_data(as_text=True), "category")
    form = field_values(client.get(booked.headers["Location"] + "/edit").get_data(as_text=True))
    assert (form["category"], form["amount"]) == ("Rent", "1234.50")
    client.post("/locale", data={"locale": "nl", "next": "/"})
    form = field_values(client.get(booked.headers["Location"] + "/edit").get_data(as_text=True))
    assert (form["category"], form["amount"]) == ("Huur", "1234,50")
