"""Organisation settings: the owner keeps the details, fiscal year, IBANs and the chart."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.fiscal_year import fiscal_year_start_month
from ledger.models import Account
from tenants.binding import bind_session
from tenants.models import Organisation
from tenants.roles import Role


@pytest.fixture
def owner(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return client, org


def test_the_owner_saves_name_legal_form_kvk_and_rsin(owner, engine):
    client, org = owner
    response = client.post(
        f"/o/{org.slug}/settings/details",
        data={
            "form": "details",
            "name": "Buurtkracht Oost",
            "legal_form": "cooperatie",
            "kvk_number": "1234 5678",
            "rsin": "111.222.333",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with Session(engine) as session:
        saved = session.get(Organisation, org.id)
        assert saved is not None
        assert (saved.name, saved.legal_form, saved.kvk_number, saved.rsin) == (
            "Buurtkracht Oost",
            "cooperatie",
            "12345678",
            "111222333",
        )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("kvk_number", "1234567", "8 cijfers"),
        ("rsin", "123456789", "elfproef"),
        ("name", " ", "naam"),
    ],
)
def test_a_wrong_number_is_refused_next_to_its_field(owner, engine, field, value, words):
    client, org = owner
    data = {"form": "details", "name": "Naam", "kvk_number": "", "rsin": "", field: value}
    response = client.post(f"/o/{org.slug}/settings/details", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'data-testid="error-{field}"' in page
    assert words in page.split(f'data-testid="error-{field}"')[1][:300]
    with Session(engine) as session:
        assert session.get(Organisation, org.id).name == org.name


def test_an_iban_is_checked_and_linked_to_a_bank_account(owner):
    client, org = owner
    refused = client.post(
        f"/o/{org.slug}/settings/ibans", data={"form": "iban", "iban": "NL91ABNA0417164301"}
    )
    assert refused.status_code == 422
    assert 'data-testid="error-iban"' in refused.get_data(as_text=True)
    added = client.post(
        f"/o/{org.slug}/settings/ibans",
        data={
            "form": "iban",
            "iban": "NL91 ABNA 0417 1643 00",
            "iban_account": "Assets:Bank:Checking",
        },
    )
    assert added.status_code == 302
    settings = client.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    assert "NL91 ABNA 0417 1643 00" in settings  # in groups of four, as banks print it


def test_the_fiscal_year_can_start_in_another_month(owner, engine):
    client, org = owner
    assert (
        client.post(f"/o/{org.slug}/settings/fiscal-year", data={"month": "7"}).status_code == 302
    )
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert fiscal_year_start_month(session) == 7
    assert (
        client.post(f"/o/{org.slug}/settings/fiscal-year", data={"month": "13"}).status_code == 422
    )


def test_the_owner_opens_an_account_with_labels_and_rgs_code_and_closes_it(owner, engine):
    client, org = owner
    response = client.post(
        f"/o/{org.slug}/settings/accounts",
        data={
            "form": "account",
            "account_name": "Expenses:Activities:Summer-Camp",
            "label_nl": "Zomerkamp",
            "label_en": "Summer camp",
            "rgs_code": "WBedOvrOvr",
        },
    )
    assert response.status_code == 302
    assert "Zomerkamp" in client.get(f"/o/{org.slug}/entry/expense").get_data(as_text=True)
    bad = client.post(
        f"/o/{org.slug}/settings/accounts", data={"form": "account", "account_name": "kosten"}
    )
    assert bad.status_code == 422
    assert 'data-testid="error-account_name"' in bad.get_data(as_text=True)
    closed = client.post(
        f"/o/{org.slug}/settings/accounts/close",
        data={"form": "close", "close_account": "Expenses:Activities:Summer-Camp"},
    )
    assert closed.status_code == 302
    with Session(engine) as session:
        bind_session(session, org.tenant)
        account = session.scalars(
            select(Account).where(Account.name == "Expenses:Activities:Summer-Camp")
        ).one()
        assert account.closed_on is not None


def test_only_the_owner_reaches_the_settings(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.BOOKKEEPER))
    assert client.get(f"/o/{org.slug}/settings").status_code == 403
