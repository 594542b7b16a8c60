"""Create and delete organisations: schema, tables, marker and chart of accounts as one step.

PostgreSQL DDL is transactional, so the whole of provisioning runs in one transaction: the
registry row, ``CREATE SCHEMA`` and its tables (the tenant migrations' template), the marker,
the chart of accounts and the owner's membership. Any failure rolls all of it back and leaves
nothing behind.

That is why this module, unlike the rest of the domain, commits and rolls back itself:
creating (or dropping) a schema is a transaction of its own, which binds the session to the
new schema part-way and must not be mixed into a caller's unit of work. Call it with a session
that holds no unsaved work (``tests/test_unit_of_work.py`` lists it as an exception).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ledger.accounts import install_chart
from ledger.chart import ChartAccount, default_chart
from ledger.clock import today
from ledger.errors import message
from tenants.binding import TenantRef, bind_session, bound_tenant, tenant_ref, unbind_session
from tenants.db_roles import drop_tenant_role
from tenants.errors import (
    InvalidOrganisation,
    OrganisationInUse,
    OrganisationNotFound,
    ProvisioningFailed,
    TenantBindingError,
)
from tenants.marker import TenantMarker
from tenants.migrations import create_tenant_schema, tenant_head
from tenants.models import SLUG_PATTERN, LegalForm, Membership, Organisation
from tenants.queries import organisation_by_slug
from tenants.roles import Role

_SLUG_CONSTRAINT = "uq_organisations_slug"
RESERVED_SLUGS = frozenset({"admin", "api", "bureau", "login", "logout", "static", "new"})


@dataclass(frozen=True, slots=True)
class NewOrganisation:
    """What provisioning needs to know about an organisation."""

    slug: str
    name: str
    is_bureau: bool = False
    legal_form: str | None = None
    kvk_number: str | None = None


def provision_organisation(
    session: Session,
    new: NewOrganisation,
    *,
    owner_id: int | None = None,
    chart: Iterable[ChartAccount] | None = None,
    books_open_on: date | None = None,
) -> TenantRef:
    """Create an organisation with its own schema and books; commits, or leaves nothing."""
    _check(session, new)
    if bound_tenant(session) is not None:
        raise TenantBindingError(message("Maak een organisatie aan met een ongebonden sessie."))
    try:
        organisation = Organisation(
            slug=new.slug,
            name=new.name.strip(),
            schema_name=f"org_{secrets.token_hex(5)}",
            is_bureau=new.is_bureau,
            legal_form=new.legal_form,
            kvk_number=new.kvk_number,
            tenant_revision=tenant_head(),
        )
        session.add(organisation)
        session.flush()
        tenant = tenant_ref(organisation)
        create_tenant_schema(session.connection(), tenant.schema_name)
        session.execute(
            insert(TenantMarker).values(
                singleton=True,
                organisation_id=tenant.organisation_id,
                schema_name=tenant.schema_name,
            )
        )
        if owner_id is not None:
            session.add(
                Membership(user_id=owner_id, organisation_id=organisation.id, role=Role.OWNER)
            )
        # Flushed before binding: the tenant's role may not write memberships (tenants.db_roles).
        session.flush()
        bind_session(session, tenant)
        opened_on = books_open_on or date(today().year, 1, 1)
        install_chart(session, default_chart() if chart is None else chart, opened_on)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if _violated_constraint(error) == _SLUG_CONSTRAINT:
            # Someone provisioned the same slug between our check and our commit.
            raise _slug_in_use(new.slug) from error
        raise _failed(new.slug, error) from error
    except SQLAlchemyError as error:
        session.rollback()
        raise _failed(new.slug, error) from error
    except BaseException:
        session.rollback()
        raise
    finally:
        if not session.in_transaction():
            unbind_session(session)
    return tenant


def _failed(slug: str, error: SQLAlchemyError) -> ProvisioningFailed:
    return ProvisioningFailed(
        message("%(slug)s kon niet worden aangemaakt: %(reason)s."),
        slug=slug,
        reason=str(getattr(error, "orig", None) or error).splitlines()[0],
    )


def _violated_constraint(error: IntegrityError) -> str | None:
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


def _slug_in_use(slug: str) -> InvalidOrganisation:
    return InvalidOrganisation(
        message("De korte naam %(slug)s is al in gebruik."), field="slug", slug=slug
    )


def delete_organisation(session: Session, slug: str, *, confirmation: str) -> None:
    """Drop an organisation's schema and registry row; explicit and guarded.

    Books must be kept for seven years: export them before deleting. ``confirmation`` must
    repeat the slug, the bureau's own organisation cannot be deleted, and neither can one the
    bureau still keeps records of (``OrganisationInUse``).
    """
    organisation = organisation_by_slug(session, slug)
    if organisation is None:
        raise OrganisationNotFound(message("Organisatie %(slug)s bestaat niet."), slug=slug)
    if confirmation != slug:
        raise InvalidOrganisation(message("Typ de korte naam van de organisatie om te bevestigen."))
    if organisation.is_bureau:
        raise InvalidOrganisation(message("De eigen organisatie van het bureau kan niet weg."))
    kept = records_kept_for(session, organisation.id)
    if kept:
        raise _in_use(slug, kept)
    try:
        # The registry row first: a record added since the check makes this fail, not the drop.
        session.execute(delete(Organisation).where(Organisation.id == organisation.id))
        connection = session.connection()
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{organisation.schema_name}" CASCADE')
        drop_tenant_role(connection, organisation.schema_name)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        table = getattr(getattr(error.orig, "diag", None), "table_name", None)
        raise _in_use(slug, [table or "?"]) from error
    except BaseException:
        session.rollback()
        raise


# Foreign keys into the registry that neither cascade nor clear on delete: the rows behind them
# (invoices, pool enrolments, subscriptions, payments) are records the bureau must keep.
_KEEPING_REFERENCES = text(
    """
    SELECT table_.relname,
           quote_ident(schema_.nspname) || '.' || quote_ident(table_.relname),
           quote_ident(column_.attname)
    FROM pg_constraint AS constraint_
    JOIN pg_class AS table_ ON table_.oid = constraint_.conrelid
    JOIN pg_namespace AS schema_ ON schema_.oid = table_.relnamespace
    JOIN pg_attribute AS column_
      ON column_.attrelid = constraint_.conrelid AND column_.attnum = constraint_.conkey[1]
    WHERE constraint_.contype = 'f'
      AND constraint_.confrelid = 'public.organisations'::regclass
      AND constraint_.confdeltype IN ('a', 'r')
      AND cardinality(constraint_.conkey) = 1
    ORDER BY 1, 3
    """
)


def records_kept_for(session: Session, organisation_id: int) -> list[str]:
    """The shared tables holding records of the organisation that deleting it would orphan.

    Read from the database's own foreign keys, so a table added by any part of the project
    is covered without this module knowing it.
    """
    kept = []
    for table, quoted_table, quoted_column in session.execute(_KEEPING_REFERENCES):
        # The names come from the catalog, quoted there: nothing in this SQL is user input.
        sql = f"SELECT EXISTS (SELECT 1 FROM {quoted_table} WHERE {quoted_column} = :id)"  # noqa: S608
        if session.scalar(text(sql), {"id": organisation_id}) and table not in kept:
            kept.append(table)
    return kept


def _in_use(slug: str, tables: list[str]) -> OrganisationInUse:
    return OrganisationInUse(
        message(
            "%(slug)s kan niet worden verwijderd: het bureau bewaart er nog gegevens van"
            " (%(records)s), zoals facturen, deelnames aan pools of lidmaatschappen, en die"
            " blijven bewaard (facturen zeven jaar). Beëindig de deelnames en het lidmaatschap"
            " en laat de organisatie staan; alleen een organisatie zonder zulke gegevens kan weg."
        ),
        slug=slug,
        records=", ".join(tables),
    )


def _check(session: Session, new: NewOrganisation) -> None:
    if not re.fullmatch(SLUG_PATTERN, new.slug) or new.slug in RESERVED_SLUGS:
        raise InvalidOrganisation(
            message(
                "Een korte naam heeft 2 tot 48 kleine letters, cijfers of streepjes"
                " en is geen gereserveerd woord."
            ),
            field="slug",
        )
    if not new.name.strip():
        raise InvalidOrganisation(message("Een organisatie heeft een naam nodig."), field="name")
    if new.kvk_number is not None and not re.fullmatch(r"\d{8}", new.kvk_number):
        raise InvalidOrganisation(message("Een KvK-nummer heeft 8 cijfers."), field="kvk_number")
    if new.legal_form is not None and new.legal_form not in tuple(LegalForm):
        raise InvalidOrganisation(message("Kies een rechtsvorm uit de lijst."), field="legal_form")
    if organisation_by_slug(session, new.slug) is not None:
        raise _slug_in_use(new.slug)
