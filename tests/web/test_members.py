"""Members and invitations: the owner invites by e-mail, people accept, owners manage roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tenants.models import Invitation, User
from tenants.people import add_member
from tenants.queries import membership_of, user_by_email
from tenants.roles import Role
from tests.conftest import PASSWORD

TOKEN_IN_LINK = re.compile(r"https?://\S+/invitations/([A-Za-z0-9_-]+)")


def last_mail_to(app, address: str) -> EmailMessage:
    """The newest message the application kept for ``address`` in its instance mail folder."""
    kept = sorted((Path(app.instance_path) / "mail").glob(f"*-{address}.eml"))
    assert kept, f"no mail kept for {address}"
    message = message_from_bytes(kept[-1].read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def invitation_token(app, address: str) -> str:
    body = last_mail_to(app, address).get_content()
    found = TOKEN_IN_LINK.search(body)
    assert found, body
    return found.group(1)


def open_invitations_section(page: str) -> str:
    return page.split("Openstaande uitnodigingen", 1)[1].split("Iemand uitnodigen", 1)[0]


def invite(client, org, email: str, role: str = "bookkeeper"):
    return client.post(f"/o/{org.slug}/members/invitations", data={"email": email, "role": role})


def role_of(session, user_id: int, org) -> str | None:
    session.expire_all()
    membership = membership_of(session, user_id, org.id)
    return None if membership is None else membership.role


@pytest.fixture
def org_with_owner(app, make_org, make_user, login_as):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    client = app.test_client()
    login_as(client, owner)
    return org, owner, client


def test_an_invited_newcomer_creates_an_account_and_lands_in_the_organisation_with_the_invited_role(
    app, session, org_with_owner
):
    org, _, owner_client = org_with_owner
    email = f"new-{org.slug}@example.org"

    response = invite(owner_client, org, email, "bookkeeper")
    assert response.status_code == 302
    mail = last_mail_to(app, email)
    assert org.name in mail["Subject"]
    token = invitation_token(app, email)
    assert "Uitnodiging verstuurd" in owner_client.get(f"/o/{org.slug}/members").get_data(
        as_text=True
    )

    newcomer = app.test_client()
    page = newcomer.get(f"/invitations/{token}").get_data(as_text=True)
    assert org.name in page and "boekhouder" in page
    response = newcomer.post(
        f"/invitations/{token}", data={"name": "Nieuw Lid", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/o/{org.slug}/")
    dashboard = newcomer.get(f"/o/{org.slug}/").get_data(as_text=True)
    assert "boekhouder" in dashboard

    user = user_by_email(session, email)
    assert user is not None and user.name == "Nieuw Lid"
    assert role_of(session, user.id, org) == "bookkeeper"


def test_an_existing_user_logs_in_from_the_invitation_and_accepts_it(
    app, session, org_with_owner, make_user
):
    org, _, owner_client = org_with_owner
    existing = make_user()
    invite(owner_client, org, existing.email, "viewer")
    token = invitation_token(app, existing.email)

    guest = app.test_client()
    page = guest.get(f"/invitations/{token}").get_data(as_text=True)
    login_link = f"/login?next=/invitations/{token}"
    assert login_link in page
    response = guest.post(login_link, data={"email": existing.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/invitations/{token}"
    assert "Uitnodiging aannemen" in guest.get(f"/invitations/{token}").get_data(as_text=True)
    response = guest.post(f"/invitations/{token}")
    assert response.headers["Location"].endswith(f"/o/{org.slug}/")
    assert role_of(session, existing.id, org) == "viewer"


def test_an_unknown_token_says_so_and_changes_nothing(client, session):
    users_before = session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/invitations/not-a-real-token", data={"name": "X", "password": PASSWORD}
    )
    assert response.status_code == 410
    assert "Deze uitnodiging is onbekend of al gebruikt" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == users_before


def test_a_used_invitation_cannot_be_used_again(app, session, org_with_owner):
    org, _, owner_client = org_with_owner
    email = f"twice-{org.slug}@example.org"
    invite(owner_client, org, email)
    token = invitation_token(app, email)
    app.test_client().post(f"/invitations/{token}", data={"name": "Een", "password": PASSWORD})

    second = app.test_client()
    response = second.post(f"/invitations/{token}", data={"name": "Twee", "password": PASSWORD})
    assert response.status_code == 410
    assert "onbekend of al gebruikt" in response.get_data(as_text=True)
    session.expire_all()
    assert user_by_email(session, email).name == "Een"


def test_an_expired_invitation_is_refused_and_creates_no_account(app, session, org_with_owner):
    org, _, owner_client = org_with_owner
    email = f"late-{org.slug}@example.org"
    invite(owner_client, org, email)
    token = invitation_token(app, email)
    session.execute(
        update(Invitation)
        .where(Invitation.email == email)
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    session.commit()

    response = app.test_client().post(
        f"/invitations/{token}", data={"name": "Te Laat", "password": PASSWORD}
    )
    assert response.status_code == 410
    assert "Deze uitnodiging is verlopen" in response.get_data(as_text=True)
    assert user_by_email(session, email) is None
    page = owner_client.get(f"/o/{org.slug}/members").get_data(as_text=True)
    assert email not in open_invitations_section(page)


def test_an_invitation_sent_to_another_address_is_refused_for_a_logged_in_user(
    app, session, org_with_owner, make_user, login_as
):
    org, _, owner_client = org_with_owner
    invite(owner_client, org, f"intended-{org.slug}@example.org")
    token = invitation_token(app, f"intended-{org.slug}@example.org")
    someone_else = make_user()
    other = app.test_client()
    login_as(other, someone_else)

    page = other.get(f"/invitations/{token}").get_data(as_text=True)
    assert f"naar intended-{org.slug}@example.org gestuurd, niet naar jouw e-mailadres" in page
    response = other.post(f"/invitations/{token}", follow_redirects=True)
    assert "Deze uitnodiging is naar een ander e-mailadres gestuurd" in response.get_data(
        as_text=True
    )
    assert role_of(session, someone_else.id, org) is None


def test_the_owner_changes_a_role_and_removes_a_member(session, org_with_owner, make_user):
    org, _, owner_client = org_with_owner
    member = make_user(org=org, role=Role.BOOKKEEPER)

    response = owner_client.post(f"/o/{org.slug}/members/{member.id}/role", data={"role": "viewer"})
    assert response.status_code == 302
    assert role_of(session, member.id, org) == "viewer"

    owner_client.post(f"/o/{org.slug}/members/{member.id}/remove")
    assert role_of(session, member.id, org) is None


def test_the_last_owner_cannot_step_down_or_leave_and_is_told_why(session, org_with_owner):
    org, owner, owner_client = org_with_owner
    for action, data in (("role", {"role": "bookkeeper"}), ("remove", {})):
        response = owner_client.post(
            f"/o/{org.slug}/members/{owner.id}/{action}", data=data, follow_redirects=True
        )
        assert "Een organisatie houdt minstens één eigenaar" in response.get_data(as_text=True)
        assert role_of(session, owner.id, org) == "owner"


def test_a_role_change_for_someone_outside_the_organisation_changes_nothing(
    session, org_with_owner, make_org, make_user
):
    org, _, owner_client = org_with_owner
    elsewhere = make_org()
    stranger = make_user(org=elsewhere, role=Role.OWNER)
    response = owner_client.post(
        f"/o/{org.slug}/members/{stranger.id}/role", data={"role": "viewer"}, follow_redirects=True
    )
    assert "Die persoon is geen lid van deze organisatie" in response.get_data(as_text=True)
    assert role_of(session, stranger.id, elsewhere) == "owner"


@pytest.mark.parametrize("role", [Role.BOOKKEEPER, Role.VIEWER])
def test_bookkeepers_and_viewers_cannot_invite_or_manage(
    app, session, make_org, make_user, login_as, role
):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    member = make_user(org=org, role=role)
    client = app.test_client()
    login_as(client, member)

    assert invite(client, org, f"x-{org.slug}@example.org").status_code == 403
    assert (
        client.post(f"/o/{org.slug}/members/{owner.id}/role", data={"role": "viewer"}).status_code
        == 403
    )
    assert client.post(f"/o/{org.slug}/members/{owner.id}/remove").status_code == 403
    assert (
        session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.organisation_id == org.id)
        )
        == 0
    )
    assert role_of(session, owner.id, org) == "owner"


def test_a_bookkeeper_sees_the_members_without_the_owner_controls_and_a_viewer_not_at_all(
    app, make_org, make_user, login_as
):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    bookkeeper_client, viewer_client = app.test_client(), app.test_client()
    login_as(bookkeeper_client, make_user(org=org, role=Role.BOOKKEEPER))
    login_as(viewer_client, make_user(org=org, role=Role.VIEWER))

    page = bookkeeper_client.get(f"/o/{org.slug}/members").get_data(as_text=True)
    assert owner.email in page
    assert 'data-testid="invite-form"' not in page and "Rol wijzigen" not in page
    assert viewer_client.get(f"/o/{org.slug}/members").status_code == 403


def test_the_owner_sees_open_invitations_on_the_members_page(org_with_owner):
    org, _, owner_client = org_with_owner
    invite(owner_client, org, f"pending-{org.slug}@example.org", "viewer")
    page = owner_client.get(f"/o/{org.slug}/members").get_data(as_text=True)
    section = open_invitations_section(page)
    assert f"pending-{org.slug}@example.org" in section and "lezer" in section


def test_a_person_in_two_organisations_switches_between_them_with_a_different_role_in_each(
    app, session, make_org, make_user, login_as
):
    first, second = make_org(name="Buurthuis Oost"), make_org(name="Voedselbank West")
    person = make_user(org=first, role=Role.OWNER)
    add_member(session, person.id, second.id, Role.VIEWER)
    session.commit()
    client = app.test_client()
    login_as(client, person)

    page = client.get(f"/o/{first.slug}/").get_data(as_text=True)
    switcher = page.split('data-testid="org-switcher"', 1)[1].split("</details>", 1)[0]
    assert "Buurthuis Oost" in switcher and "Voedselbank West" in switcher
    assert f'href="/o/{first.slug}/" aria-current="true"' in switcher
    assert f'href="/o/{second.slug}/" aria-current' not in switcher
    assert "Je rol: eigenaar" in page

    second_page = client.get(f"/o/{second.slug}/").get_data(as_text=True)
    assert "Je rol: lezer" in second_page
    assert f'href="/o/{second.slug}/members"' not in second_page


def test_an_invitation_to_a_malformed_address_is_refused_on_the_form(session, org_with_owner):
    org, _, owner_client = org_with_owner
    response = invite(owner_client, org, "not-an-address")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page and 'value="not-an-address"' in page
    count = select(func.count()).select_from(Invitation)
    assert session.scalar(count.where(Invitation.organisation_id == org.id)) == 0


def test_a_role_that_does_not_exist_is_refused_and_changes_nothing(
    session, org_with_owner, make_user
):
    org, _, owner_client = org_with_owner
    assert invite(owner_client, org, "nieuw@example.org", "baas").status_code == 422
    count = select(func.count()).select_from(Invitation)
    assert session.scalar(count.where(Invitation.organisation_id == org.id)) == 0

    member = make_user(org=org, role=Role.VIEWER)
    answer = owner_client.post(f"/o/{org.slug}/members/{member.id}/role", data={"role": "baas"})
    assert answer.status_code == 302
    assert role_of(session, member.id, org) == "viewer"


def test_a_newcomer_with_a_short_password_gets_the_form_again_with_the_name_kept(
    app, session, org_with_owner
):
    org, _, owner_client = org_with_owner
    email = f"kort-{org.slug}@example.org"
    invite(owner_client, org, email)
    token = invitation_token(app, email)

    answer = app.test_client().post(
        f"/invitations/{token}", data={"name": "Korte Klaas", "password": "kort"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'value="Korte Klaas"' in page and "Gebruik minstens 10 tekens." in page
    assert 'value="kort"' not in page
    assert user_by_email(session, email) is None
