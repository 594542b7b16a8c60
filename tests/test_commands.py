"""The unit of work of a CLI command: committed when it ends, rolled back when it fails."""

from __future__ import annotations

import secrets

import click
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.commands import in_unit_of_work
from app.extensions import db
from tenants.people import create_user
from tenants.queries import user_by_email
from tests.conftest import PASSWORD


@click.command()
@click.argument("email")
@click.option("--fail", is_flag=True)
@in_unit_of_work
def make_user_command(email: str, fail: bool) -> None:
    create_user(db.session(), email, PASSWORD)
    if fail:
        raise click.ClickException("refused after writing")


def exists(engine: Engine, email: str) -> bool:
    with Session(engine) as session:
        return user_by_email(session, email) is not None


def test_what_a_command_wrote_is_committed_when_it_ends(app: Flask, engine: Engine) -> None:
    email = f"cli-{secrets.token_hex(4)}@example.org"

    result = app.test_cli_runner().invoke(make_user_command, [email])

    assert result.exit_code == 0, result.output
    assert exists(engine, email)


def test_a_command_that_fails_after_writing_leaves_nothing(app: Flask, engine: Engine) -> None:
    email = f"cli-{secrets.token_hex(4)}@example.org"

    result = app.test_cli_runner().invoke(make_user_command, [email, "--fail"])

    assert result.exit_code == 1
    assert "refused after writing" in result.output
    assert not exists(engine, email)
