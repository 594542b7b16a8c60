"""Backups of the whole instance and of one organisation, and their restore.

The whole instance: the database (``pg_dump``, every schema) and the instance folder's stored
files (receipts, policy documents), not the servers' own data, the signing secret nor uploads
waiting for a job. It is restored into an empty database only.

One organisation: its schema (``pg_dump --schema``), its registry row and memberships (with
the people behind them, by e-mail address), its receipts and, for people and other tools, its
books as a ``.beancount`` file. It is restored under a slug that does not exist yet, into an
instance where its schema does not exist either: a restore never mixes with data already there.
The bureau's own records about the organisation (invoices, pool enrolments) stay with the
bureau, in the whole-instance backup.

Dumps are made with ``--no-owner --no-privileges`` and the grants are made again on restore
(``grant_restored_schemas``, ``register_restored_organisation``), so an archive restores into a
cluster whose roles differ. Nothing here commits: the command around it does.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.orm import Session

from ledger.errors import message
from tenants.archives import DUMP, extract_member, read_manifest, stored_files, write_archive
from tenants.db_roles import ensure_group_role, ensure_tenant_role
from tenants.errors import RestoreRefused
from tenants.marker import TenantMarker
from tenants.models import Organisation
from tenants.pg_programs import run_program
from tenants.readiness import migration_state

INSTANCE = "instance"
# The servers' own data, the signing secret and uploads waiting for a job.
NOT_BACKED_UP = frozenset({"pgdata", "redis", "secret_key", "bank-uploads"})
_DUMP_OPTIONS = ("--format=custom", "--no-owner", "--no-privileges")
_RESTORE_OPTIONS = ("--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction")


@dataclass(frozen=True, slots=True)
class Server:
    """Where the database is: its URL (for the programs) and its major version."""

    url: str
    major: int


def server_of(connection: Connection, url: str) -> Server:
    version = int(connection.scalar(text("SHOW server_version_num")) or 0)
    return Server(url, version // 10000)


def back_up_instance(
    connection: Connection, server: Server, instance_dir: Path, target: Path
) -> dict[str, Any]:
    """Write the whole instance to ``target``; returns the manifest."""
    manifest = {
        "kind": INSTANCE,
        "created_at": datetime.now(UTC).isoformat(),
        "public_revision": migration_state(connection).public_revision,
        "organisations": connection.scalar(select(func.count()).select_from(Organisation)),
    }
    files = dict(stored_files(instance_dir, NOT_BACKED_UP))
    with tempfile.TemporaryDirectory(prefix="sb-backup-") as work:
        dump = Path(work) / DUMP
        run_program("pg_dump", [*_DUMP_OPTIONS, f"--file={dump}"], server.url, server.major)
        write_archive(target, {**manifest, "files": len(files)}, {DUMP: dump, **files})
    return manifest


def refuse_unless_empty(connection: Connection) -> None:
    """A whole-instance restore goes into an empty database, never over data."""
    registry = connection.scalar(text("SELECT to_regclass('public.organisations')"))
    schemas = connection.scalar(
        text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'org\\_%'")
    )
    if registry is not None or schemas:
        raise RestoreRefused(
            message(
                "De database is niet leeg: een back-up van de hele installatie wordt alleen in"
                " een lege database teruggezet. Maak een nieuwe database en wijs DATABASE_URL"
                " daarheen."
            )
        )


def restore_dump(source: Path, kind: str, server: Server) -> dict[str, Any]:
    """Check the archive and load its dump with ``pg_restore`` in one transaction."""
    manifest = read_manifest(source, kind)
    with tempfile.TemporaryDirectory(prefix="sb-restore-") as work:
        dump = extract_member(source, DUMP, Path(work))
        run_program("pg_restore", [*_RESTORE_OPTIONS, str(dump)], server.url, server.major)
    return manifest


def grant_restored_schemas(connection: Connection) -> int:
    """Give the restored public schema and every tenant schema their roles' grants again."""
    ensure_group_role(connection)
    schemas = list(connection.scalars(select(Organisation.schema_name)))
    for schema in schemas:
        ensure_tenant_role(connection, schema)
    return len(schemas)


def reattach_marker(session: Session, schema_name: str, organisation_id: int) -> None:
    """Point a restored schema's marker at the organisation's id in this instance."""
    session.execute(
        update(TenantMarker)
        .values(organisation_id=organisation_id, schema_name=schema_name)
        .execution_options(schema_translate_map={"tenant": schema_name})
    )
