"""``servicebureau org backup`` / ``org restore``: one organisation's books, people and receipts
come back equal, under a slug that is free; a restore never mixes with books already there."""

from __future__ import annotations

import shutil
import tarfile
from decimal import Decimal

import pytest

from app.cli import cli
from tenants.queries import membership_of, organisation_by_slug
from tenants.roles import Role
from tests.ops.books import BOOK, RECEIPT_PATH, balances, fill_books, folder_of, receipts


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


def test_an_organisation_deleted_after_its_backup_comes_back_with_equal_books_and_receipts(
    app, engine, session, run, make_org, make_user, tmp_path
):
    org = make_org(name="Stichting De Linde")
    treasurer = make_user(org=org, role=Role.OWNER)
    fill_books(app, engine, org.id)
    balances_before, receipts_before = balances(engine, org.id), receipts(app, engine, org.id)
    archive = tmp_path / "linde.sbbackup"

    backed_up = run("org", "backup", org.slug, "-o", str(archive))
    assert backed_up.exit_code == 0, backed_up.output
    with tarfile.open(archive) as contents:
        names = set(contents.getnames())
        books = contents.extractfile("books.beancount").read().decode()  # type: ignore[union-attr]
    assert {"manifest.json", "database.dump", "registry.json", f"files/{RECEIPT_PATH}"} <= names
    assert "Huur maart" in books and "Stichting" not in BOOK

    assert run("org", "delete", org.slug, "--confirm", org.slug).exit_code == 0
    shutil.rmtree(folder_of(app, org.id))
    restored = run("org", "restore", org.slug, str(archive))
    assert restored.exit_code == 0, restored.output

    again = organisation_by_slug(session, org.slug)
    assert again is not None and again.id != org.id and again.name == "Stichting De Linde"
    assert balances(engine, again.id) == balances_before
    assert balances_before["Assets:Bank"] == {"EUR": Decimal("1309.75")}
    assert receipts(app, engine, again.id) == receipts_before
    membership = membership_of(session, treasurer.id, again.id)
    assert membership is not None and membership.role == Role.OWNER


def test_a_restore_over_an_existing_slug_or_existing_books_is_refused_and_changes_nothing(
    app, engine, session, run, make_org, tmp_path
):
    org = make_org()
    fill_books(app, engine, org.id)
    archive = tmp_path / "org.sbbackup"
    assert run("org", "backup", org.slug, "-o", str(archive)).exit_code == 0

    same_slug = run("org", "restore", org.slug, str(archive))
    assert same_slug.exit_code == 1
    assert f"Organisatie {org.slug} bestaat al in deze installatie" in same_slug.output
    other_slug = run("org", "restore", f"{org.slug}-kopie", str(archive))
    assert other_slug.exit_code == 1
    assert f"staan al in deze installatie, bij organisatie {org.slug}" in other_slug.output
    assert organisation_by_slug(session, f"{org.slug}-kopie") is None
    assert balances(engine, org.id)["Assets:Bank"]


def test_a_file_that_is_no_organisation_backup_is_refused(run, tmp_path):
    not_a_backup = tmp_path / "books.beancount"
    not_a_backup.write_text(BOOK)
    refused = run("org", "restore", "nieuw-hier", str(not_a_backup))
    assert refused.exit_code == 1
    assert "books.beancount is geen back-up van de Servicebureau" in refused.output
