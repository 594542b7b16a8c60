"""Changing a password and resetting it by e-mail: single use, expiring, revealing nothing."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tenants.security_models import PasswordReset
from tests.conftest import PASSWORD, login
from tests.web.test_sessions import copy_of, is_logged_in

NEW_PASSWORD = "paarse fiets onder de brug"
RULE_START = "Minstens 10 tekens en moeilijk te raden"
LINK = re.compile(r"(\S+/password/reset/\S+)")


def ask_reset(client: FlaskClient, email: str, **options) -> tuple[int, str]:
    response = client.post("/password/forgotten", data={"email": email}, **options)
    response.close()  # the mail leaves once the answer is out
    return response.status_code, response.get_data(as_text=True)


def mailed_link(app: Flask, email: str) -> str:
    kept = sorted((Path(app.instance_path) / "mail").glob(f"*-{email}.eml"))
    assert kept, f"no mail to {email}"
    letter = message_from_bytes(kept[-1].read_bytes(), policy=policy.default)
    found = LINK.search(letter.get_content())
    assert found
    return found.group(1)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_asking_for_a_reset_answers_the_same_for_a_known_and_an_unknown_address(client, make_user):
    user = make_user()
    unknown = f"nobody-{secrets.token_hex(4)}@example.org"
    assert ask_reset(client, user.email) == ask_reset(client, unknown)
    assert "Als dit adres bij ons een account heeft" in ask_reset(client, unknown)[1]


def test_the_mailed_link_sets_a_new_password_once_and_logs_out_everywhere(app, client, make_user):
    user = make_user()
    login(client, user)
    thief = copy_of(client, app)
    ask_reset(app.test_client(), user.email)
    link = path_of(mailed_link(app, user.email))
    stranger = app.test_client()
    page = stranger.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert RULE_START in page.get_data(as_text=True)
    answer = stranger.post(link, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert answer.status_code == 302
    assert not is_logged_in(thief)
    assert not is_logged_in(client)
    assert stranger.get(link).status_code == 410
    again = stranger.post(link, data={"password": "another long phrase here", "repeat": "x"})
    assert again.status_code == 410
    login(app.test_client(), user, NEW_PASSWORD)


def test_an_expired_link_is_refused(app, client, session, make_user):
    user = make_user()
    ask_reset(client, user.email)
    link = path_of(mailed_link(app, user.email))
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    answer = client.post(link, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert answer.status_code == 410
    login(client, user, PASSWORD)


def test_the_database_keeps_only_a_hash_of_the_reset_token(app, client, session, make_user):
    user = make_user()
    ask_reset(client, user.email)
    token = mailed_link(app, user.email).rsplit("/", 1)[1]
    stored = session.scalars(
        select(PasswordReset.token_hash).where(PasswordReset.user_id == user.id)
    )
    assert token not in list(stored)


def test_the_link_is_built_from_the_public_url_never_from_the_host_header(
    app, client, make_user, monkeypatch
):
    user = make_user()
    ask_reset(client, user.email, headers={"Host": "evil.example"})
    assert "evil.example" not in mailed_link(app, user.email)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://bureau.example.nl")
    ask_reset(client, user.email, headers={"Host": "evil.example"})
    assert mailed_link(app, user.email).startswith("https://bureau.example.nl/password/reset/")


def test_a_weak_new_password_is_refused_with_the_rule_beside_the_field(app, client, make_user):
    user = make_user()
    ask_reset(client, user.email)
    link = path_of(mailed_link(app, user.email))
    answer = client.post(link, data={"password": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "te makkelijk te raden" in page
    assert RULE_START in page
    login(client, user, PASSWORD)


def test_changing_the_password_asks_the_current_one_and_ends_the_other_sessions(
    app, client, make_user
):
    user = make_user()
    login(client, user)
    other_device = app.test_client()
    login(other_device, user)
    page = client.get("/account/password").get_data(as_text=True)
    assert RULE_START in page
    wrong = {"current": "not my password", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/account/password", data=wrong).status_code == 422
    assert is_logged_in(other_device)
    right = {**wrong, "current": PASSWORD}
    assert client.post("/account/password", data=right).status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_device)
    login(app.test_client(), user, NEW_PASSWORD)


def test_two_different_new_passwords_are_refused_at_the_repetition_and_never_shown(
    client, make_user
):
    user = make_user()
    login(client, user)
    typed = {"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "!"}
    answer = client.post("/account/password", data=typed)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "De twee wachtwoorden verschillen." in page
    assert page.index('id="repeat"') < page.index("De twee wachtwoorden verschillen.")
    assert NEW_PASSWORD not in page and PASSWORD not in page
    overlong = {**typed, "password": "x" * 201, "repeat": "x" * 201}
    assert client.post("/account/password", data=overlong).status_code == 422
    login(client, user, PASSWORD)


def test_a_new_password_made_of_ones_organisations_name_is_refused(client, make_org, make_user):
    org = make_org(name="Stichting Zonnebloem")
    user = make_user(org=org)
    login(client, user)
    weak = "Zonnebloem2026"
    typed = {"current": PASSWORD, "password": weak, "repeat": weak}
    answer = client.post("/account/password", data=typed)
    assert answer.status_code == 422
    assert "te makkelijk te raden" in answer.get_data(as_text=True)
    login(client, user, PASSWORD)


def test_the_invitation_form_shows_the_password_rule(app, client, make_org, make_user):
    from tenants.invitations import invite
    from tenants.roles import Role

    org = make_org()
    owner = make_user(org=org)
    with app.app_context():
        from app.extensions import db

        issued = invite(db.session(), org.id, "new-person@example.org", Role.VIEWER, owner.id)
        db.session.commit()
    page = client.get(f"/invitations/{issued.token}").get_data(as_text=True)
    assert RULE_START in page
