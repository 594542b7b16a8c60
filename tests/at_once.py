"""Test helpers for sends that arrive together, and for a database lost at the commit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, Response, request
from sqlalchemy import create_engine, make_url

from app import create_app
from app.extensions import db
from tests.conftest import TEST_CONFIG

Result = TypeVar("Result")


def at_once(count: int, action: Callable[[], Result]) -> list[Result | BaseException]:
    """Run ``action`` in ``count`` threads that start together; what each returned or raised.

    An exception is kept as the outcome, so a test sees a unique violation (the bug it guards
    against) next to the refusals it expects.
    """
    start = threading.Barrier(count)
    outcomes: list[Result | BaseException] = []

    def run() -> None:
        try:
            start.wait()
            outcomes.append(action())
        except BaseException as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@contextmanager
def losing_the_database_at_commit(
    database_url: str, redis_url: str, sent: Callable[[], bool]
) -> Iterator[tuple[Flask, list[int]]]:
    """The application, whose backend is terminated just before the commit of the first
    request for which ``sent()`` holds (read inside that request); yields the app and the
    terminated backends' pids."""
    admin = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url}
    )
    terminated: list[int] = []

    @app.after_request  # registered last, so it runs before the unit of work's commit
    def _terminate_the_backend_once(response: Response) -> Response:
        if sent() and not terminated:
            pid = db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with admin.connect() as connection:
                connection.exec_driver_sql("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})
            terminated.append(int(pid))
        return response

    try:
        yield app, terminated
    finally:
        with app.app_context():
            db.engine.dispose()
        admin.dispose()


def is_post_to(path_end: str) -> Callable[[], bool]:
    """``sent`` for ``losing_the_database_at_commit``: a POST whose path ends so."""
    return lambda: request.method == "POST" and request.path.endswith(path_end)
