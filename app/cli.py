"""The ``servicebureau`` command: serve, worker, migrate, org and user management."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, pass_script_info, with_appcontext

from app import create_app
from app.commands import in_unit_of_work
from app.extensions import db
from app.schema_owner import owner_engine, owner_session
from ledger.errors import DomainError
from tenants.migrations import upgrade_public, upgrade_tenants
from tenants.models import Organisation, User
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, delete_organisation, provision_organisation
from tenants.queries import all_organisations, organisation_by_slug, user_by_email
from tenants.roles import Role
from workers.settings import MissingPublicUrl, require_public_url


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """Servicebureau: books, collective insurance and invoicing for community organisations."""


def main() -> None:
    cli(prog_name="servicebureau")


log = logging.getLogger(__name__)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--demo", is_flag=True, help="Fill an empty instance with demo organisations.")
@pass_script_info
def serve_command(info: ScriptInfo, host: str, port: int, demo: bool) -> None:
    """Run for development or a demo: migrate, start a worker and the scheduler, serve HTTP.

    Uses the embedded PostgreSQL and Redis in the instance folder unless DATABASE_URL and
    REDIS_URL are set. For production use gunicorn (wsgi:app) and separate workers.
    """
    from werkzeug.serving import run_simple

    from workers.embedded import stop_embedded_servers
    from workers.process import start_worker_process, stop_worker_process
    from workers.scheduler import start_scheduler_process

    app = info.load_app()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        _public_url_for(app, host, port)
        with app.app_context():
            migrate_all()
            if demo:
                _install_demo()
        _allow_plain_http_on_loopback(app, host)
        click.echo(f"database: {_masked(app.config['SQLALCHEMY_DATABASE_URI'])}")
        click.echo(f"redis: {_masked(app.config['REDIS_URL'])}")
        worker = start_worker_process(_service_environment(app))
        scheduler = start_scheduler_process(_service_environment(app))
        try:
            run_simple(host, port, app, threaded=True, use_reloader=False)
        finally:
            stop_worker_process(scheduler)
            stop_worker_process(worker)
    finally:
        stop_embedded_servers()


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--heartbeat",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    envvar="SB_WORKER_HEARTBEAT_SECONDS",
    help="Seconds between a working worker's beats; a job is found abandoned three beats "
    "after its worker's last.",
)
def worker_command(burst: bool, heartbeat: int) -> None:
    """Run an rq worker on every queue, on DATABASE_URL and REDIS_URL (embedded without them).

    The worker builds what its jobs need from the environment, without the web application.
    """
    from workers.runtime import runtime_from_env
    from workers.worker import run_worker

    run_worker(runtime_from_env(), burst=burst, heartbeat_seconds=heartbeat)


@cli.command("scheduler")
def scheduler_command() -> None:
    """Enqueue the periodic jobs (reminders, booking outbox) on REDIS_URL; run exactly one."""
    from workers.queues import redis_connection
    from workers.runtime import runtime_from_env
    from workers.scheduler import run_scheduler

    job_runtime = runtime_from_env()
    run_scheduler(redis_connection(job_runtime.redis_url), job_runtime.log_level)


def _install_demo() -> None:
    from app.demo import install_demo
    from ledger.clock import today

    bank_dir = Path(current_app.instance_path) / "demo-bank"
    for line in install_demo(db.engine, today(), bank_dir):
        click.echo(line)


def _allow_plain_http_on_loopback(app: Flask, host: str) -> None:
    """Secure cookies never travel over plain http: drop the flag only for this machine."""
    if host in LOOPBACK_HOSTS:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
        log.info("plain http on %s: session cookies sent without the Secure flag", host)
    elif app.config["SESSION_COOKIE_SECURE"]:
        log.warning("cookies are Secure: log in through https (a proxy) or on 127.0.0.1")


def _public_url_for(app: Flask, host: str, port: int) -> None:
    """On this machine, e-mail links point at this server; anywhere else ``SB_PUBLIC_URL``
    must say where people reach it (``serve`` on a public address is a production start)."""
    if host in LOOPBACK_HOSTS:
        if app.config["SB_SETTINGS"].public_url is None:
            address = f"[{host}]" if ":" in host else host
            app.config["PUBLIC_URL"] = f"http://{address}:{port}"
        return
    try:
        require_public_url(app.config)
    except MissingPublicUrl as error:
        raise click.UsageError(str(error)) from error


def _service_environment(app: Flask) -> dict[str, str]:
    """The settings a child process needs to join this process's database and Redis."""
    return {
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "REDIS_URL": str(app.config["REDIS_URL"]),
        "SB_INSTANCE_DIR": str(app.instance_path),
    }


def _masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into a normal exit, so the worker and embedded servers are stopped."""
    raise SystemExit(0)


@cli.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Upgrade the public schema, then every tenant schema behind head."""
    migrate_all()


def migrate_all() -> None:
    engine = owner_engine()  # SB_MIGRATIONS_DATABASE_URL when set (app/schema_owner.py)
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
@in_unit_of_work
def org_create(slug: str, name: str, kvk_number: str | None, is_bureau: bool) -> None:
    """Create an organisation with its own schema and default chart of accounts."""
    new = NewOrganisation(slug=slug, name=name, kvk_number=kvk_number, is_bureau=is_bureau)
    with owner_session() as session:
        _refuse_on_domain_error(lambda: provision_organisation(session, new))
    click.echo(f"created {slug}")


@org_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@in_unit_of_work
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
@in_unit_of_work
def org_delete(slug: str, confirmation: str) -> None:
    """Delete an organisation and its books (export them first: keep books seven years)."""
    with owner_session() as session:
        _refuse_on_domain_error(
            lambda: delete_organisation(session, slug, confirmation=confirmation)
        )
    click.echo(f"deleted {slug}")


@cli.group("user")
def user_group() -> None:
    """Create users and give them roles."""


@user_group.command("create")
@click.argument("email")
@click.option("--org", "slug", default=None, help="Make the user a member of this organisation.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=None,
    help="The user's role in --org (default: owner).",
)
@click.option("--bureau-admin", is_flag=True, help="Bureau staff: manage all organisations.")
@click.option("--name", default="", help="The person's name.")
@in_unit_of_work
def user_create(
    email: str, slug: str | None, role: str | None, bureau_admin: bool, name: str
) -> None:
    """Create a user; the password comes from SB_PASSWORD or a prompt.

    For an e-mail that already has an account, only --org (with --role) works: it gives that
    account a role and leaves its password, name and bureau staff rights as they are.
    """
    if role is not None and slug is None:
        raise click.UsageError("--role needs --org: the organisation the role is in")
    session = db.session()
    organisation = organisation_by_slug(session, slug) if slug is not None else None
    if slug is not None and organisation is None:
        raise click.ClickException(f"no organisation {slug!r}")
    chosen_role = Role(role or Role.OWNER.value)
    existing = user_by_email(session, email)
    if existing is not None:
        _refuse_changes_to_an_existing_user(existing, organisation, bureau_admin, name)
        assert organisation is not None
        _refuse_on_domain_error(
            lambda: add_member(session, existing.id, organisation.id, chosen_role)
        )
        click.echo(
            f"user {existing.email} already had an account (password unchanged);"
            f" now {chosen_role} of {slug}"
        )
        return
    password = os.environ.get("SB_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )

    def create() -> None:
        user = create_user(session, email, password, name=name, is_bureau_admin=bureau_admin)
        if organisation is not None:
            add_member(session, user.id, organisation.id, chosen_role)

    _refuse_on_domain_error(create)
    staff = " (bureau staff)" if bureau_admin else ""
    click.echo(f"created user {email}{staff}" + (f" as {chosen_role} of {slug}" if slug else ""))


def _refuse_changes_to_an_existing_user(
    user: User, organisation: Organisation | None, bureau_admin: bool, name: str
) -> None:
    """``user create`` never silently ignores what it was asked: it refuses instead."""
    if bureau_admin and not user.is_bureau_admin:
        raise click.ClickException(
            f"{user.email} already has an account; user create does not make an existing"
            " account bureau staff"
        )
    if name and name.strip() != user.name:
        raise click.ClickException(
            f"{user.email} already has an account; user create does not rename it"
        )
    if organisation is None:
        raise click.ClickException(
            f"{user.email} already has an account; add --org SLUG [--role ROLE] to give it a role"
        )


def _refuse_on_domain_error(action: object) -> None:
    try:
        action()  # type: ignore[operator]
    except DomainError as error:
        click.echo(f"refused: {error}", err=True)
        sys.exit(1)


from app.ledger_cli import ledger_group  # noqa: E402  (the ledger's own commands)

cli.add_command(ledger_group)
from app.bank_cli import bank_group  # noqa: E402  (bank statements)

cli.add_command(bank_group)
from app.releases_cli import releases_group  # noqa: E402  (releases of deferrals)

cli.add_command(releases_group)
from app.backup_cli import (  # noqa: E402  (backups and restores)
    backup_command,
    org_backup_command,
    org_restore_command,
    restore_command,
)

cli.add_command(backup_command)
cli.add_command(restore_command)
org_group.add_command(org_backup_command)
org_group.add_command(org_restore_command)


if __name__ == "__main__":
    main()


@user_group.command("deactivate")
@click.argument("email")
@with_appcontext
def user_deactivate(email: str) -> None:
    """Refuse this person any further login and end every session they have, at once."""
    from datetime import UTC, datetime

    from tenants.access_changes import deactivate_user
    from tenants.unit_of_work import unit_of_work

    with unit_of_work(db.engine) as session:
        user = user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"no user {email!r}")
        deactivate_user(session, user.id, None, datetime.now(UTC))
    click.echo(f"deactivated {email}; their sessions have ended")
