"""The web request's unit of work: one commit or one rollback, here, for every request.

Views and the services they call never commit. When a view answers with a success or a
redirect (below 400), the request's session is committed before the answer leaves; any other
answer, and any exception, rolls it back. So a refused form (422), a missing object (404) or a
crash (500) leaves the database exactly as it was, and a lock a service took is held until its
write is committed.

What must only happen once the request's work is committed (queueing a job that reads it,
posting the bookings of a payment just recorded) is handed to ``after_commit``. That is the
session's own hook (``tenants/unit_of_work.py``, the same one jobs and the CLI use), so it runs
after the commit and is dropped by a rollback; this module only adds what the web needs: the
request's session, and telling the person when Redis could not take the job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, flash
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
from app.outages import database_away
from tenants import unit_of_work

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.after_request(_commit_or_roll_back)
    app.teardown_request(_roll_back_on_error)


def after_commit(action: Callable[[], object]) -> None:
    """Run ``action`` once this request's work is committed; never if it is rolled back."""
    unit_of_work.after_commit(db.session(), lambda: _run_after_commit(action))


def _commit_or_roll_back(response: Response) -> Response:
    session = db.session()
    if response.status_code >= 400:
        _roll_back(session)
        return response
    try:
        session.commit()
    except (OperationalError, InterfaceError) as error:
        # The database went away between the view and the commit (a restart, a failover), and
        # the commit failed: the person is told so as any request that finds the database away
        # is, not with an error page (this hook runs outside the error handlers, which see only
        # what the view and the hooks before it raise). Nothing was saved, but in the moment
        # between the server writing a commit and answering it, which no client can tell apart.
        return database_away(error)
    return response


def _roll_back(session: Session) -> None:
    """Roll back; with the database gone even that fails, and closing the session suffices."""
    try:
        session.rollback()
    except (OperationalError, InterfaceError):
        session.close()


def _run_after_commit(action: Callable[[], object]) -> None:
    """Queue what follows the commit; with Redis away, the work is kept and the person told.

    What such an action queues can be started again from its page (a run, a validation) or is
    picked up by the scheduler (the booking outbox), so nothing is lost by skipping it now.
    """
    try:
        action()
    except RedisError:
        log.warning("after the commit, a job could not be queued: Redis is unreachable")
        flash(
            _(
                "Opgeslagen. De achtergrondtaak die hierop volgt kon nu niet worden gestart; "
                "probeer het straks opnieuw. Er gaat niets verloren."
            ),
            "error",
        )


def _roll_back_on_error(error: BaseException | None) -> None:
    if error is not None:
        _roll_back(db.session())
