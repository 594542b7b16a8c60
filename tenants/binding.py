"""Bind a SQLAlchemy session to one organisation's schema, once per transaction.

Every transaction a bound session begins gets, on its connection:
``schema_translate_map={"tenant": <schema>}`` (ORM and Core statements, flushes included) and
``SET LOCAL search_path`` (``text()`` SQL and migrations) and ``SET LOCAL ROLE`` to the tenant's
own database role (see ``tenants.db_roles``). ``SET LOCAL`` ends with the transaction, so nothing
survives into the next use of a pooled connection. Before routing, the hook reads the schema's
marker row and refuses to go on if it belongs to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Select, String, bindparam, event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from ledger.errors import message
from ledger.tables import PLACEHOLDER_SCHEMA
from tenants.db_roles import tenant_role
from tenants.errors import TenantBindingError
from tenants.marker import TenantMarker
from tenants.models import Organisation
from tenants.queries import MemberOrganisation

_INFO_KEY = "servicebureau.tenant"


@dataclass(frozen=True, slots=True)
class TenantRef:
    """What a session needs to know to reach one organisation's schema."""

    organisation_id: int
    schema_name: str


def tenant_ref(organisation: Organisation | MemberOrganisation) -> TenantRef:
    """What binding needs to know of an organisation."""
    return TenantRef(organisation_id=organisation.id, schema_name=organisation.schema_name)


def bind_session(session: Session, tenant: TenantRef) -> None:
    """Route this session's tenant tables to ``tenant`` from now on.

    If a transaction is already open, the binding is applied to it at once; every later
    transaction is bound as it begins. Rebinding to another tenant mid-transaction is refused.
    """
    current = bound_tenant(session)
    if current is not None and current != tenant and session.in_transaction():
        raise TenantBindingError(message("Deze sessie hoort al bij een andere organisatie."))
    if session.in_nested_transaction():
        raise TenantBindingError(
            message("Binden binnen een savepoint kan niet: een rollback zou het ongedaan maken.")
        )
    if session.in_transaction():
        _apply(session.connection(), tenant)
    session.info[_INFO_KEY] = tenant


def bound_tenant(session: Session) -> TenantRef | None:
    """The organisation this session is bound to, if any."""
    tenant = session.info.get(_INFO_KEY)
    return tenant if isinstance(tenant, TenantRef) else None


def unbind_session(session: Session) -> None:
    """Forget the binding; only between transactions, so no half-bound transaction exists."""
    if session.in_transaction():
        raise TenantBindingError(message("Sluit eerst de transactie af."))
    session.info.pop(_INFO_KEY, None)


@event.listens_for(Session, "after_begin")
def _bind_new_transaction(
    session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    # A savepoint inherits its transaction's binding. Routing it again would put a ``SET LOCAL``
    # inside the savepoint, and rolling the savepoint back would undo it.
    tenant = bound_tenant(session)
    if tenant is not None and not transaction.nested:
        _apply(connection, tenant)


def apply_to_connection(connection: Connection, tenant: TenantRef) -> None:
    """Bind a Core connection's current transaction (for jobs and migrations without a Session)."""
    _apply(connection, tenant)


def route_connection(connection: Connection, schema_name: str) -> None:
    """Point this connection's current transaction at ``schema_name``, without any check.

    Only for provisioning and migrations, which work on a schema before its marker exists.
    """
    connection.execution_options(schema_translate_map={PLACEHOLDER_SCHEMA: schema_name})
    quoted = connection.dialect.identifier_preparer.quote_identifier(schema_name)
    connection.exec_driver_sql(f"SET LOCAL search_path TO {quoted}")


def _route_statement() -> Select[str, str]:
    marker = TenantMarker.__table__
    return (
        select(
            func.set_config("search_path", bindparam("path", type_=String), True),
            func.set_config("role", bindparam("role", type_=String), True),
        )
        .select_from(marker)
        .where(
            marker.c.organisation_id == bindparam("organisation_id"),
            marker.c.schema_name == bindparam("schema_name"),
        )
    )


# Built once: every request and job that binds a session runs it.
_ROUTE = _route_statement()


def _apply(connection: Connection, tenant: TenantRef) -> None:
    # One round trip. The marker is read schema-qualified, and only a marker row that is this
    # tenant's routes the transaction: ``set_config(..., true)`` is ``SET LOCAL``, evaluated
    # for the rows that pass the WHERE clause alone. When the marker is anyone else's, no row
    # comes back and the connection stays unrouted. (SQLAlchemy keeps a connection in the
    # session even when this hook raises, so a routed one would serve the next query of the
    # transaction.)
    # Quoted only when it must be, so the setting reads as ``SET search_path`` leaves it.
    quoted = connection.dialect.identifier_preparer.quote(tenant.schema_name)
    routed = connection.execute(
        _ROUTE,
        {
            "path": quoted,
            "role": tenant_role(tenant.schema_name),
            "organisation_id": tenant.organisation_id,
            "schema_name": tenant.schema_name,
        },
        execution_options={"schema_translate_map": {PLACEHOLDER_SCHEMA: tenant.schema_name}},
    ).first()
    if routed is None:
        raise TenantBindingError(
            message("Schema %(schema)s hoort niet bij organisatie %(organisation)s."),
            schema=tenant.schema_name,
            organisation=tenant.organisation_id,
        )
    connection.execution_options(schema_translate_map={PLACEHOLDER_SCHEMA: tenant.schema_name})
