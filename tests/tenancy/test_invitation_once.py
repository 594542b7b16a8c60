"""One open invitation per organisation and address, in the services and in the database.

Sending again renews the open invitation (a new link, the old one dead) instead of adding a
second; two sends at the same moment end with one; accepting one invitation or removing the
member closes what is left open; public migration 0009 closes older duplicates before its
unique index is made.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import Connection, Engine, create_engine, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tenants.databases import scratch_database
from tenants.errors import InvitationInvalid
from tenants.invitations import (
    REPEATED_WITHIN,
    VALID_FOR,
    accept_as_user,
    invite,
    pending_invitation,
)
from tenants.migrations import MIGRATIONS_DIR, configure_public_context, script_directory
from tenants.models import Invitation, User
from tenants.people import remove_member
from tenants.queries import membership_of
from tenants.roles import Role
from tenants.tables import PublicBase
from tests.conftest import OrgHandle


def open_invitations_of(engine: Engine, org: OrgHandle) -> list[tuple[str, Role]]:
    """(address, role) of every open invitation of ``org``, expired or not."""
    with Session(engine) as session:
        rows = session.execute(
            select(Invitation.email, Invitation.role)
            .where(
                Invitation.organisation_id == org.id,
                Invitation.accepted_at.is_(None),
                Invitation.closed_at.is_(None),
            )
            .order_by(Invitation.id)
        )
        return [(email, role) for email, role in rows]


def issued_link(engine: Engine, org: OrgHandle, email: str, role: Role, by: User) -> str:
    """Invite in a unit of work of its own, as a request would; the token of the mailed link."""
    with Session(engine) as session:
        issued = invite(session, org.id, email, role, by.id)
        session.commit()
    return issued.token


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture
def org_and_owner(
    make_org: Callable[..., OrgHandle], make_user: Callable[..., User]
) -> tuple[OrgHandle, User]:
    org = make_org()
    return org, make_user(org=org, role=Role.OWNER)


def test_inviting_an_address_again_renews_its_open_invitation_and_only_the_newest_link_works(
    engine: Engine, org_and_owner: tuple[OrgHandle, User]
) -> None:
    org, owner = org_and_owner
    address = f"dubbel-{org.slug}@example.org"

    first = issued_link(engine, org, address, Role.VIEWER, owner)
    second = issued_link(engine, org, address.upper(), Role.BOOKKEEPER, owner)

    assert open_invitations_of(engine, org) == [(address, Role.BOOKKEEPER)]
    with Session(engine) as session:
        with pytest.raises(InvitationInvalid, match="onbekend of al gebruikt"):
            pending_invitation(session, first)
        session.rollback()
        renewed = pending_invitation(session, second)
        assert renewed.role == Role.BOOKKEEPER
        assert renewed.expires_at > datetime.now(UTC) + VALID_FOR - timedelta(minutes=1)


def test_a_send_repeated_within_moments_keeps_the_link_it_repeated_and_no_older_one(
    engine: Engine, org_and_owner: tuple[OrgHandle, User]
) -> None:
    org, owner = org_and_owner
    address = f"herhaald-{org.slug}@example.org"

    first = issued_link(engine, org, address, Role.VIEWER, owner)
    second = issued_link(engine, org, address, Role.VIEWER, owner)  # a double click
    with Session(engine) as session:
        assert pending_invitation(session, first).id == pending_invitation(session, second).id
    third = issued_link(engine, org, address, Role.VIEWER, owner)  # and a third

    with Session(engine) as session:
        with pytest.raises(InvitationInvalid, match="onbekend of al gebruikt"):
            pending_invitation(session, first)
        session.rollback()
        assert pending_invitation(session, second).id == pending_invitation(session, third).id
    with Session(engine) as session:  # sent again later: the old link stops working
        session.execute(
            update(Invitation)
            .where(Invitation.organisation_id == org.id)
            .values(created_at=datetime.now(UTC) - REPEATED_WITHIN - timedelta(seconds=1))
        )
        session.commit()
    fourth = issued_link(engine, org, address, Role.VIEWER, owner)
    with Session(engine) as session:
        with pytest.raises(InvitationInvalid, match="onbekend of al gebruikt"):
            pending_invitation(session, third)
        session.rollback()
        assert pending_invitation(session, fourth).email == address


def test_an_expired_invitation_is_renewed_by_a_new_send(
    engine: Engine, org_and_owner: tuple[OrgHandle, User]
) -> None:
    org, owner = org_and_owner
    address = f"verlopen-{org.slug}@example.org"
    expired = issued_link(engine, org, address, Role.VIEWER, owner)
    with Session(engine) as session:
        session.execute(
            update(Invitation)
            .where(Invitation.organisation_id == org.id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
        session.commit()

    again = issued_link(engine, org, address, Role.VIEWER, owner)

    with Session(engine) as session:
        assert pending_invitation(session, again).email == address
        with pytest.raises(InvitationInvalid):  # the expired link does not come back
            pending_invitation(session, expired)
    assert len(open_invitations_of(engine, org)) == 1


def test_two_sends_at_the_same_moment_leave_one_open_invitation(
    engine: Engine, org_and_owner: tuple[OrgHandle, User]
) -> None:
    org, owner = org_and_owner
    address = f"tegelijk-{org.slug}@example.org"
    start = threading.Barrier(2)
    tokens: list[str] = []
    failures: list[BaseException] = []

    def send(role: Role) -> None:
        try:
            with Session(engine) as session:
                session.execute(select(1))  # the transaction is open before the race starts
                start.wait(timeout=10)
                issued = invite(session, org.id, address, role, owner.id)
                session.commit()
                tokens.append(issued.token)
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=send, args=(role,)) for role in (Role.VIEWER, Role.OWNER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert len(tokens) == 2
    assert len(open_invitations_of(engine, org)) == 1
    with Session(engine) as session:
        usable = []
        for token in tokens:
            try:
                usable.append(pending_invitation(session, token).id)
            except InvitationInvalid:
                session.rollback()
        assert len(usable) == 1  # the link of the send that committed last


def test_accepting_an_invitation_closes_any_other_open_one_to_the_same_address(
    engine: Engine, org_and_owner: tuple[OrgHandle, User], make_user: Callable[..., User]
) -> None:
    """Belt and braces: two open invitations cannot be made any more, so the index is dropped
    for the length of this transaction (rolled back at the end) to make them as before."""
    org, owner = org_and_owner
    person = make_user()
    with Session(engine) as session:
        session.execute(text("DROP INDEX public.uq_invitations_open_address"))
        for token in ("eerste-link", "tweede-link"):
            session.add(
                Invitation(
                    organisation_id=org.id,
                    email=person.email,
                    role=Role.VIEWER,
                    token_hash=digest(token),
                    invited_by_id=owner.id,
                    expires_at=datetime.now(UTC) + VALID_FOR,
                )
            )
        session.flush()
        user = session.get_one(User, person.id)

        accept_as_user(session, "tweede-link", user)

        with pytest.raises(InvitationInvalid, match="ingetrokken"):
            pending_invitation(session, "eerste-link")
        session.rollback()


def test_removing_a_member_closes_their_open_invitations_to_that_organisation_only(
    engine: Engine,
    org_and_owner: tuple[OrgHandle, User],
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., User],
) -> None:
    org, owner = org_and_owner
    elsewhere = make_org()
    member = make_user(org=org, role=Role.VIEWER)
    promotion = issued_link(engine, org, member.email.upper(), Role.OWNER, owner)
    other_organisation = issued_link(engine, elsewhere, member.email, Role.VIEWER, owner)

    with Session(engine) as session:
        remove_member(session, member.id, org.id)
        session.commit()

    with Session(engine) as session:
        user = session.get_one(User, member.id)
        with pytest.raises(InvitationInvalid, match="ingetrokken"):
            accept_as_user(session, promotion, user)
        session.rollback()
        assert membership_of(session, member.id, org.id) is None
        assert pending_invitation(session, other_organisation).organisation_id == elsewhere.id


# Public migration 0009 on a database of its own, with the duplicates the old code could make.


@pytest.fixture
def at_0008(database_url: str) -> Iterator[Engine]:
    """A scratch database whose public schema is at 0008, before the open invitations' index."""
    with scratch_database(database_url) as url:
        engine = create_engine(url)
        with engine.begin() as connection:
            migrate_public(connection, "0008")
        yield engine
        engine.dispose()


def migrate_public(connection: Connection, target: str) -> None:
    script = script_directory("public")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR / "public"))

    def steps(revision: Any, _context: Any) -> Any:
        return script._upgrade_revs(target, revision)

    with EnvironmentContext(config, script, fn=steps) as context:
        configure_public_context(context, connection, PublicBase.metadata)
        with context.begin_transaction():
            context.run_migrations()


def test_migration_0009_keeps_the_newest_open_invitation_of_an_address_and_closes_the_rest(
    at_0008: Engine,
) -> None:
    sent = [  # (address, days ago, accepted)
        ("Dubbel@example.org", 3, False),
        ("dubbel@example.org", 2, False),
        ("dubbel@example.org", 1, False),
        ("dubbel@example.org", 5, True),
        ("enkel@example.org", 2, False),
    ]
    with at_0008.begin() as connection:
        organisation = connection.execute(
            text(
                "INSERT INTO public.organisations (slug, name, schema_name)"
                " VALUES ('oud', 'Oud', 'org_oud000') RETURNING id"
            )
        ).scalar_one()
        ids = [
            connection.execute(
                text(
                    "INSERT INTO public.invitations (organisation_id, email, role, token_hash,"
                    " created_at, expires_at, accepted_at)"
                    " VALUES (:organisation, :email, 'viewer', :hash, now() - :ago,"
                    " now() - :ago + interval '7 days', CASE WHEN :accepted THEN now() END)"
                    " RETURNING id"
                ),
                {
                    "organisation": organisation,
                    "email": email,
                    "hash": digest(f"{email}-{ago}"),
                    "ago": timedelta(days=ago),
                    "accepted": accepted,
                },
            ).scalar_one()
            for email, ago, accepted in sent
        ]

    with at_0008.begin() as connection:
        migrate_public(connection, "0009")

    with at_0008.connect() as connection:
        closed: dict[int, bool] = dict(
            connection.execute(
                text("SELECT id, closed_at IS NOT NULL FROM public.invitations")
            ).all()
        )
        assert [closed[id_] for id_ in ids] == [True, True, False, False, False]
        with pytest.raises(IntegrityError, match="uq_invitations_open_address"):
            connection.execute(
                text(
                    "INSERT INTO public.invitations (organisation_id, email, role, token_hash,"
                    " expires_at) VALUES (:organisation, 'DUBBEL@example.org', 'viewer', 'x',"
                    " now())"
                ),
                {"organisation": organisation},
            )
