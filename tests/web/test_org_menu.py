"""The organisation's menu is kept per organisation, page, language and role, never shared wider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app import links
from tenants.people import add_member
from tenants.roles import Role


def menu(client: FlaskClient, url: str) -> dict[str, str | None]:
    """The menu's links by their words, each with its ``aria-current`` (None when not current)."""
    response = client.get(url)
    assert response.status_code == 200, url
    nav = html.fromstring(response.get_data(as_text=True)).xpath('//nav[@class="orgnav"]')[0]
    return {" ".join(a.text_content().split()): a.get("aria-current") for a in nav.iter("a")}


@pytest.fixture
def member_of(
    app: Flask, make_user: Callable[..., Any], login_as: Callable[..., None]
) -> Callable[[Any, Role], FlaskClient]:
    """A client logged in as a new member of ``org`` with ``role``."""

    def log_in(org: Any, role: Role) -> FlaskClient:
        client = app.test_client()
        login_as(client, make_user(org=org, role=role))
        return client

    return log_in


def test_each_role_sees_its_own_menu_whoever_asked_first(
    make_org: Callable[..., Any], member_of: Callable[[Any, Role], FlaskClient]
) -> None:
    org = make_org()
    people = {role: member_of(org, role) for role in (Role.OWNER, Role.VIEWER, Role.BOOKKEEPER)}

    shown = {role: menu(client, f"/o/{org.slug}/journal") for role, client in people.items()}

    assert {"Boeken", "Gebruikers", "Instellingen"} <= shown[Role.OWNER].keys()
    assert not {"Boeken", "Gebruikers", "Instellingen"} & shown[Role.VIEWER].keys()
    assert {"Boeken", "Gebruikers"} <= shown[Role.BOOKKEEPER].keys()
    assert "Instellingen" not in shown[Role.BOOKKEEPER]
    assert all(links["Journaal"] == "page" for links in shown.values())


def test_the_current_page_language_and_organisation_are_the_pages_own(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Callable[..., None],
) -> None:
    first, second = make_org(), make_org()
    user = make_user(org=first, role=Role.OWNER)
    with Session(engine) as session:  # the same person in both organisations
        add_member(session, user.id, second.id, Role.OWNER)
        session.commit()
    client = app.test_client()
    login_as(client, user)

    journal = menu(client, f"/o/{first.slug}/journal")
    dashboard = menu(client, f"/o/{first.slug}/")
    again = menu(client, f"/o/{first.slug}/journal")
    elsewhere = client.get(f"/o/{second.slug}/journal").get_data(as_text=True)
    client.post("/locale", data={"locale": "en", "next": f"/o/{first.slug}/journal"})
    english = menu(client, f"/o/{first.slug}/journal")

    assert journal["Journaal"] == "page" and journal["Overzicht"] is None
    assert dashboard["Overzicht"] == "page" and dashboard["Journaal"] is None
    assert again == journal
    assert f'href="/o/{second.slug}/journal" aria-current="page"' in elsewhere
    assert f'href="/o/{first.slug}/' not in elsewhere.split('class="orgnav"', 1)[1]
    assert english["Journal"] == "page" and "Journaal" not in english


def test_a_menu_is_rendered_once_and_then_kept(
    make_org: Callable[..., Any], member_of: Callable[[Any, Role], FlaskClient]
) -> None:
    org = make_org()
    client = member_of(org, Role.VIEWER)
    menu(client, f"/o/{org.slug}/bank")
    kept = [key for key in links._MENUS if key[0].slug == org.slug]

    menu(client, f"/o/{org.slug}/bank")

    assert len(kept) == 1
    assert [key for key in links._MENUS if key[0].slug == org.slug] == kept
    assert list(links._MENUS)[-1] == kept[0]  # the most recently used, last
