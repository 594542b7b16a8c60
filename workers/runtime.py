"""What a job needs, built without the web application: an engine, a mailer, a payment provider.

Jobs take ids, never ORM objects, and open their units of work on ``engine()`` with
``tenants.unit_of_work``. The runtime is built once per process from the environment
(``runtime_from_env``: the same settings, embedded servers and engine options as the web), or
handed in by the worker command and tests (``use``). rq's forking worker runs each job in a
child process, so the child drops the connection pool it inherited instead of sharing its
parent's sockets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine

from purchasing.payments.provider import PaymentProvider
from tenants.databases import keep_prepared_statements, ping_after_idle
from tenants.schema_text import cut_schema_text_once
from workers.embedded import embedded_database_url, embedded_redis_url
from workers.mail import Mailer
from workers.settings import engine_options, provider_from, settings_from_env


@dataclass(frozen=True)
class Runtime:
    """One process's way to the database, Redis, the mail server and the payment provider."""

    engine: Engine
    redis_url: str
    mailer: Mailer
    payment_provider: PaymentProvider | None = None
    log_level: str = "INFO"


_state: dict[str, Runtime] = {}


def runtime_from_env() -> Runtime:
    """The runtime the environment describes; embedded servers for what it does not name."""
    settings = settings_from_env()
    database_url = settings.database_url or embedded_database_url(settings.instance_dir)
    engine = create_engine(database_url, **engine_options(settings))
    ping_after_idle(engine)
    keep_prepared_statements(engine, settings.prepared_statements)
    cut_schema_text_once(engine)
    return Runtime(
        engine=engine,
        redis_url=settings.redis_url or embedded_redis_url(settings.instance_dir),
        mailer=Mailer(settings.smtp_url, settings.instance_dir / "mail"),
        payment_provider=provider_from({}),
        log_level=os.environ.get("LOG_LEVEL", "INFO"),
    )


def use(runtime: Runtime) -> None:
    """Make ``runtime`` the one jobs in this process use (the worker command and tests)."""
    if not _state:
        os.register_at_fork(after_in_child=_forget_inherited_pool)
    _state["runtime"] = runtime


def current() -> Runtime:
    """The process's runtime, built from the environment on first use."""
    if "runtime" not in _state:
        use(runtime_from_env())
    return _state["runtime"]


def engine() -> Engine:
    """The process's SQLAlchemy engine (one pool per process)."""
    return current().engine


def _forget_inherited_pool() -> None:
    """In a forked child, drop the parent's pooled connections without closing them.

    Closing would send a terminate message on sockets the parent still uses.
    """
    if "runtime" in _state:
        _state["runtime"].engine.dispose(close=False)
