"""Memory of PostgreSQL backends after touching many tenant schemas: directly and via PgBouncer.

A backend keeps every relation it has opened in its catalog caches until it exits, so a
connection that serves every organisation in turn ends up holding all their tables' entries.
Directly, that is one such backend per application connection; behind PgBouncer in
transaction pooling mode it is one per *server* connection of the pool, however many clients,
and ``server_lifetime`` bounds how long a server connection collects entries.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from bench.backend import BackendMemory, backend_memory
from bench.results import Table
from tenants.binding import TenantRef, apply_to_connection
from tenants.databases import connect_args
from tenants.migrations import tenant_metadata
from tests.pgbouncer import PgBouncer

Touch = Callable[[Connection], object]
CLIENTS = 8  # application connections sharing the pool (web and worker threads)
# Every table of a schema costs a backend about 0.4 MiB: 10,000 would take 4 GiB of a shared
# machine's memory, so that upper bound is measured up to this many schemas and extrapolated.
EVERY_TABLE_LIMIT = 1000


@dataclass(frozen=True)
class Scenario:
    """A PgBouncer pool: its size and how long a server connection may live (seconds)."""

    pool_size: int
    server_lifetime: int
    passes: int = 2

    @property
    def name(self) -> str:
        return f"pool {self.pool_size}, server_lifetime {self.server_lifetime} s"


# PgBouncer's default server_lifetime is 3600 s: longer than these runs, so "no cap" here.
SCENARIOS = (Scenario(2, 3600), Scenario(4, 3600), Scenario(4, 5))


def read_accounts(connection: Connection) -> None:
    """What the earlier runs touched: one table (and its indexes) of the bound schema."""
    connection.execute(text("SELECT count(*) FROM accounts")).scalar_one()


def read_every_table() -> Touch:
    """An upper bound: every table of the schema planned and opened, with its indexes."""
    names = sorted(table.name for table in tenant_metadata().sorted_tables)
    union = " UNION ALL ".join(f'(SELECT 1 FROM "{name}" LIMIT 1)' for name in names)
    statement = text(f"SELECT count(*) FROM ({union}) AS touched")

    def touch(connection: Connection) -> None:
        connection.execute(statement).scalar_one()

    return touch


def direct_memory_tables(
    engine: Engine, tenants: Sequence[TenantRef], levels: Sequence[int]
) -> list[Table]:
    """One fresh direct connection per kind of touch, read at each level of schemas touched."""
    kinds = {
        "accounts": (read_accounts, levels),
        "every table": (
            read_every_table(),
            [level for level in levels if level <= EVERY_TABLE_LIMIT],
        ),
    }
    header = (
        "schemas touched by one connection",
        "touching",
        "memory contexts MiB",
        "of which catalog cache MiB",
        "backend RssAnon MiB",
        "binds/s",
    )
    rows = []
    for kind, (touch, upto) in kinds.items():
        for touched, (memory, rate) in _touched_directly(engine, tenants, upto, touch).items():
            rows.append((f"{touched:,}", kind, *_mib3(memory), f"{rate:.0f}"))
            print(f"direct {kind} {touched}: {rows[-1]}", flush=True)
    return [(header, rows)]


def _touched_directly(
    engine: Engine, tenants: Sequence[TenantRef], levels: Sequence[int], touch: Touch
) -> dict[int, tuple[BackendMemory, float]]:
    found: dict[int, tuple[BackendMemory, float]] = {}
    fresh = create_engine(engine.url, poolclass=NullPool)
    try:
        with fresh.connect() as connection:
            connection.rollback()
            found[0] = (backend_memory(connection), 0.0)
            connection.rollback()
            started = time.perf_counter()
            for index, tenant in enumerate(tenants[: max(levels)], start=1):
                with connection.begin():
                    apply_to_connection(connection, tenant)
                    touch(connection)
                if index in levels:
                    rate = index / (time.perf_counter() - started)
                    found[index] = (backend_memory(connection), rate)
                    connection.rollback()
    finally:
        fresh.dispose()
    return found


class PooledBouncer(PgBouncer):
    """The test suite's PgBouncer with another pool size and server connection lifetime."""

    def __init__(self, database_url: str, scenario: Scenario) -> None:
        super().__init__(database_url)
        self.scenario = scenario

    def _write_config(self) -> Path:
        config = super()._write_config()
        settings = {
            "default_pool_size": str(self.scenario.pool_size),
            "server_lifetime": str(self.scenario.server_lifetime),
            "server_idle_timeout": "3600",
            "max_client_conn": str(CLIENTS * 4),
        }
        source = config.read_text()
        for key, value in settings.items():
            line = f"{key} = {value}"
            source, replaced = re.subn(rf"^{key} = .*$", line, source, flags=re.MULTILINE)
            if not replaced:
                source = source.rstrip("\n") + f"\n{line}\n"
        config.write_text(source)
        return config


@dataclass
class ServerWatch:
    """PgBouncer's server connections seen during a run, and the largest private RSS of each."""

    console_url: str
    seen: dict[int, int] = field(default_factory=dict)  # backend pid -> max RssAnon bytes
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.sample()

    def sample(self) -> list[int]:
        pids = server_pids(self.console_url)
        for pid in pids:
            rss = rss_anon(pid)
            if rss is not None:
                self.seen[pid] = max(self.seen.get(pid, 0), rss)
        return pids


def server_pids(console_url: str) -> list[int]:
    """The backend pids of PgBouncer's server connections (``SHOW SERVERS``, ``remote_pid``)."""
    import psycopg

    with psycopg.connect(console_url, autocommit=True, prepare_threshold=None) as console:
        cursor = console.execute("SHOW SERVERS")
        names = [column.name for column in cursor.description or []]
        return [int(row[names.index("remote_pid")]) for row in cursor.fetchall()]


def rss_anon(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return None


def pooled_memory_tables(
    engine: Engine, tenants: Sequence[TenantRef], levels: Sequence[int]
) -> list[Table]:
    """Every scenario: ``CLIENTS`` connections bind all tenants in turn through PgBouncer."""
    header = (
        "PgBouncer pool",
        "binds done (all clients)",
        "server backends open / opened so far",
        "memory contexts MiB per backend (max)",
        "catalog cache MiB (max)",
        "RssAnon MiB per backend now (max)",
        "RssAnon MiB, sum of open backends",
        "RssAnon MiB, highest seen",
        "binds/s",
    )
    rows = []
    server_url = engine.url.render_as_string(hide_password=False)
    for scenario in SCENARIOS:
        for row in _pooled_run(server_url, tenants[: max(levels)], scenario):
            rows.append(row)
            print(f"pooled {row}", flush=True)
    return [(header, rows)]


def _pooled_run(
    server_url: str, tenants: Sequence[TenantRef], scenario: Scenario
) -> list[tuple[str, ...]]:
    rows = []
    with PooledBouncer(server_url, scenario) as bouncer:
        console = _console_url(bouncer)
        watch = ServerWatch(console)
        watcher = threading.Thread(target=watch.run, daemon=True)
        watcher.start()
        pooled = create_engine(
            bouncer.url,
            connect_args=connect_args(behind_pgbouncer=True),
            pool_size=CLIENTS,
            max_overflow=0,
        )
        try:
            done = 0
            checkpoints = sorted({1000, *(len(tenants) * n for n in range(1, scenario.passes + 1))})
            started = time.perf_counter()
            for checkpoint in checkpoints:
                work = [tenants[i % len(tenants)] for i in range(done, checkpoint)]
                _bind_concurrently(pooled, work)
                done = checkpoint
                rate = done / (time.perf_counter() - started)
                memories = _server_memories(pooled, len(watch.sample()))
                rows.append(_pooled_row(scenario, done, memories, watch, rate))
                started = time.perf_counter() - done / rate  # the measuring is not bind time
        finally:
            watch.stop.set()
            watcher.join()
            pooled.dispose()
    return rows


def _pooled_row(
    scenario: Scenario,
    done: int,
    memories: Sequence[BackendMemory],
    watch: ServerWatch,
    rate: float,
) -> tuple[str, ...]:
    rss_now = [memory.rss_anon_bytes or 0 for memory in memories]
    return (
        scenario.name,
        f"{done:,}",
        f"{len(memories)} / {len(watch.seen)}",
        _mib(max(memory.contexts_bytes for memory in memories)),
        _mib(max(memory.cache_bytes for memory in memories)),
        _mib(max(rss_now)),
        _mib(sum(rss_now)),
        _mib(max([*watch.seen.values(), *rss_now])),
        f"{rate:.0f}",
    )


def _bind_concurrently(pooled: Engine, tenants: Iterable[TenantRef]) -> None:
    """``CLIENTS`` threads, each with its own client connection, take tenants from one queue."""
    work: queue.SimpleQueue[TenantRef | None] = queue.SimpleQueue()
    for tenant in tenants:
        work.put(tenant)
    errors: list[BaseException] = []

    def client() -> None:
        try:
            with pooled.connect() as connection:
                connection.rollback()
                while (tenant := work.get()) is not None:
                    with connection.begin():
                        apply_to_connection(connection, tenant)
                        read_accounts(connection)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _server_memories(pooled: Engine, servers: int) -> list[BackendMemory]:
    """Each server backend's memory: ``servers`` transactions held open at once, one per server.

    A transaction keeps its server connection until it ends, so while all are open each
    runs on a server of its own.
    """
    connections = [pooled.connect() for _ in range(max(servers, 1))]
    try:
        found = {}
        for connection in connections:
            connection.rollback()
            connection.begin()
            memory = backend_memory(connection)
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            found[int(pid)] = memory
        return list(found.values())
    finally:
        for connection in connections:
            connection.rollback()
            connection.close()


def _console_url(bouncer: PgBouncer) -> str:
    return f"host=127.0.0.1 port={bouncer.port} user={bouncer.server.username} dbname=pgbouncer"


def _mib3(memory: BackendMemory) -> tuple[str, str, str]:
    return _mib(memory.contexts_bytes), _mib(memory.cache_bytes), _mib(memory.rss_anon_bytes)


def _mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 1024 / 1024:.1f}"
