"""The security log: a person reads their own account's entries, owners their organisation's."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tenants.roles import Role
from tenants.security_models import EventKind, SecurityEvent
from tests.conftest import PASSWORD, login

MOMENT = re.compile(r"<td[^>]*>\d{2}-\d{2}-\d{4} \d{2}:\d{2}</td>")


def test_a_person_reads_their_logins_failed_attempts_and_password_changes(app, client, make_user):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "not the password"})
    login(client, user)
    new = "paarse fiets onder de brug"
    change = {"current": PASSWORD, "password": new, "repeat": new}
    assert client.post("/account/password", data=change).status_code == 302
    page = client.get("/account/security-log").get_data(as_text=True)
    for label in ("Ingelogd", "Mislukte inlogpoging", "Wachtwoord gewijzigd"):
        assert label in page
    assert MOMENT.search(page)


def test_owners_read_logins_role_changes_and_every_bureau_visit_to_their_books(
    app, client, session, make_org, make_user
):
    org, elsewhere = make_org(), make_org()
    owner = make_user(org=org, role=Role.OWNER)
    member = make_user(org=org, role=Role.VIEWER)
    stranger = make_user(org=elsewhere, role=Role.OWNER)
    staff = make_user(org=org, role=Role.VIEWER, is_bureau_admin=True)
    login(app.test_client(), member)
    login(app.test_client(), stranger)
    visitor = app.test_client()
    login(visitor, staff)
    for _ in range(3):
        assert visitor.get(f"/o/{org.slug}/").status_code == 200
    login(client, owner)
    change = client.post(f"/o/{org.slug}/members/{member.id}/role", data={"role": "bookkeeper"})
    assert change.status_code == 302

    page = client.get(f"/o/{org.slug}/settings/security-log").get_data(as_text=True)
    assert member.email in page
    assert "Rol gewijzigd: boekhouder" in page
    assert "Boeken geopend door het bureau" in page
    assert stranger.email not in page
    assert _visits(session, staff.id, org.id) == 1

    again = app.test_client()
    login(again, staff)
    assert again.get(f"/o/{org.slug}/").status_code == 200
    assert _visits(session, staff.id, org.id) == 2


def test_only_owners_open_the_organisations_security_log(app, client, make_org, make_user):
    org = make_org()
    login(client, make_user(org=org, role=Role.BOOKKEEPER))
    assert client.get(f"/o/{org.slug}/settings/security-log").status_code == 403


def _visits(session, staff_id: int, organisation_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(SecurityEvent)
        .where(
            SecurityEvent.kind == EventKind.BOOKS_OPENED_BY_BUREAU,
            SecurityEvent.actor_id == staff_id,
            SecurityEvent.organisation_id == organisation_id,
        )
    )
