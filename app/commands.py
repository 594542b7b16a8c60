"""The unit of work of a CLI command: one commit when the command ends, one rollback if it fails.

A command decorated with ``in_unit_of_work`` runs in the application context on
Flask-SQLAlchemy's session; the services it calls never commit, so everything it did is
committed once at the end, and an exception (a refusal's ``sys.exit(1)`` and Click's errors
included) rolls all of it back. A command that returns a number ends with it as its exit
status, after the commit (``ledger validate --wait`` keeps the findings it stored and still
fails). ``bound_session`` binds that session to one organisation through
``tenants.unit_of_work.bind_to_organisation``, as jobs are bound.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from app.extensions import db
from ledger.errors import message
from tenants.errors import OrganisationNotFound
from tenants.queries import organisation_by_slug
from tenants.unit_of_work import bind_to_organisation

P = ParamSpec("P")
R = TypeVar("R")


def in_unit_of_work(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` as one unit of work: committed when it returns, rolled back if it raises."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = db.session()
        try:
            result = command(*args, **kwargs)
        except BaseException:
            session.rollback()
            raise
        session.commit()
        if isinstance(result, int) and result:
            sys.exit(result)
        return result

    return with_appcontext(run)


def bound_session(slug: str) -> Session:
    """The command's session, bound to organisation ``slug``; ``OrganisationNotFound`` if none.

    Bind before the command writes anything: binding begins the transaction that does the work.
    """
    session = db.session()
    organisation = organisation_by_slug(session, slug)
    if organisation is None:
        raise OrganisationNotFound(message("Organisatie %(slug)s bestaat niet."), slug=slug)
    bind_to_organisation(session, organisation)
    return session
