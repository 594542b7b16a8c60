"""An invitation sent twice is one invitation, and its mail leaves only once it is saved.

A double click, a browser retry or two owners at the same moment leave one open invitation per
address. Its newest link works, and so does the link of the send just before when the newest
repeated it within moments (same role): neither of a double click's two mails leads nowhere.
Accepting it or removing the member closes what is left; the mail goes after the request's
commit, so a failed commit mails nothing.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tenants.models import Invitation, User
from tenants.queries import membership_of, user_by_email
from tenants.roles import Role
from tests.at_once import is_post_to, losing_the_database_at_commit
from tests.conftest import PASSWORD, OrgHandle, login
from tests.web.test_members import TOKEN_IN_LINK, invite

Browsers = Callable[[], FlaskClient]


def mailed_links(app: Flask, address: str) -> list[str]:
    """The tokens of every mail kept for ``address``, oldest first."""
    kept = sorted((Path(app.instance_path) / "mail").glob(f"*-{address}.eml"))
    return [found.group(1) for path in kept if (found := TOKEN_IN_LINK.search(path.read_text()))]


def open_invitations(engine: Engine, organisation_id: int) -> list[tuple[str, str]]:
    """(address, role) of the organisation's open invitations, expired or not."""
    with Session(engine) as session:
        rows = session.execute(
            select(Invitation.email, Invitation.role).where(
                Invitation.organisation_id == organisation_id,
                Invitation.accepted_at.is_(None),
                Invitation.closed_at.is_(None),
            )
        )
        return [(email, str(role)) for email, role in rows]


def is_member(engine: Engine, user_id: int, org: OrgHandle) -> bool:
    with Session(engine) as session:
        return membership_of(session, user_id, org.id) is not None


@pytest.fixture
def owner(
    app: Flask,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., User],
    login_as: Callable[[FlaskClient, User], None],
) -> tuple[OrgHandle, Browsers]:
    """An organisation and its owner, logged in on as many browsers as asked."""
    org = make_org()
    user = make_user(org=org, role=Role.OWNER)

    def browser() -> FlaskClient:
        client = app.test_client()
        login_as(client, user)
        return client

    return org, browser


def test_a_double_click_leaves_one_open_invitation_whose_newest_link_alone_works(
    app: Flask, engine: Engine, owner: tuple[OrgHandle, Browsers]
) -> None:
    org, browser = owner
    client = browser()
    address = f"dubbelklik-{org.slug}@example.org"

    first = invite(client, org, address, "viewer")
    again = invite(client, org, address.upper(), "bookkeeper")

    assert first.status_code == again.status_code == 302
    assert open_invitations(engine, org.id) == [(address, "bookkeeper")]
    old_link, new_link = mailed_links(app, address)
    newcomer = app.test_client()
    refused = newcomer.get(f"/invitations/{old_link}")
    assert refused.status_code == 410
    assert "Deze uitnodiging is onbekend of al gebruikt." in refused.get_data(as_text=True)
    assert "boekhouder" in newcomer.get(f"/invitations/{new_link}").get_data(as_text=True)

    accepted = newcomer.post(f"/invitations/{new_link}", data={"name": "N", "password": PASSWORD})

    assert accepted.status_code == 302
    assert open_invitations(engine, org.id) == []
    assert app.test_client().post(f"/invitations/{old_link}").status_code == 410


def test_sends_at_the_same_moment_leave_one_open_invitation_and_answer_without_an_error(
    app: Flask, engine: Engine, owner: tuple[OrgHandle, Browsers]
) -> None:
    org, browser = owner
    clients = [browser() for _ in range(4)]
    address = f"tegelijk-{org.slug}@example.org"
    start = threading.Barrier(len(clients))
    answers: list[int] = []

    def send(client: FlaskClient) -> None:
        start.wait(timeout=30)
        answers.append(invite(client, org, address).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers == [302] * len(clients)
    assert open_invitations(engine, org.id) == [(address, "bookkeeper")]
    links = mailed_links(app, address)
    assert len(links) == len(clients)  # every send mailed, after its own commit
    working = [
        link for link in links if app.test_client().get(f"/invitations/{link}").status_code == 200
    ]
    assert len(working) == 2  # the last send's link, and the one it repeated


def test_both_links_of_a_double_click_work_until_one_is_accepted(
    app: Flask, engine: Engine, owner: tuple[OrgHandle, Browsers]
) -> None:
    org, browser = owner
    client = browser()
    address = f"twee-mails-{org.slug}@example.org"
    invite(client, org, address, "viewer")
    invite(client, org, address, "viewer")
    first_mail, second_mail = mailed_links(app, address)
    newcomer = app.test_client()
    assert "lezer" in newcomer.get(f"/invitations/{first_mail}").get_data(as_text=True)
    assert newcomer.get(f"/invitations/{second_mail}").status_code == 200

    joined = newcomer.post(f"/invitations/{first_mail}", data={"name": "N", "password": PASSWORD})

    assert joined.status_code == 302
    assert open_invitations(engine, org.id) == []
    assert app.test_client().get(f"/invitations/{second_mail}").status_code == 410


def test_a_removed_member_cannot_come_back_with_a_second_link(
    app: Flask, engine: Engine, owner: tuple[OrgHandle, Browsers]
) -> None:
    """The reported way back in: two links from a double click, one accepted, then removed."""
    org, browser = owner
    client = browser()
    address = f"terug-{org.slug}@example.org"
    invite(client, org, address)
    invite(client, org, address)
    newest = mailed_links(app, address)[-1]
    joined = app.test_client().post(
        f"/invitations/{newest}", data={"name": "T", "password": PASSWORD}
    )
    assert joined.status_code == 302
    with Session(engine) as session:
        person = user_by_email(session, address)
        assert person is not None
    client.post(f"/o/{org.slug}/members/{person.id}/remove")
    assert not is_member(engine, person.id, org)

    comeback = app.test_client()
    login(comeback, person)
    for link in mailed_links(app, address):
        answer = comeback.post(f"/invitations/{link}")
        assert answer.status_code == 410

    assert not is_member(engine, person.id, org)


def test_removing_a_member_withdraws_the_invitation_they_had_not_used_yet(
    app: Flask,
    engine: Engine,
    owner: tuple[OrgHandle, Browsers],
    make_user: Callable[..., User],
) -> None:
    org, browser = owner
    client = browser()
    member = make_user(org=org, role=Role.VIEWER)
    invite(client, org, member.email, "owner")  # a promotion, not taken up yet
    [link] = mailed_links(app, member.email)

    client.post(f"/o/{org.slug}/members/{member.id}/remove")

    removed = app.test_client()
    login(removed, member)
    page = removed.get(f"/invitations/{link}")
    assert page.status_code == 410
    assert "Deze uitnodiging is ingetrokken." in page.get_data(as_text=True)
    assert removed.post(f"/invitations/{link}").status_code == 410
    assert not is_member(engine, member.id, org)
    assert open_invitations(engine, org.id) == []


def test_a_failed_mail_keeps_the_invitation_and_says_so(
    app: Flask, engine: Engine, owner: tuple[OrgHandle, Browsers], monkeypatch: pytest.MonkeyPatch
) -> None:
    org, browser = owner
    client = browser()
    address = f"onbezorgd-{org.slug}@example.org"
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://localhost:{closed_port()}")

    answer = invite(client, org, address)

    assert answer.status_code == 302
    assert open_invitations(engine, org.id) == [(address, "bookkeeper")]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "De uitnodiging is opgeslagen, maar de e-mail kon niet worden verstuurd." in page
    assert "Uitnodiging verstuurd naar" not in page


def closed_port() -> int:
    """A local port nobody listens on: bound, then let go, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_owner_invited_twice_from_the_bureau_has_one_open_invitation(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., User],
    login_as: Callable[[FlaskClient, User], None],
) -> None:
    org = make_org()
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True, name="Bea Bureau"))
    address = f"eigenaar-{org.slug}@example.org"

    for _ in range(2):
        answer = staff.post(
            f"/bureau/organisations/{org.slug}/owner-invitations",
            data={"email": address},
            follow_redirects=True,
        )
        assert f"Uitnodiging als eigenaar verstuurd naar {address}." in answer.get_data(
            as_text=True
        )

    assert open_invitations(engine, org.id) == [(address, "owner")]
    links = mailed_links(app, address)
    assert len(links) == 2  # sent again at once: both mails' links work
    assert all(app.test_client().get(f"/invitations/{link}").status_code == 200 for link in links)


# The database goes away at the commit: nothing saved, so nothing mailed.


@pytest.fixture
def outage(database_url: str, redis_url: str) -> Iterator[tuple[Flask, list[int]]]:
    """The application, its backend terminated before the commit of the first invitation sent."""
    with losing_the_database_at_commit(
        database_url, redis_url, is_post_to("/members/invitations")
    ) as served:
        yield served


def test_no_mail_leaves_when_the_commit_fails_and_the_next_send_mails_a_saved_link(
    outage: tuple[Flask, list[int]],
    engine: Engine,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., User],
) -> None:
    app, terminated = outage
    org = make_org()
    client = app.test_client()
    login(client, make_user(org=org, role=Role.OWNER))
    address = f"weg-{org.slug}@example.org"

    lost = invite(client, org, address)

    assert terminated, "the backend was not terminated: the test did not reach the commit"
    assert lost.status_code == 503
    assert open_invitations(engine, org.id) == []
    assert mailed_links(app, address) == []
    page = client.get(f"/o/{org.slug}/members").get_data(as_text=True)
    assert "Uitnodiging verstuurd" not in page

    saved = invite(client, org, address)  # on a new connection

    assert saved.status_code == 302
    [link] = mailed_links(app, address)
    assert app.test_client().get(f"/invitations/{link}").status_code == 200
