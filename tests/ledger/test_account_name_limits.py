"""What the accounts table holds: a name of at most 200 characters, an RGS code of at most 40.

Longer input is refused by the domain at its field (the settings form shows it again, 422),
and a name made from a long label is cut so that it fits with its ``-2``, ``-3``, ... instead
of reaching the database's "value too long" error.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.accounts import add_account, child_account_name, open_account_under
from ledger.errors import ValidationFailed
from ledger.models import Account
from tenants.binding import bind_session
from tenants.roles import Role

OPENED = date(2026, 1, 1)
# A valid account name of exactly ``length`` characters.
PREFIX = "Expenses:"


def name_of(length: int) -> str:
    return PREFIX + "A" * (length - len(PREFIX))


def account_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Account)) or 0


# The domain


def test_an_rgs_code_over_40_characters_is_refused_at_its_field(books):
    with pytest.raises(ValidationFailed) as refused:
        add_account(books, "Expenses:Camp", None, opened_on=OPENED, rgs_code="W" * 41)
    assert refused.value.field == "rgs_code"
    assert "40" in str(refused.value)
    add_account(books, "Expenses:Camp", None, opened_on=OPENED, rgs_code="W" * 40)
    assert books.scalar(select(Account.rgs_code).where(Account.name == "Expenses:Camp")) == (
        "W" * 40
    )


def test_an_account_opened_by_its_label_refuses_a_long_rgs_code_too(books):
    before = account_count(books)
    with pytest.raises(ValidationFailed) as refused:
        open_account_under(
            books, "Expenses", "Zomerkamp", None, opened_on=OPENED, rgs_code="W" * 41
        )
    assert refused.value.field == "rgs_code"
    assert account_count(books) == before


def test_a_name_over_200_characters_is_refused_at_its_field(books):
    with pytest.raises(ValidationFailed) as refused:
        add_account(books, name_of(201), None, opened_on=OPENED)
    assert refused.value.field == "name"
    assert "200" in str(refused.value)
    add_account(books, name_of(200), None, opened_on=OPENED)
    assert books.scalar(select(func.length(Account.name)).where(Account.name == name_of(200))) == (
        200
    )


def test_long_labels_alike_in_their_first_letters_get_unique_names_that_fit(books):
    parent = name_of(150)  # a deep parent: its children's names reach the 200 characters
    add_account(books, parent, None, opened_on=OPENED)
    alike = "Bijdrage " * 10  # 90 letters the labels share before they differ
    labels = [f"{alike}{ending}" for ending in ("noord", "zuid", "oost", "west")]
    names = [open_account_under(books, parent, label, None, opened_on=OPENED) for label in labels]
    assert len(set(names)) == len(labels)
    assert all(len(name) <= 200 for name in names)
    assert names[0] == (parent + ":" + "-".join(["Bijdrage"] * 10) + "-noord")[:200].rstrip("-")
    assert names[1].endswith("-2") and names[2].endswith("-3") and names[3].endswith("-4")
    stored = set(books.scalars(select(Account.name).where(Account.label_nl.in_(labels))))
    assert stored == set(names)


def test_a_cut_name_leaves_no_hyphen_before_its_number(books):
    # The cut for "-2" falls right after a word: the name does not end up with "--2".
    part = "A" * 188 + "-" + "B" * 20  # "Expenses:" + 188 letters + "-" = 198 characters
    first = child_account_name(books, "Expenses", part)
    add_account(books, first, None, opened_on=OPENED)
    second = child_account_name(books, "Expenses", part)
    assert second == "Expenses:" + "A" * 188 + "-2"
    assert len(first) == 200 and len(second) <= 200


def test_no_account_is_made_under_a_parent_whose_name_leaves_no_room(books):
    parent = name_of(199)
    add_account(books, parent, None, opened_on=OPENED)
    with pytest.raises(ValidationFailed) as refused:
        open_account_under(books, parent, "Zomerkamp", None, opened_on=OPENED)
    assert refused.value.field == "parent"


# The settings form


@pytest.fixture
def owner(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return client, org


def accounts_of(engine, org) -> set[str]:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        return set(session.scalars(select(Account.name)))


def refusal_at(response, field: str) -> str:
    """The message the page shows at ``field``."""
    page = response.get_data(as_text=True)
    marker = f'data-testid="error-{field}"'
    assert marker in page, page[:3000]
    return page.split(marker)[1][:300]


@pytest.mark.parametrize("by_name", [True, False], ids=["typed-name", "from-label"])
def test_the_form_refuses_a_long_rgs_code_at_its_field_and_stores_nothing(owner, engine, by_name):
    client, org = owner
    before = accounts_of(engine, org)
    data = {"form": "account", "label_nl": "Zomerkamp", "rgs_code": "W" * 41}
    if by_name:
        data["account_name"] = "Expenses:Activities:Summer-Camp"
    else:
        data["parent"] = "Expenses"
    response = client.post(f"/o/{org.slug}/settings/accounts", data=data)
    assert response.status_code == 422
    assert "hoogstens 40 tekens" in refusal_at(response, "rgs_code")
    assert accounts_of(engine, org) == before


def test_the_form_refuses_a_long_typed_name_at_its_field_and_stores_nothing(owner, engine):
    client, org = owner
    before = accounts_of(engine, org)
    response = client.post(
        f"/o/{org.slug}/settings/accounts",
        data={"form": "account", "label_nl": "Zomerkamp", "account_name": name_of(201)},
    )
    assert response.status_code == 422
    assert "hoogstens 200 tekens" in refusal_at(response, "account_name")
    assert accounts_of(engine, org) == before


def test_the_form_opens_long_labels_alike_under_unique_names_that_fit(owner, engine):
    client, org = owner
    parent = name_of(150)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        add_account(session, parent, None, opened_on=OPENED)
        session.commit()
    before = accounts_of(engine, org)
    alike = "Activiteit " * 8
    for ending in ("voorjaar", "najaar"):
        response = client.post(
            f"/o/{org.slug}/settings/accounts",
            data={"form": "account", "label_nl": alike + ending, "parent": parent},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    added = accounts_of(engine, org) - before
    assert len(added) == 2
    assert all(len(name) <= 200 for name in added)
