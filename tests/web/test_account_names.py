"""The owner renames an account from its page: new labels everywhere, the books' name kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Account
from tenants.binding import bind_session
from tenants.roles import Role

RENT = "Expenses:Housing:Rent"


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def owner(app, org, make_user, login_as):
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return client


def labels(engine, org, name: str = RENT) -> tuple[str, str]:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        row = session.execute(
            select(Account.label_nl, Account.label_en).where(Account.name == name)
        ).one()
        return tuple(row)


def rename(client, org, label_nl: str, label_en: str = "", account: str = RENT):
    return client.post(
        f"/o/{org.slug}/settings/accounts/name",
        data={"account": account, "label_nl": label_nl, "label_en": label_en},
    )


def test_the_account_page_and_the_chart_lead_the_owner_to_the_form_with_its_labels(owner, org):
    page = owner.get(f"/o/{org.slug}/accounts/{RENT}").get_data(as_text=True)
    assert 'data-testid="rename-account"' in page
    settings = owner.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    assert '/settings/accounts/name?account=Expenses:Housing:Rent">Huur<' in settings

    form = owner.get(f"/o/{org.slug}/settings/accounts/name?account={RENT}")

    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert 'name="label_nl" type="text" value="Huur"' in text
    assert 'name="label_en" type="text" value="Rent"' in text
    assert f'name="account" value="{RENT}"' in text


def test_the_new_label_is_saved_and_shown_on_the_account_page_and_in_the_trail(owner, org, engine):
    response = rename(owner, org, "Huur buurthuis", "Community centre rent")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/o/{org.slug}/accounts/{RENT}")
    assert labels(engine, org) == ("Huur buurthuis", "Community centre rent")
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Huur buurthuis</h1>" in page
    assert "De naam van de rekening is gewijzigd." in page
    trail = owner.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert "hernoemd rekening" in trail
    assert f'href="/o/{org.slug}/accounts/{RENT}">Huur buurthuis</a>' in trail
    assert "Naam (Nederlands)" in trail and "<pre>Huur</pre>" in trail


def test_a_taken_label_is_refused_at_its_field_with_what_was_typed_and_nothing_changes(
    owner, org, engine
):
    response = rename(owner, org, "vakantiegeld", "Rent")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-label_nl"' in page
    assert "Er is al een rekening vakantiegeld" in page
    assert 'value="vakantiegeld"' in page
    assert labels(engine, org) == ("Huur", "Rent")


def test_the_same_labels_say_so_and_change_nothing(owner, org, engine):
    response = rename(owner, org, "Huur", "Rent")
    assert response.status_code == 302
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Er is niets gewijzigd: dit was al de naam." in page
    trail = owner.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert "hernoemd" not in trail


def test_the_form_without_an_account_leads_to_the_chart_of_accounts(owner, org):
    response = owner.get(f"/o/{org.slug}/settings/accounts/name")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/o/{org.slug}/settings#chart-title"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_account_that_does_not_exist_is_not_found(owner, org, method):
    if method == "get":
        response = owner.get(f"/o/{org.slug}/settings/accounts/name?account=Expenses:Nowhere")
    else:
        response = rename(owner, org, "Nergens", account="Expenses:Nowhere")
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.BOOKKEEPER, Role.VIEWER])
def test_only_the_owner_renames_and_others_see_no_link(app, org, make_user, login_as, engine, role):
    client = app.test_client()
    login_as(client, make_user(org=org, role=role))

    page = client.get(f"/o/{org.slug}/accounts/{RENT}").get_data(as_text=True)
    assert 'data-testid="rename-account"' not in page
    assert client.get(f"/o/{org.slug}/settings/accounts/name?account={RENT}").status_code == 403
    assert rename(client, org, "Huur buurthuis").status_code == 403
    assert labels(engine, org) == ("Huur", "Rent")


def test_another_organisations_owner_cannot_rename_this_ones_account(
    app, org, make_org, make_user, login_as, engine
):
    other = make_org()
    client = app.test_client()
    login_as(client, make_user(org=other, role=Role.OWNER))

    assert rename(client, org, "Overgenomen").status_code == 404
    assert labels(engine, org) == ("Huur", "Rent")


def test_an_english_page_shows_the_new_english_label(owner, org):
    rename(owner, org, "Huur buurthuis", "Community centre rent")
    page = owner.get(f"/o/{org.slug}/accounts/{RENT}?lang=en").get_data(as_text=True)
    assert "<h1>Community centre rent</h1>" in page
