"""The bureau's organisations pages: staff only; onboarding an organisation with its first owner."""

from __future__ import annotations

import secrets

import pytest

from tenants.queries import membership_of, organisation_by_slug, user_by_email
from tests.conftest import PASSWORD
from tests.web.test_members import invitation_token, last_mail_to


@pytest.fixture
def staff(client, make_user, login_as):
    """A test client logged in as bureau staff."""
    login_as(client, make_user(is_bureau_admin=True, name="Bea Bureau"))
    return client


def test_bureau_staff_see_every_organisation_and_create_a_new_one(staff, make_org):
    existing = make_org()
    page = staff.get("/bureau/organisations").get_data(as_text=True)
    assert existing.name in page
    assert '<label for="slug">' in page

    slug = f"nieuw-{secrets.token_hex(3)}"
    response = staff.post("/bureau/organisations", data={"name": "Nieuwe Stichting", "slug": slug})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bureau/organisations/{slug}")
    page = staff.get("/bureau/organisations").get_data(as_text=True)
    assert "Organisatie Nieuwe Stichting aangemaakt." in page
    assert slug in page


def test_a_taken_short_name_is_refused_with_the_reason(staff, make_org):
    existing = make_org()
    response = staff.post(
        "/bureau/organisations",
        data={"name": "Dubbel", "slug": existing.slug},
        follow_redirects=True,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"De korte naam {existing.slug} is al in gebruik" in page
    assert 'value="Dubbel"' in page


def test_an_organisation_created_with_an_owner_email_invites_that_owner_who_can_then_log_in(
    app, staff, session
):
    slug = f"onboard-{secrets.token_hex(3)}"
    email = f"penningmeester-{slug}@example.org"
    response = staff.post(
        "/bureau/organisations",
        data={"name": "Stichting Aan Boord", "slug": slug, "owner_email": email},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Uitnodiging als eigenaar verstuurd naar {email}." in page
    assert email in page.split("Openstaande uitnodigingen", 1)[1]
    mail = last_mail_to(app, email)
    assert "Stichting Aan Boord" in mail["Subject"]
    assert "Bea Bureau" in mail.get_content()

    newcomer = app.test_client()
    token = invitation_token(app, email)
    accepted = newcomer.post(f"/invitations/{token}", data={"name": "Penny", "password": PASSWORD})
    assert accepted.headers["Location"].endswith(f"/o/{slug}/")
    assert newcomer.get(f"/o/{slug}/members").status_code == 200
    user, organisation = user_by_email(session, email), organisation_by_slug(session, slug)
    assert user is not None and organisation is not None
    membership = membership_of(session, user.id, organisation.id)
    assert membership is not None and membership.role == "owner"


def test_a_bad_owner_email_refuses_the_form_and_creates_nothing(staff, session):
    slug = f"fout-{secrets.token_hex(3)}"
    response = staff.post(
        "/bureau/organisations",
        data={"name": "Stichting Typfout", "slug": slug, "owner_email": "geen-adres"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Stichting Typfout"' in page and "Vul een geldig e-mailadres in." in page
    assert organisation_by_slug(session, slug) is None


def test_the_organisation_page_says_it_has_no_owner_and_invites_one(app, staff, make_org):
    org = make_org()
    page = staff.get(f"/bureau/organisations/{org.slug}").get_data(as_text=True)
    assert 'data-testid="no-owner"' in page

    email = f"eigenaar-{org.slug}@example.org"
    response = staff.post(
        f"/bureau/organisations/{org.slug}/owner-invitations",
        data={"email": email},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Uitnodiging als eigenaar verstuurd naar {email}." in page
    assert email in page.split("Openstaande uitnodigingen", 1)[1]
    assert org.name in last_mail_to(app, email)["Subject"]


def test_the_organisation_page_lists_its_members_and_knows_it_has_an_owner(
    staff, make_org, make_user
):
    org = make_org()
    owner = make_user(org=org, name="Olga Eigenaar")
    page = staff.get(f"/bureau/organisations/{org.slug}").get_data(as_text=True)
    assert owner.email in page and "Olga Eigenaar" in page
    assert 'data-testid="no-owner"' not in page


def test_an_owner_invitation_without_an_email_is_refused(staff, make_org):
    org = make_org()
    response = staff.post(f"/bureau/organisations/{org.slug}/owner-invitations", data={})
    assert response.status_code == 422


def test_an_unknown_organisation_has_no_bureau_page(staff):
    assert staff.get("/bureau/organisations/bestaat-niet").status_code == 404
    response = staff.post(
        "/bureau/organisations/bestaat-niet/owner-invitations", data={"email": "x@example.org"}
    )
    assert response.status_code == 404
