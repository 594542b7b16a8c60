"""What PostgreSQL's plan cache saves when each request reads another organisation's schema.

```
python -m bench.plan_cache [--database-url URL] [--statements 3000] [--results FILE]
```

Every request binds its transaction to one organisation's schema (``SET LOCAL search_path``,
``tenants/binding.py``), and psycopg prepares a statement it has sent five times on a
connection (``tenants.databases.keep_prepared_statements``). A prepared statement's plan is
kept with the search path it was made under: PostgreSQL analyses and plans it again whenever
the path differs (``RevalidateCachedQuery``), so a prepared statement saves its planning only
while a connection keeps serving the same organisation. Under a mix of many organisations a
connection seldom does: much of why the load benchmark's PostgreSQL CPU per request (100
organisations) is about twice ``bench.request_cost``'s (one organisation).

The run makes a scratch database with two schemas of the same shape (accounts, transactions
and postings, 5,000 transactions each, analysed) and sends a journal-like statement (three
tables joined, the latest 50 postings) ``--statements`` times in each of four ways: prepared
or not, and in one schema or in the two by turns, one transaction each (the path set with
``set_config(..., true)`` as the binding does). It reports the backend's CPU
(``/proc/<pid>/stat``, when the server runs on this machine) and the wall time, per
transaction: its ``set_config``, the statement and the commit.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, make_url

from bench.machine import describe
from bench.results import RESULTS_FILE, append_run
from tenants.databases import scratch_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SCHEMAS = ("plan_a", "plan_b")
TRANSACTIONS = 5_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STATEMENT = """
SELECT t.id, t.date, t.narration, a.name, p.number
FROM transactions t
JOIN postings p ON p.transaction_id = t.id
JOIN accounts a ON a.id = p.account_id
WHERE t.date <= %s
ORDER BY t.date DESC, t.id DESC
LIMIT 50
"""
WAYS = (
    ("prepared, one schema", True, False),
    ("prepared, two schemas by turns", True, True),
    ("not prepared, one schema", False, False),
    ("not prepared, two schemas by turns", False, True),
)


def make_schemas(connection: psycopg.Connection) -> None:
    """Two schemas of the same tables and the same rows, analysed."""
    for schema in SCHEMAS:
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(f"SET search_path TO {schema}")
        connection.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL)")
        connection.execute(
            "CREATE TABLE transactions (id bigint PRIMARY KEY, date date NOT NULL,"
            " narration text NOT NULL)"
        )
        connection.execute(
            "CREATE TABLE postings (id bigint PRIMARY KEY, transaction_id bigint NOT NULL"
            " REFERENCES transactions, account_id bigint NOT NULL REFERENCES accounts,"
            " number numeric NOT NULL)"
        )
        connection.execute("CREATE INDEX ON transactions (date, id)")
        connection.execute("CREATE INDEX ON postings (transaction_id)")
        connection.execute(
            "INSERT INTO accounts SELECT n, 'Expenses:Account' || n FROM generate_series(1, 70) n"
        )
        connection.execute(
            "INSERT INTO transactions SELECT n, date '2025-01-01' + (n % 365), 'Boeking ' || n"
            f" FROM generate_series(1, {TRANSACTIONS}) n"
        )
        connection.execute(
            "INSERT INTO postings SELECT n, (n + 1) / 2, n % 70 + 1, n % 997"
            f" FROM generate_series(1, {2 * TRANSACTIONS}) n"
        )
        connection.execute("ANALYZE")
    connection.commit()


def backend_cpu(connection: psycopg.Connection) -> float | None:
    """CPU seconds so far of this connection's backend; None when it runs elsewhere."""
    try:
        stat = Path(f"/proc/{connection.info.backend_pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def measure(url: str, prepared: bool, by_turns: bool, count: int) -> tuple[float | None, float]:
    """Backend CPU and wall time per transaction, in ms, the statement sent ``count`` times."""
    with psycopg.connect(url) as connection:
        for _ in range(20):  # warm: the statement prepared, the caches filled
            with connection.transaction():
                connection.execute("SELECT set_config('search_path', %s, true)", (SCHEMAS[0],))
                connection.execute(STATEMENT, ("2026-01-01",), prepare=prepared).fetchall()
        cpu_before, started = backend_cpu(connection), time.perf_counter()
        for number in range(count):
            schema = SCHEMAS[number % 2] if by_turns else SCHEMAS[0]
            with connection.transaction():
                connection.execute("SELECT set_config('search_path', %s, true)", (schema,))
                connection.execute(STATEMENT, ("2026-01-01",), prepare=prepared).fetchall()
        wall = (time.perf_counter() - started) * 1000 / count
        cpu_after = backend_cpu(connection)
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) * 1000
    return (None if cpu is None else cpu / count), wall


def run(options: argparse.Namespace) -> str:
    with scratch_database(options.database_url, prefix="sb_bench") as url:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain) as connection:
            make_schemas(connection)
        rows = []
        for way, prepared, by_turns in WAYS:
            cpu, wall = measure(plain, prepared, by_turns, options.statements)
            rows.append([way, "—" if cpu is None else f"{cpu:.3f}", f"{wall:.3f}"])
            print(f"plan_cache: {way}: {rows[-1][1]} ms CPU, {rows[-1][2]} ms wall", flush=True)
        engine = create_engine(url)
        machine = describe(engine)
        engine.dispose()
    header = ("statement sent", "PostgreSQL CPU ms per transaction", "wall ms per transaction")
    title = (
        f"A prepared statement across schemas ({options.statements} statements each way, "
        "each in its own transaction with its search path set)"
    )
    return append_run(title, machine, [(header, rows)], options.results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--statements", type=int, default=3000)
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    print(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
