"""Tenant migrations: one tenant at a time, a failing one reported, schemas equal to the models."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tenants.binding import TenantRef, bind_session, route_connection
from tenants.migrations import (
    MIGRATIONS_DIR,
    tenant_head,
    tenant_metadata,
    tenants_behind,
    upgrade_tenants,
)
from tenants.models import Organisation
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.tables import PublicBase
from tests.tenancy.conftest import remove_every_organisation

EXTRA_REVISION = '''"""A note on every account (made by the test suite)."""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("note", sa.Text))


def downgrade() -> None:
    op.drop_column("accounts", "note")
'''


@pytest.fixture
def next_release(tmp_path: Path) -> Path:
    """The tenant stream as it is, plus one revision 0099 that adds ``accounts.note``."""
    location = tmp_path / "tenant"
    shutil.copytree(
        MIGRATIONS_DIR / "tenant", location, ignore=shutil.ignore_patterns("__pycache__")
    )
    revision = EXTRA_REVISION.format(down_revision=tenant_head())
    (location / "versions" / "0099_note.py").write_text(revision)
    return location


@pytest.fixture
def tenants(scratch_engine: Engine) -> Iterator[dict[str, str]]:
    """Three organisations at today's head in the scratch database: slug -> schema."""
    made = {}
    for slug in ("eerste", "tweede", "derde"):
        with Session(scratch_engine) as session:
            made[slug] = provision_organisation(
                session, NewOrganisation(slug=slug, name=slug.title())
            ).schema_name
    yield made
    remove_every_organisation(scratch_engine)


def revisions(engine: Engine) -> dict[str, str | None]:
    """Each organisation's recorded revision, by slug."""
    with engine.connect() as connection:
        rows = connection.execute(select(Organisation.slug, Organisation.tenant_revision))
        return {row.slug: row.tenant_revision for row in rows}


def schema_version(engine: Engine, schema: str) -> str:
    with engine.connect() as connection:
        return str(connection.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version')))


def note_type(engine: Engine, schema: str) -> str | None:
    with engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_schema = :schema AND table_name = 'accounts'"
                " AND column_name = 'note'"
            ),
            {"schema": schema},
        )


def test_a_failing_tenant_is_reported_and_the_others_are_upgraded(
    scratch_engine, tenants, next_release
):
    before = tenant_head()
    with scratch_engine.begin() as connection:
        connection.exec_driver_sql(f'ALTER TABLE "{tenants["tweede"]}".accounts ADD note integer')
    progress: list[tuple[str, str | None]] = []

    report = upgrade_tenants(
        scratch_engine,
        location=next_release,
        on_progress=lambda slug, error: progress.append((slug, error)),
    )

    assert report.upgraded == ["eerste", "derde"]
    assert list(report.failed) == ["tweede"]
    assert "note" in report.failed["tweede"]
    assert not report.is_ok
    assert [slug for slug, _error in progress] == ["eerste", "tweede", "derde"]
    assert revisions(scratch_engine) == {"eerste": "0099", "tweede": before, "derde": "0099"}
    assert schema_version(scratch_engine, tenants["eerste"]) == "0099"
    assert schema_version(scratch_engine, tenants["tweede"]) == before
    assert note_type(scratch_engine, tenants["derde"]) == "text"
    assert note_type(scratch_engine, tenants["tweede"]) == "integer"


def test_rerunning_after_the_cause_is_removed_upgrades_only_the_failed_tenant(
    scratch_engine, tenants, next_release
):
    with scratch_engine.begin() as connection:
        connection.exec_driver_sql(f'ALTER TABLE "{tenants["tweede"]}".accounts ADD note integer')
    upgrade_tenants(scratch_engine, location=next_release)

    again = upgrade_tenants(scratch_engine, location=next_release)
    assert (again.upgraded, list(again.failed), again.up_to_date) == ([], ["tweede"], 2)

    with scratch_engine.begin() as connection:
        connection.exec_driver_sql(f'ALTER TABLE "{tenants["tweede"]}".accounts DROP note')
    healed = upgrade_tenants(scratch_engine, location=next_release)
    assert (healed.upgraded, healed.failed, healed.up_to_date) == (["tweede"], {}, 2)
    assert set(revisions(scratch_engine).values()) == {"0099"}
    assert note_type(scratch_engine, tenants["tweede"]) == "text"

    settled = upgrade_tenants(scratch_engine, location=next_release)
    assert (settled.upgraded, settled.failed, settled.up_to_date) == ([], {}, 3)


def test_a_tenant_whose_table_is_locked_times_out_and_the_others_go_on(
    scratch_engine, tenants, next_release
):
    with scratch_engine.connect() as holder:
        holder.exec_driver_sql(f'LOCK TABLE "{tenants["derde"]}".accounts IN ACCESS EXCLUSIVE MODE')
        report = upgrade_tenants(scratch_engine, location=next_release, lock_timeout="200ms")
        holder.rollback()
    assert report.upgraded == ["eerste", "tweede"]
    assert "lock timeout" in report.failed["derde"]
    assert revisions(scratch_engine)["derde"] == tenant_head()

    retried = upgrade_tenants(scratch_engine, location=next_release, lock_timeout="200ms")
    assert retried.upgraded == ["derde"]


def test_tenants_behind_finds_exactly_the_tenants_not_at_head(scratch_engine, tenants):
    head = tenant_head()
    with scratch_engine.begin() as connection:
        assert tenants_behind(connection, head) == []
        connection.execute(
            update(Organisation).where(Organisation.slug == "eerste").values(tenant_revision="0001")
        )
        connection.execute(
            update(Organisation).where(Organisation.slug == "derde").values(tenant_revision=None)
        )
        behind = tenants_behind(connection, head)
    assert [(slug, schema) for _id, slug, schema in behind] == [
        ("eerste", tenants["eerste"]),
        ("derde", tenants["derde"]),
    ]


def test_an_unknown_lock_timeout_is_refused_before_any_tenant_is_touched(
    scratch_engine, tenants, next_release
):
    with pytest.raises(ValueError, match="lock timeout"):
        upgrade_tenants(
            scratch_engine, location=next_release, lock_timeout="1s'; DROP SCHEMA public; --"
        )
    assert set(revisions(scratch_engine).values()) == {tenant_head()}


def unplaced_tenant_metadata() -> MetaData:
    """The tenant tables without the placeholder schema, to compare with a routed connection."""
    unplaced = MetaData()
    for table in tenant_metadata().sorted_tables:
        table.to_metadata(unplaced, schema=None)
    return unplaced


def tenant_differences(connection: Connection, schema: str, metadata: MetaData) -> list[object]:
    """What autogenerate would change to make ``schema`` match ``metadata``."""
    route_connection(connection, schema)
    context = MigrationContext.configure(
        connection, opts={"target_metadata": metadata, "compare_type": True}
    )
    return list(compare_metadata(context, metadata))


def public_differences(connection: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "target_metadata": metadata,
            "compare_type": True,
            "include_schemas": True,
            "include_name": lambda name, kind, _parents: kind != "schema" or name == "public",
            "version_table_schema": "public",
        },
    )
    return list(compare_metadata(context, metadata))


def test_a_tenant_schema_made_by_the_migrations_matches_the_models(engine, make_org):
    org = make_org()
    with engine.begin() as connection:
        assert tenant_differences(connection, org.schema_name, unplaced_tenant_metadata()) == []


def test_the_tenant_comparison_notices_a_column_the_migrations_lack(engine, make_org):
    org = make_org()
    extended = unplaced_tenant_metadata()
    extended.tables["accounts"].append_column(sa.Column("not_migrated", sa.Integer))
    with engine.begin() as connection:
        differences = tenant_differences(connection, org.schema_name, extended)
    assert [difference[0] for difference in differences] == ["add_column"]  # type: ignore[index]


def test_the_public_schema_made_by_the_migrations_matches_the_models(engine):
    import tenants.models  # noqa: F401  (registers the public tables)

    with engine.begin() as connection:
        assert public_differences(connection, PublicBase.metadata) == []


NEW_TABLE_REVISION = '''"""A table of reminders (made by the test suite)."""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminders")
'''


def test_a_table_a_later_migration_makes_is_usable_by_the_tenants_own_role(
    scratch_engine, tenants, tmp_path
):
    location = tmp_path / "tenant"
    shutil.copytree(
        MIGRATIONS_DIR / "tenant", location, ignore=shutil.ignore_patterns("__pycache__")
    )
    revision = NEW_TABLE_REVISION.format(down_revision=tenant_head())
    (location / "versions" / "0099_reminders.py").write_text(revision)

    assert upgrade_tenants(scratch_engine, location=location).is_ok

    with scratch_engine.connect() as connection:
        organisation_id = connection.scalar(
            select(Organisation.id).where(Organisation.slug == "tweede")
        )
    with Session(scratch_engine) as session:
        bind_session(session, TenantRef(organisation_id, tenants["tweede"]))
        assert session.scalar(text("SELECT current_user")) == tenants["tweede"]
        session.execute(text("INSERT INTO reminders (text) VALUES ('bellen')"))
        assert session.scalar(text("SELECT text FROM reminders")) == "bellen"
