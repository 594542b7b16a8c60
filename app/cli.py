"""The ``servicebureau`` command: serve, worker, migrate, org and user management."""

from __future__ import annotations

import json
import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from app import create_app
from app.extensions import db
from ledger.errors import DomainError
from tenants.migrations import upgrade_public, upgrade_tenants
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, delete_organisation, provision_organisation
from tenants.queries import all_organisations, organisation_by_slug, user_by_email
from tenants.roles import Role


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """Servicebureau: books, collective insurance and invoicing for community organisations."""


def main() -> None:
    cli(prog_name="servicebureau")


@cli.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Upgrade the public schema, then every tenant schema behind head."""
    migrate_all()


def migrate_all() -> None:
    engine = db.engine
    upgrade_public(engine)
    report = upgrade_tenants(
        engine, on_progress=lambda slug, error: click.echo(f"  {slug}: {error or 'ok'}")
    )
    click.echo(
        f"public: at head; tenants: {len(report.upgraded)} upgraded, "
        f"{report.up_to_date} already at head, {len(report.failed)} failed"
    )
    for slug, error in report.failed.items():
        click.echo(f"FAILED {slug}: {error}", err=True)
    if not report.is_ok:
        raise SystemExit(1)


@cli.group("org")
def org_group() -> None:
    """Create, list and delete organisations."""


@org_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--kvk", "kvk_number", default=None, help="KvK number (8 digits).")
@click.option("--bureau", "is_bureau", is_flag=True, help="This is the bureau's own organisation.")
@with_appcontext
def org_create(slug: str, name: str, kvk_number: str | None, is_bureau: bool) -> None:
    """Create an organisation with its own schema and default chart of accounts."""
    new = NewOrganisation(slug=slug, name=name, kvk_number=kvk_number, is_bureau=is_bureau)
    _refuse_on_domain_error(lambda: provision_organisation(db.session(), new))
    click.echo(f"created {slug}")


@org_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def org_list(as_json: bool) -> None:
    """List every organisation with its schema and revision."""
    rows = [
        {
            "slug": o.slug,
            "name": o.name,
            "schema": o.schema_name,
            "revision": o.tenant_revision,
            "bureau": o.is_bureau,
        }
        for o in all_organisations(db.session())
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(
            f"{row['slug']:<24} {row['schema']:<16} {row['revision'] or '-':<6} {row['name']}"
        )


@org_group.command("delete")
@click.argument("slug")
@click.option("--confirm", "confirmation", required=True, help="Repeat the slug to confirm.")
@with_appcontext
def org_delete(slug: str, confirmation: str) -> None:
    """Delete an organisation and its books (export them first: keep books seven years)."""
    _refuse_on_domain_error(
        lambda: delete_organisation(db.session(), slug, confirmation=confirmation)
    )
    click.echo(f"deleted {slug}")


@cli.group("user")
def user_group() -> None:
    """Create users and give them roles."""


@user_group.command("create")
@click.argument("email")
@click.option("--org", "slug", default=None, help="Make the user a member of this organisation.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.OWNER.value)
@click.option("--bureau-admin", is_flag=True, help="Bureau staff: manage all organisations.")
@click.option("--name", default="", help="The person's name.")
@with_appcontext
def user_create(email: str, slug: str | None, role: str, bureau_admin: bool, name: str) -> None:
    """Create a user; the password comes from SB_PASSWORD or a prompt."""
    password = os.environ.get("SB_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    session = db.session()

    def create() -> None:
        user = user_by_email(session, email)
        if user is None:
            user = create_user(session, email, password, name=name, is_bureau_admin=bureau_admin)
        if slug is not None:
            organisation = organisation_by_slug(session, slug)
            if organisation is None:
                raise click.ClickException(f"no organisation {slug!r}")
            add_member(session, user.id, organisation.id, Role(role))

    _refuse_on_domain_error(create)
    click.echo(f"user {email} ready" + (f" as {role} of {slug}" if slug else ""))


def _refuse_on_domain_error(action: object) -> None:
    try:
        action()  # type: ignore[operator]
    except DomainError as error:
        click.echo(f"refused: {error}", err=True)
        sys.exit(1)
