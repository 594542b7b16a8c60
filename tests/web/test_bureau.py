"""The bureau's organisations page: staff only."""

from __future__ import annotations

import secrets


def test_bureau_staff_see_every_organisation_and_create_a_new_one(
    client, make_org, make_user, login_as
):
    existing = make_org()
    login_as(client, make_user(is_bureau_admin=True))
    page = client.get("/bureau/organisations").get_data(as_text=True)
    assert existing.name in page
    assert '<label for="slug">' in page

    slug = f"nieuw-{secrets.token_hex(3)}"
    response = client.post("/bureau/organisations", data={"name": "Nieuwe Stichting", "slug": slug})
    assert response.status_code == 302
    page = client.get("/bureau/organisations").get_data(as_text=True)
    assert "Organisatie Nieuwe Stichting aangemaakt." in page
    assert slug in page


def test_a_taken_short_name_is_refused_with_the_reason(client, make_org, make_user, login_as):
    existing = make_org()
    login_as(client, make_user(is_bureau_admin=True))
    response = client.post(
        "/bureau/organisations",
        data={"name": "Dubbel", "slug": existing.slug},
        follow_redirects=True,
    )
    assert f"de korte naam {existing.slug} is al in gebruik" in response.get_data(as_text=True)


def test_an_organisation_member_who_is_not_bureau_staff_gets_403(
    client, make_org, make_user, login_as
):
    login_as(client, make_user(org=make_org()))
    assert client.get("/bureau/organisations").status_code == 403
    assert client.post("/bureau/organisations", data={"name": "X", "slug": "xx"}).status_code == 403
