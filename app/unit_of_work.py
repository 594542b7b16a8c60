"""The web request's unit of work: one commit or one rollback, here, for every request.

Views and the services they call never commit. When a view answers with a success or a
redirect (below 400), the request's session is committed before the answer leaves; any other
answer, and any exception, rolls it back. So a refused form (422), a missing object (404) or a
crash (500) leaves the database exactly as it was, and a lock a service took is held until its
write is committed.
"""

from __future__ import annotations

from flask import Flask, Response

from app.extensions import db


def init_app(app: Flask) -> None:
    app.after_request(_commit_or_roll_back)
    app.teardown_request(_roll_back_on_error)


def _commit_or_roll_back(response: Response) -> Response:
    session = db.session()
    if response.status_code < 400:
        session.commit()
    else:
        session.rollback()
    return response


def _roll_back_on_error(error: BaseException | None) -> None:
    if error is not None:
        db.session.rollback()
