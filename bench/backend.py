"""Per-connection costs on the PostgreSQL side: catalog-cache memory and tenant binding."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bench.stats import median, p95
from tenants.binding import TenantRef, apply_to_connection, bind_session


@dataclass(frozen=True)
class BackendMemory:
    """Memory of one backend: its memory contexts (catalog caches among them) and private RSS."""

    contexts_bytes: int
    cache_bytes: int
    rss_anon_bytes: int | None


def backend_memory(connection: Connection) -> BackendMemory:
    """Read this connection's backend memory (superuser: ``pg_backend_memory_contexts``)."""
    row = connection.execute(
        text(
            "SELECT sum(total_bytes), sum(total_bytes) FILTER (WHERE name = 'CacheMemoryContext'"
            " OR parent = 'CacheMemoryContext'), pg_backend_pid()"
            " FROM pg_backend_memory_contexts"
        )
    ).one()
    return BackendMemory(int(row[0]), int(row[1]), _rss_anon(int(row[2])))


def memory_after_touching(
    engine: Engine, tenants: Sequence[TenantRef], counts: Sequence[int]
) -> dict[int, BackendMemory]:
    """Backend memory of one fresh connection after binding and reading 0..N tenant schemas."""
    found: dict[int, BackendMemory] = {}
    fresh = create_engine(engine.url, poolclass=NullPool)
    with fresh.connect() as connection:
        connection.rollback()
        found[0] = backend_memory(connection)
        connection.rollback()
        for index, tenant in enumerate(tenants, start=1):
            with connection.begin():
                apply_to_connection(connection, tenant)
                connection.execute(text("SELECT count(*) FROM accounts")).scalar_one()
            if index in counts:
                found[index] = backend_memory(connection)
                connection.rollback()
    fresh.dispose()
    return found


def binding_microseconds(
    engine: Engine, tenants: Sequence[TenantRef], rounds: int
) -> tuple[list[float], list[float]]:
    """Time the binding hook (translate map, SET LOCAL, marker check) inside a transaction.

    Returns samples for one tenant over and over, and for tenants taken in turn.
    """
    same = _time_apply(engine, itertools.repeat(tenants[0], rounds))
    rotating = _time_apply(engine, itertools.islice(itertools.cycle(tenants), rounds))
    return same, rotating


def transaction_microseconds(
    engine: Engine, tenant: TenantRef, rounds: int
) -> tuple[list[float], list[float]]:
    """A whole short Session transaction (one SELECT, commit), unbound and bound."""
    samples: tuple[list[float], list[float]] = ([], [])
    for is_bound, found in enumerate(samples):
        with Session(engine) as session:
            if is_bound:
                bind_session(session, tenant)
            for _ in range(rounds):
                started = time.perf_counter_ns()
                session.execute(select(1))
                session.commit()
                found.append((time.perf_counter_ns() - started) / 1000)
    return samples


def summary(samples: Sequence[float]) -> str:
    return f"{median(samples):.0f} / {p95(samples):.0f}"


def _time_apply(engine: Engine, tenants: Iterable[TenantRef]) -> list[float]:
    found = []
    with engine.connect() as connection:
        connection.rollback()
        for tenant in tenants:
            with connection.begin():
                started = time.perf_counter_ns()
                apply_to_connection(connection, tenant)
                found.append((time.perf_counter_ns() - started) / 1000)
    return found


def _rss_anon(pid: int) -> int | None:
    """Private anonymous memory of the backend process, when it runs on this machine."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return None
