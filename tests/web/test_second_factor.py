"""The second factor: bureau staff must set it up, anyone may, and a code works only once."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import update

from tenants.models import User
from tests.conftest import PASSWORD, SECOND_FACTORS, login

SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7]+)<')
CODES = re.compile(r"<li><code>([a-z2-7-]{19})</code></li>")


def set_up_through_the_pages(client) -> tuple[str, list[str]]:
    assert client.post("/account/second-factor/start").status_code == 302
    page = client.get("/account/second-factor").get_data(as_text=True)
    found = SECRET.search(page)
    assert found
    secret = found.group(1)
    qr = client.get("/account/second-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data
    answer = client.post("/account/second-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302  # the codes are shown once, after a redirect
    assert answer.headers["Location"] == "/account/second-factor/recovery-codes"
    shown = client.get(answer.headers["Location"])
    assert shown.status_code == 200
    return secret, CODES.findall(shown.get_data(as_text=True))


def test_a_bureau_admin_without_a_second_factor_reaches_only_its_set_up_page(
    app, client, session, make_org, make_user
):
    org = make_org()
    admin = make_user(org=org)
    session.execute(update(User).where(User.id == admin.id).values(is_bureau_admin=True))
    session.commit()
    login(client, admin)
    for path in ("/", "/bureau/organisations", f"/o/{org.slug}/", "/account"):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"] == "/account/second-factor"
    _secret, codes = set_up_through_the_pages(client)
    assert len(codes) == 10
    assert client.get("/bureau/organisations").status_code == 200


def test_after_the_password_a_person_with_a_second_factor_must_give_a_code(app, make_user):
    admin = make_user(is_bureau_admin=True)
    client = app.test_client()
    answer = client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/login/code"
    assert client.get("/bureau/organisations").status_code == 302  # not logged in yet
    wrong = client.post("/login/code", data={"code": "000000"})
    assert wrong.status_code == 200
    assert "Die code klopt niet" in wrong.get_data(as_text=True)
    code = SECOND_FACTORS[admin.id].next_code()
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/bureau/organisations").status_code == 200

    replay = app.test_client()
    replay.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert replay.post("/login/code", data={"code": code}).status_code == 200
    assert replay.get("/bureau/organisations").status_code == 302


def test_a_recovery_code_logs_in_once(app, make_user):
    admin = make_user(is_bureau_admin=True)
    recovery = SECOND_FACTORS[admin.id].recovery_codes.pop()
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert first.post("/login/code", data={"code": recovery.upper()}).status_code == 302
    assert second.post("/login/code", data={"code": recovery}).status_code == 200


def test_a_member_may_turn_a_second_factor_on_and_off(app, client, make_user):
    member = make_user()
    login(client, member)
    secret, _codes = set_up_through_the_pages(client)
    fresh = app.test_client()
    answer = fresh.post("/login", data={"email": member.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/login/code"
    off = client.post("/account/second-factor/disable", data={"password": PASSWORD})
    assert off.status_code == 302
    answer = app.test_client().post("/login", data={"email": member.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/"
    assert secret


def test_an_empty_or_overlong_code_is_refused_at_its_field_without_counting(app, make_user):
    admin = make_user(is_bureau_admin=True)
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    for typed in ("", "1" * 41):
        answer = client.post("/login/code", data={"code": typed})
        assert answer.status_code == 422
        assert 'class="field-error"' in answer.get_data(as_text=True)
    code = SECOND_FACTORS[admin.id].next_code()
    assert client.post("/login/code", data={"code": code}).status_code == 302
