"""``servicebureau bank``: link bank accounts and import their statements from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from ledger.bank.accounts import DEFAULT_LEDGER_ACCOUNT, add_bank_account, normalised_iban
from ledger.bank.importing import import_statement
from ledger.bank.models import BankAccount
from ledger.bank.presets import PRESETS
from ledger.errors import DomainError
from tenants.binding import bind_session
from tenants.provisioning import tenant_ref
from tenants.queries import organisation_by_slug


@click.group("bank")
def bank_group() -> None:
    """Bank accounts and statements (CAMT.053, MT940, CSV)."""


@bank_group.command("add-account")
@click.argument("slug")
@click.argument("iban")
@click.option("--account", default=DEFAULT_LEDGER_ACCOUNT, show_default=True)
@click.option("--csv-preset", type=click.Choice(sorted(PRESETS)), default=None)
@with_appcontext
def bank_add_account(slug: str, iban: str, account: str, csv_preset: str | None) -> None:
    """Link IBAN to a ledger ACCOUNT of organisation SLUG."""
    session = _bound_session(slug)
    mapping = PRESETS[csv_preset] if csv_preset else None
    try:
        add_bank_account(session, iban, None, account=account, csv_mapping=mapping)
    except DomainError as error:
        click.echo(f"refused: {error}", err=True)
        sys.exit(1)
    click.echo(json.dumps({"iban": normalised_iban(iban), "account": account}))


@bank_group.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--iban", default=None, help="The bank account, for a CSV file that names none.")
@with_appcontext
def bank_import(slug: str, file: Path, iban: str | None) -> None:
    """Read a statement FILE into the inbox of organisation SLUG; last line is JSON."""
    session = _bound_session(slug)
    try:
        bank_account_id = _bank_account_id(session, iban) if iban else None
        result = import_statement(
            session,
            file.read_bytes(),
            None,
            filename=file.name,
            bank_account_id=bank_account_id,
        )
    except DomainError as error:
        click.echo(f"refused: {error}", err=True)
        click.echo(json.dumps({"refused": str(error)}))
        sys.exit(1)
    click.echo(json.dumps(result.to_json()))


def _bank_account_id(session: Session, iban: str) -> int:
    found = session.scalar(select(BankAccount.id).where(BankAccount.iban == normalised_iban(iban)))
    if found is None:
        raise click.ClickException(f"no bank account {iban!r}")
    return int(found)


def _bound_session(slug: str) -> Session:
    session = db.session()
    organisation = organisation_by_slug(session, slug)
    if organisation is None:
        raise click.ClickException(f"no organisation {slug!r}")
    tenant = tenant_ref(organisation)
    session.commit()
    bind_session(session, tenant)
    return session
