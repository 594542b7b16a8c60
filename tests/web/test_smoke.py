"""The first pages per role."""

from __future__ import annotations


def test_a_member_lands_on_the_dashboard_of_their_only_organisation(
    client, make_org, make_user, login_as
):
    org = make_org()
    user = make_user(org=org)
    login_as(client, user)
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert org.name in response.get_data(as_text=True)


def test_a_stranger_gets_404_on_an_organisation(client, make_org, make_user, login_as):
    org = make_org()
    login_as(client, make_user())
    assert client.get(f"/o/{org.slug}/").status_code == 404
