"""The public tables of purchasing, as migrated, match the models exactly."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

import purchasing.models
from purchasing.models import PremiumTaxRate, PremiumTaxTreatment
from tenants.tables import PublicBase


def test_the_public_schema_made_by_the_migrations_matches_the_purchasing_models(engine):
    assert purchasing.models.Pool.__table__.schema == "public"
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "target_metadata": PublicBase.metadata,
                "compare_type": True,
                "include_schemas": True,
                "include_name": lambda name, kind, _parents: kind != "schema" or name == "public",
                "version_table_schema": "public",
            },
        )
        assert compare_metadata(context, PublicBase.metadata) == []


def test_the_migration_seeds_the_21_percent_rate_and_the_line_treatments(session):
    rate = session.scalar(
        select(PremiumTaxRate).where(PremiumTaxRate.valid_from == date(2013, 1, 1))
    )
    assert rate is not None and rate.percent == 21
    rows = session.execute(
        select(PremiumTaxTreatment.line, PremiumTaxTreatment.treatment).where(
            PremiumTaxTreatment.valid_from == date(2013, 1, 1)
        )
    )
    treatments = {line: treatment for line, treatment in rows}
    assert treatments == {
        "health": "exempt",
        "verzuim": "exempt",
        "avb": "taxed",
        "volunteers": "split",
        "directors": "taxed",
    }


def test_the_database_refuses_a_negative_minimum_premium(session):
    with pytest.raises(IntegrityError, match="minimum_premium_not_negative"):
        session.execute(
            text(
                "INSERT INTO public.collective_policies (insurer_id, policyholder_id, line, name,"
                " starts_on, ends_on, basis, minimum_premium)"
                " VALUES (1, 1, 'avb', 'x', '2026-01-01', '2026-12-31', 'flat', -1)"
            )
        )
