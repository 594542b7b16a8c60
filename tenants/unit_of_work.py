"""The unit of work of a job or a CLI command: one session, bound once, committed once.

Domain functions take a session and never commit or roll back; the code at the edge opens a
unit of work around them. It commits when the block ends normally and rolls back on any error,
so a job killed or failing half-way leaves nothing half-written. This module is the one place
outside provisioning and migrations that ends a transaction (web requests have theirs in
``app/unit_of_work.py``, over Flask-SQLAlchemy's session).

``bind_to_organisation`` is the one place that turns an organisation id into a bound session,
for the CLI and for jobs alike. ``after_commit`` lets the code at any edge queue a job that
reads what this unit of work wrote only once it is there to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction

from ledger.errors import message
from tenants.binding import TenantRef, bind_session, tenant_ref
from tenants.errors import OrganisationNotFound
from tenants.models import Organisation

_AFTER_COMMIT = "servicebureau.after_commit"


def bind_to_organisation(
    session: Session, organisation: Organisation | TenantRef | int
) -> TenantRef:
    """Bind ``session`` to one organisation's books, from its next transaction on.

    An id is looked up in the registry, in a transaction of its own, which is then ended
    (nothing was written), so the transaction that does the work begins bound. A caller that
    read the organisation's ``TenantRef`` already (with the row it works on) saves that read;
    binding checks it against the schema's marker either way.
    """
    if isinstance(organisation, TenantRef):
        tenant = organisation
    elif isinstance(organisation, int):
        found = session.get(Organisation, organisation)
        if found is None:
            session.rollback()
            raise OrganisationNotFound(
                message("Organisatie %(organisation)s bestaat niet."), organisation=organisation
            )
        tenant = tenant_ref(found)
    else:
        tenant = tenant_ref(organisation)
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("bind before writing: this session holds unsaved changes")
    session.rollback()
    bind_session(session, tenant)
    return tenant


@contextmanager
def unit_of_work(
    engine: Engine, organisation: Organisation | TenantRef | int | None = None
) -> Iterator[Session]:
    """A session for one job or command; bound to ``organisation`` when one is named.

    Commits when the block ends, rolls back if it raises; closed either way.
    """
    with Session(engine, expire_on_commit=False) as session:
        if organisation is not None:
            bind_to_organisation(session, organisation)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def after_commit(session: Session, callback: Callable[[], object]) -> None:
    """Call ``callback`` once the work now in ``session`` is committed; never if it rolls back.

    For what must not happen before the data is there: a job queued to read what this unit
    of work wrote would otherwise run against the state before it.
    """
    if not session.in_transaction():
        # Begun now, so that a rollback before any query still ends it and forgets the callback.
        session.begin()
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it is not committed yet
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    # Runs after ``after_commit`` when the transaction committed, so only the callbacks of a
    # transaction that ended without committing are left to forget.
    if transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)
