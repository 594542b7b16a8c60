"""Structured logs: every line one JSON object; one line per request with its id and outcome.

Every log record (ours through ``structlog``, and the libraries' through the standard
``logging`` module, rq's worker included) leaves the process as one JSON object on standard
error, with the context bound for the request or job it belongs to: a web request carries
``request_id``, and its closing ``request`` line adds the user, organisation, route, status and
duration. The request id comes from the ``X-Request-ID`` header a proxy set (when it looks like
an id) or is made here, and is echoed in the response, so a complaint can be found in the log.
Set ``SB_LOG_FORMAT=console`` for lines meant for a person at a terminal.

Our own lines take structlog's own path (its bound logger renders the line and writes it), not
the standard library's: a request line through ``logging`` cost about three times as much (its
record, caller lookup, handler and formatter), 2% of a worker's CPU under the load benchmark.
Both paths end in the same renderer and on the same standard error.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import threading
import time
import uuid
from typing import Any

import structlog
from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy sends (a UUID, a hex token); anything else could forge log lines and is replaced.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

log = structlog.get_logger("app.requests")

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="at"),
]


def _under_threshold(logger: Any, method_name: str, event_dict: Any) -> Any:
    """Drop our line when the root logger's level (``configure_logging``) is above it: one
    threshold for both paths, read when a line is written, not when a logger was first used."""
    if structlog.processors.NAME_TO_LEVEL[method_name] < logging.root.level:
        raise structlog.DropEvent
    return event_dict


# Our lines: the same fields (``add_logger_name`` reads the ``name`` of our ``_StandardError``).
_OURS: list[Any] = [_under_threshold, *_SHARED, structlog.processors.format_exc_info]


class _StandardError:
    """structlog's logger of our lines: each rendered line to standard error, whole.

    Like ``_OurHandler``, it writes to whatever ``sys.stderr`` is when a line is written. A lock
    keeps the lines of a threaded worker's requests from running into each other; a forked
    child (a gunicorn worker, an rq job) starts with a new one, as ``logging`` does for its own.
    """

    _lock = threading.Lock()

    @classmethod
    def new_lock(cls) -> None:
        cls._lock = threading.Lock()

    def __init__(self, name: str) -> None:
        self.name = name

    def msg(self, message: str) -> None:
        with self._lock:
            stream = sys.stderr
            stream.write(message + "\n")
            stream.flush()

    debug = info = warn = warning = error = critical = fatal = exception = msg


os.register_at_fork(after_in_child=_StandardError.new_lock)


@functools.cache
def _our_logger(name: str = "") -> _StandardError:
    """The logger of ``structlog.get_logger(name)``."""
    return _StandardError(name)


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Our handler on the root logger, told apart from handlers that others (pytest) add.

    It writes to whatever ``sys.stderr`` is when a line is written, not to the stream that was
    standard error when it was made (a test runner's capture, closed by the time servers log
    their stop at exit).
    """

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(level: str | int = "INFO") -> None:
    """Send every log record to standard error as JSON (or for a console); safe to call again."""
    structlog.configure(
        processors=[*_OURS, _renderer()],
        logger_factory=_our_logger,
        wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
        cache_logger_on_first_use=True,
    )
    handler = _OurHandler()
    handler.setFormatter(log_formatter())
    root = logging.getLogger()
    for old in [each for each in root.handlers if isinstance(each, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def log_formatter() -> logging.Formatter:
    """The formatter of the libraries' log lines, as ours are rendered (``_renderer``)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _renderer(),
        ],
    )


def _renderer() -> Any:
    """JSON, or colours for a person with SB_LOG_FORMAT=console."""
    if os.environ.get("SB_LOG_FORMAT") == "console":
        return structlog.dev.ConsoleRenderer()
    return structlog.processors.JSONRenderer()


def init_app(app: Flask) -> None:
    """Log each request once, last of all (after the unit of work decided on its status)."""
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.teardown_request(_forget_request)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _log_request(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    log.info(
        "request",
        request_id=request_id,
        method=request.method,
        path=request.path,
        route=request.endpoint,
        status=response.status_code,
        duration_ms=duration_ms,
        user_id=_user_id(),
        organisation=_organisation_slug(),
    )
    return response


def _forget_request(error: BaseException | None) -> None:
    structlog.contextvars.clear_contextvars()


def _user_id() -> int | None:
    """The logged-in user's id if this request loaded the user; never a query of its own."""
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for this request
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return int(user.id)


def _organisation_slug() -> str | None:
    organisation = g.get("org")
    if organisation is not None:
        return str(organisation.slug)
    slug = g.get("org_slug")
    return str(slug) if slug else None
