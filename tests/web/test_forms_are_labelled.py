"""Every field a person fills in has a label a screen reader announces, on the main pages."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tenants.roles import Role
from tests.web.test_members import invitation_token


class _Fields(HTMLParser):
    """Collects form fields and the ids that a ``<label for>`` names."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labelled_ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.labelled_ids.add(attributes["for"] or "")
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.fields.append(attributes)


def unlabelled_fields(page: str) -> list[dict[str, str | None]]:
    parser = _Fields()
    parser.feed(page)
    return [
        field
        for field in parser.fields
        if field.get("id") not in parser.labelled_ids and not field.get("aria-label")
    ]


@pytest.fixture
def owner_client(app, make_org, make_user, login_as):
    org = make_org()
    make_user(org=org, role=Role.BOOKKEEPER)
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER, is_bureau_admin=True))
    client.post(f"/o/{org.slug}/members/invitations", data={"email": f"i-{org.slug}@example.org"})
    return client, org


def test_the_login_page_labels_its_fields(client):
    assert unlabelled_fields(client.get("/login").get_data(as_text=True)) == []


def test_the_members_bureau_and_home_pages_label_their_fields(owner_client):
    client, org = owner_client
    for path in (
        f"/o/{org.slug}/members",
        f"/o/{org.slug}/",
        "/bureau/organisations",
        "/my-organisations",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert unlabelled_fields(response.get_data(as_text=True)) == [], path


def test_the_invitation_page_labels_its_fields(app, owner_client):
    _, org = owner_client
    token = invitation_token(app, f"i-{org.slug}@example.org")
    page = app.test_client().get(f"/invitations/{token}").get_data(as_text=True)
    assert 'name="password"' in page
    assert unlabelled_fields(page) == []
