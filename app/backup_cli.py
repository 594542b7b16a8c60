"""``servicebureau backup|restore FILE`` and ``servicebureau org backup|restore``: the boundary.

The work is in ``tenants.backup`` and ``tenants.organisation_backup``; here each command opens
its connections and units of work, puts files where the application keeps them, and migrates
what it restored to this release's head.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine

from app.entry.receipts import organisation_folder
from app.schema_owner import owner_engine
from ledger.errors import DomainError
from ledger.export import export_book
from tenants.archives import extract_files, read_manifest
from tenants.backup import (
    INSTANCE,
    Server,
    back_up_instance,
    grant_restored_schemas,
    refuse_unless_empty,
    restore_dump,
    server_of,
)
from tenants.models import Organisation
from tenants.organisation_backup import (
    ORGANISATION,
    back_up_organisation,
    discard_restored_schema,
    refuse_to_overwrite,
    register_restored_organisation,
)
from tenants.unit_of_work import unit_of_work

FILE = click.Path(dir_okay=False, path_type=Path)
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("file", type=FILE)
@with_appcontext
def backup_command(file: Path) -> None:
    """Write the whole instance (database and stored files) to FILE."""
    engine = owner_engine()
    with _refused_on_domain_error(), engine.connect() as connection:
        manifest = back_up_instance(connection, _server(engine), _instance_dir(), file)
    click.echo(f"backed up {manifest['organisations']} organisations to {file}")


@click.command("restore")
@click.argument("file", type=EXISTING_FILE)
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore a whole-instance backup FILE into this (empty) database and instance folder."""
    engine = owner_engine()  # backups and restores run as the schemas' owner
    with _refused_on_domain_error():
        read_manifest(file, INSTANCE)
        with engine.connect() as connection:
            refuse_unless_empty(connection)
        restore_dump(file, INSTANCE, _server(engine))
        with unit_of_work(engine) as session:
            schemas = grant_restored_schemas(session.connection())
        files = extract_files(file, _instance_dir())
    click.echo(f"restored {schemas} organisations and {files} files from {file}")
    _migrate()


@click.command("backup")
@click.argument("slug")
@click.option("-o", "--output", "file", type=FILE, required=True, help="The archive to write.")
@with_appcontext
def org_backup_command(slug: str, file: Path) -> None:
    """Write one organisation (books, people, receipts, Beancount file) to FILE."""
    engine = owner_engine()  # backups and restores run as the schemas' owner

    def books(organisation: Organisation) -> str:
        with unit_of_work(engine, organisation.id) as session:
            return export_book(session)

    def receipts(organisation: Organisation) -> Path:
        return organisation_folder(organisation.id)

    with _refused_on_domain_error(), unit_of_work(engine) as session:
        back_up_organisation(session, _server(engine), slug, books, receipts, file)
    click.echo(f"backed up {slug} to {file}")


@click.command("restore")
@click.argument("slug")
@click.argument("file", type=EXISTING_FILE)
@with_appcontext
def org_restore_command(slug: str, file: Path) -> None:
    """Restore one organisation's backup FILE as SLUG, which must not exist here yet."""
    engine = owner_engine()  # backups and restores run as the schemas' owner
    with _refused_on_domain_error():
        manifest = read_manifest(file, ORGANISATION)
        schema_name = str(manifest["schema_name"])
        with engine.connect() as connection:
            refuse_to_overwrite(connection, slug, schema_name)
        restore_dump(file, ORGANISATION, _server(engine))
        try:
            with unit_of_work(engine) as session:
                organisation_id = register_restored_organisation(session, file, manifest, slug)
        except BaseException:
            with engine.begin() as connection:
                discard_restored_schema(connection, schema_name)
            raise
        files = extract_files(file, organisation_folder(organisation_id))
    click.echo(f"restored {slug} with {files} files from {file}")
    _migrate()


def _server(engine: Engine) -> Server:
    with engine.connect() as connection:
        return server_of(connection, engine.url.render_as_string(hide_password=False))


def _instance_dir() -> Path:
    return Path(current_app.instance_path)


def _migrate() -> None:
    from app.cli import migrate_all

    migrate_all()


@contextmanager
def _refused_on_domain_error() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        click.echo(f"refused: {error}", err=True)
        sys.exit(1)
