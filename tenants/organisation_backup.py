"""One organisation's backup and restore: schema, registry row, people, receipts, Beancount.

See ``tenants.backup`` for what an archive holds and what a restore promises.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session, undefer

from ledger.errors import message
from tenants.archives import DUMP, read_member, stored_files, write_archive
from tenants.backup import Server, reattach_marker
from tenants.db_roles import ensure_tenant_role
from tenants.errors import OrganisationNotFound, RestoreRefused
from tenants.models import Membership, Organisation, User
from tenants.pg_programs import run_program
from tenants.queries import normalise_email, organisation_by_slug, user_by_email

ORGANISATION = "organisation"
REGISTRY = "registry.json"
BOOKS = "books.beancount"
_ROW_FIELDS = ("name", "is_bureau", "legal_form", "kvk_number", "rsin", "tenant_revision")
_PERSON_FIELDS = ("email", "name", "password_hash", "is_active", "locale")


def back_up_organisation(
    session: Session,
    server: Server,
    slug: str,
    books: Callable[[Organisation], str],
    files_of: Callable[[Organisation], Path],
    target: Path,
) -> dict[str, Any]:
    """Write one organisation to ``target``; ``books`` renders its Beancount file and
    ``files_of`` names the folder of its stored files (receipts)."""
    organisation = _existing(session, slug)
    registry = {
        "organisation": {key: getattr(organisation, key) for key in _ROW_FIELDS},
        "members": _members(session, organisation.id),
    }
    manifest = {
        "kind": ORGANISATION,
        "created_at": datetime.now(UTC).isoformat(),
        "slug": organisation.slug,
        "schema_name": organisation.schema_name,
    }
    files = dict(stored_files(files_of(organisation)))
    content = {
        REGISTRY: json.dumps(registry, indent=2).encode(),
        BOOKS: books(organisation).encode(),
    }
    with tempfile.TemporaryDirectory(prefix="sb-backup-") as work:
        dump = Path(work) / DUMP
        options = ["--format=custom", "--no-owner", "--no-privileges"]
        schema = f"--schema={organisation.schema_name}"
        run_program("pg_dump", [*options, schema, f"--file={dump}"], server.url, server.major)
        write_archive(target, {**manifest, "files": len(files)}, {DUMP: dump, **content, **files})
    return manifest


def refuse_to_overwrite(connection: Connection, slug: str, schema_name: str) -> None:
    """The slug and the schema must both be free: a restore never mixes with existing books."""
    taken = connection.scalar(select(Organisation.id).where(Organisation.slug == slug))
    if taken is not None:
        raise RestoreRefused(
            message(
                "Organisatie %(slug)s bestaat al in deze installatie: zet de back-up terug onder"
                " een andere korte naam, of verwijder de organisatie eerst."
            ),
            slug=slug,
        )
    schema = connection.scalar(text("SELECT to_regnamespace(:name)"), {"name": schema_name})
    if schema is not None:
        holder = connection.scalar(
            select(Organisation.slug).where(Organisation.schema_name == schema_name)
        )
        raise RestoreRefused(
            message(
                "De boeken uit deze back-up (schema %(schema)s) staan al in deze installatie,"
                " bij organisatie %(holder)s: terugzetten zou ze dubbel maken."
            ),
            schema=schema_name,
            holder=holder or "?",
        )


def register_restored_organisation(
    session: Session, source: Path, manifest: dict[str, Any], slug: str
) -> int:
    """Add the registry row and memberships of a restored schema; the new organisation's id.

    People are found by e-mail address; someone unknown here is added with the password they
    had, never as bureau staff.
    """
    registry = json.loads(read_member(source, REGISTRY))
    schema_name = str(manifest["schema_name"])
    organisation = Organisation(slug=slug, schema_name=schema_name, **registry["organisation"])
    session.add(organisation)
    session.flush()
    reattach_marker(session, schema_name, organisation.id)
    ensure_tenant_role(session.connection(), schema_name)
    for person in registry["members"]:
        user = _user_for(session, person)
        session.add(
            Membership(user_id=user.id, organisation_id=organisation.id, role=person["role"])
        )
    session.flush()
    return organisation.id


def discard_restored_schema(connection: Connection, schema_name: str) -> None:
    """Drop a schema whose restore could not be finished, so a second try starts clean."""
    quoted = connection.dialect.identifier_preparer.quote_identifier(schema_name)
    connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")


def _existing(session: Session, slug: str) -> Organisation:
    organisation = organisation_by_slug(session, slug)
    if organisation is None:
        raise OrganisationNotFound(message("Organisatie %(slug)s bestaat niet."), slug=slug)
    return organisation


def _members(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(User.id)
        .options(undefer(User.password_hash))  # deferred in the model (tenants.models)
    )
    return [
        {**{key: getattr(user, key) for key in _PERSON_FIELDS}, "role": role} for user, role in rows
    ]


def _user_for(session: Session, person: dict[str, Any]) -> User:
    existing = user_by_email(session, person["email"])
    if existing is not None:
        return existing
    user = User(**{key: person[key] for key in _PERSON_FIELDS}, is_bureau_admin=False)
    user.email = normalise_email(user.email)
    session.add(user)
    session.flush()
    return user
