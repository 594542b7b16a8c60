"""Sessions live on the server: a copied cookie works only as long as its session does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from tenants.access_changes import deactivate_user
from tenants.roles import Role
from tenants.security_models import UserSession
from tenants.sessions import ROTATION_GRACE, token_hash
from tests.conftest import login


def copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """A second browser holding exactly the first one's session cookie (a stolen cookie).

    On the same address and with the same browser as the first: Flask-Login's strong session
    protection refuses a cookie from any other already.
    """
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def past_the_grace(session, user_id: int) -> None:
    """Move the user's ended sessions back beyond the grace an old token has after a rotation
    (``tenants.sessions.ROTATION_GRACE``)."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_not(None))
        .values(ended_at=UserSession.ended_at - ROTATION_GRACE - timedelta(seconds=1))
    )
    session.commit()


def is_logged_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def test_a_copied_cookie_is_refused_once_its_owner_logs_out(app, client, make_user):
    login(client, make_user())
    thief = copy_of(client, app)
    assert is_logged_in(thief)
    assert client.post("/logout").status_code == 302
    assert not is_logged_in(thief)
    assert not is_logged_in(client)


def test_a_copied_cookie_is_refused_once_the_user_is_deactivated(app, client, session, make_user):
    user = make_user()
    login(client, user)
    thief = copy_of(client, app)
    deactivate_user(session, user.id, None, datetime.now(UTC))
    session.commit()
    assert not is_logged_in(thief)
    assert not is_logged_in(client)


def test_removing_a_member_ends_their_sessions_at_once(app, client, make_org, make_user):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    member = make_user(org=org, role=Role.BOOKKEEPER)
    login(client, member)
    thief = copy_of(client, app)
    assert thief.get(f"/o/{org.slug}/").status_code == 200
    owners_browser = app.test_client()
    login(owners_browser, owner)
    assert owners_browser.post(f"/o/{org.slug}/members/{member.id}/remove").status_code == 302
    assert not is_logged_in(thief)
    assert not is_logged_in(client)


def test_an_owner_cannot_end_the_sessions_of_someone_outside_their_organisation(
    app, client, make_org, make_user
):
    ours, theirs = make_org(), make_org()
    owner = make_user(org=ours, role=Role.OWNER)
    stranger = make_user(org=theirs, role=Role.OWNER)
    login(client, stranger)
    owners_browser = app.test_client()
    login(owners_browser, owner)

    answer = owners_browser.post(f"/o/{ours.slug}/members/{stranger.id}/remove")

    assert answer.status_code == 302  # back to the members page, with the reason
    assert is_logged_in(client)
    assert client.get(f"/o/{theirs.slug}/").status_code == 200


def test_log_out_everywhere_ends_the_sessions_on_every_device(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    page = phone.get("/account").get_data(as_text=True)
    assert "Overal uitloggen" in page
    assert phone.post("/account/sessions/end").status_code == 302
    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)


def test_a_session_idle_longer_than_the_idle_timeout_is_refused(client, session, make_user):
    user = make_user()
    login(client, user)
    _age(session, user.id, last_seen=timedelta(hours=2, minutes=1))
    assert not is_logged_in(client)


def test_a_busy_session_still_ends_at_the_absolute_timeout(client, session, make_user):
    user = make_user()
    login(client, user)
    _age(session, user.id, created=timedelta(hours=12, minutes=1))
    assert not is_logged_in(client)


def test_a_session_within_both_timeouts_goes_on(client, session, make_user):
    user = make_user()
    login(client, user)
    _age(session, user.id, last_seen=timedelta(hours=1), created=timedelta(hours=11))
    assert is_logged_in(client)


def test_the_remember_me_cookie_alone_opens_nothing(app, make_user):
    user = make_user()
    browser = app.test_client()
    with app.test_request_context():
        browser.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert not is_logged_in(browser)


def test_a_changed_role_gives_the_session_a_new_token_and_refuses_the_old_one(
    app, client, session, make_org, make_user
):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    member = make_user(org=org, role=Role.VIEWER)
    login(client, member)
    before = copy_of(client, app)
    owners_browser = app.test_client()
    login(owners_browser, owner)
    answer = owners_browser.post(
        f"/o/{org.slug}/members/{member.id}/role", data={"role": "bookkeeper"}
    )
    assert answer.status_code == 302
    assert is_logged_in(client)  # rotated on this request: a new token in the cookie
    past_the_grace(session, member.id)
    assert not is_logged_in(before)
    assert is_logged_in(client)


def test_the_database_keeps_only_a_hash_of_the_session_token(client, session, make_user):
    user = make_user()
    login(client, user)
    with client.session_transaction() as cookie:
        token = cookie["sid"]
    stored = session.scalars(select(UserSession.token_hash).where(UserSession.user_id == user.id))
    assert list(stored) == [token_hash(token)]
    assert token not in token_hash(token)


def _age(session, user_id: int, *, last_seen=timedelta(0), created=timedelta(0)) -> None:
    now = datetime.now(UTC)
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id)
        .values(last_seen_at=now - last_seen, created_at=now - max(created, last_seen))
    )
    session.commit()


def test_a_rotation_due_waits_for_an_answer_that_commits(app, client, session, make_user):
    user = make_user()
    login(client, user)
    session.execute(
        update(UserSession).where(UserSession.user_id == user.id).values(must_rotate=True)
    )
    session.commit()
    assert client.get("/o/bestaat-niet/").status_code == 404  # rolled back: no rotation
    before = copy_of(client, app)
    assert is_logged_in(client)  # the cookie from the 404 still works, and now rotates
    past_the_grace(session, user.id)
    assert not is_logged_in(before)
    assert is_logged_in(client)


def test_a_rotation_due_on_a_refused_action_that_redirects_keeps_the_old_token_good(
    app, client, session, make_org, make_user
):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    login(client, owner)
    session.execute(
        update(UserSession).where(UserSession.user_id == owner.id).values(must_rotate=True)
    )
    session.commit()
    # Not a member: refused, rolled back, and answered with a redirect (below 400).
    refused = client.post(
        f"/o/{org.slug}/members/{owner.id + 10_000}/role", data={"role": "viewer"}
    )
    assert refused.status_code == 302
    assert is_logged_in(client)


def test_a_rotation_due_is_done_on_an_organisation_page_bound_to_its_tenant_role(
    app, client, session, make_org, make_user
):
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    login(client, owner)
    session.execute(
        update(UserSession).where(UserSession.user_id == owner.id).values(must_rotate=True)
    )
    session.commit()
    before = copy_of(client, app)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    past_the_grace(session, owner.id)
    assert not is_logged_in(before)
    assert is_logged_in(client)


def test_logging_in_again_on_the_same_browser_ends_the_session_it_had(app, client, make_user):
    user = make_user()
    login(client, user)
    earlier = copy_of(client, app)
    login(client, user)
    assert not is_logged_in(earlier)
    assert is_logged_in(client)
