"""``servicebureau backup`` / ``restore``: the whole instance comes back into an empty database
with equal books and receipts, on the machine's server and on the embedded one alike."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app import create_app
from app.cli import cli
from app.extensions import db
from tenants.databases import scratch_database
from tenants.migrations import upgrade_public
from tenants.provisioning import NewOrganisation, provision_organisation
from tests.ops.books import balances, fill_books, receipts

pytestmark = pytest.mark.servers  # CI runs this on the embedded servers too


def test_the_whole_instance_restored_into_an_empty_database_has_equal_books_and_receipts(
    database_url, redis_url, tmp_path, monkeypatch
):
    server = os.environ.get("DATABASE_URL") or database_url
    archive = tmp_path / "instance.sbbackup"
    with scratch_database(server, prefix="sb_backup") as source_url:
        source = _app(source_url, redis_url, tmp_path / "source", monkeypatch)
        with source.app_context():
            upgrade_public(db.engine)
            engine = db.engine
            with Session(engine) as session:
                tenant = provision_organisation(session, NewOrganisation("de-linde", "De Linde"))
            organisation_id = tenant.organisation_id
            fill_books(source, engine, organisation_id)
            before = balances(engine, organisation_id), receipts(source, engine, organisation_id)
            backed_up = source.test_cli_runner().invoke(cli, ["backup", str(archive)])
            assert backed_up.exit_code == 0, backed_up.output
            engine.dispose()

    with scratch_database(server, prefix="sb_restore") as target_url:
        target = _app(target_url, redis_url, tmp_path / "target", monkeypatch)
        with target.app_context():
            runner = target.test_cli_runner()
            restored = runner.invoke(cli, ["restore", str(archive)])
            assert restored.exit_code == 0, restored.output
            engine = db.engine
            after = balances(engine, organisation_id), receipts(target, engine, organisation_id)
            assert after == before
            again = runner.invoke(cli, ["restore", str(archive)])
            assert again.exit_code == 1
            assert "De database is niet leeg" in again.output
            engine.dispose()
    secret = "secret_key"  # signs sessions: never in a backup, each instance keeps its own
    assert (tmp_path / "target" / secret).read_text() != (tmp_path / "source" / secret).read_text()


def _app(database_url: str, redis_url: str, instance: Path, monkeypatch) -> Flask:
    monkeypatch.setenv("SB_INSTANCE_DIR", str(instance))
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url}
    )
