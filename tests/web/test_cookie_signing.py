"""The session cookie's serializer is made once, and again whenever the secret key changes."""

from __future__ import annotations

from tests.conftest import login


def test_one_serializer_signs_and_checks_every_request_of_a_key(make_app, make_user):
    app = make_app()
    client = app.test_client()
    login(client, make_user())
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert client.get("/account").status_code == 200
    assert interface.get_signing_serializer(app) is first


def test_a_changed_secret_key_refuses_the_old_cookie_unless_kept_as_a_fallback(make_app, make_user):
    app = make_app(SECRET_KEY="the first secret key of this test")
    client = app.test_client()
    login(client, make_user())
    assert client.get("/account").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None

    app.secret_key = "the second secret key of this test"
    assert client.get("/account").status_code == 302  # signed with a key no longer set

    app.config["SECRET_KEY_FALLBACKS"] = ["the first secret key of this test"]
    client.set_cookie("session", cookie.value)  # the refusal above replaced it
    assert client.get("/account").status_code == 200
