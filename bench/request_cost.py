"""CPU per request of the hot pages, measured in one process through the Flask test client.

```
python -m bench.request_cost [--size 10000] [--repeat 40] [--profile FILE] [--keep]
                             [--populated URL [--drop]] [--pages NAMES] [--label TEXT]
                             [--results FILE]
```

A scratch database (``sb_bench_<random>``, dropped afterwards unless ``--keep``) gets the load
benchmark's bureau and one organisation of ``--size`` transactions (``bench.load_data``: its
books imported with ``import_book``, three invoices, a bank statement in the inbox). The owner
logs in through the login form (CSRF on, strong session protection, request logs written as
in production, to a null stream here). Each hot page is then asked ``--repeat`` times after a
warm-up: the CPU time of this process per request (``time.process_time`` around the test
client's call, every byte of the answer read), the CPU of the database's PostgreSQL backends
over those requests (``/proc/<pid>/stat``, when the server runs on this machine), and the SQL
statements sent. On a shared machine CPU time follows the work where wall time follows the
load average: compare these figures before and after a change.

``--populated URL`` measures an instance made by an earlier ``--keep`` run, skipping the
minute of populating. ``--profile FILE`` writes a cProfile of all measured requests.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import re
import secrets
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from bench.load_data import PASSWORD, populate
from bench.machine import describe
from bench.results import RESULTS_FILE, Table, append_run
from bench.scratch import scratch_database
from tenants.databases import _tenant_schemas
from tenants.db_roles import drop_roles_after_database
from tenants.migrations import upgrade_public
from workers.settings import engine_options, settings_from_env

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLUG = "org-000"
EMAIL = f"owner@{SLUG}.bench.example"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
APPLICATION_NAME = f"request_cost_{os.getpid()}"


@dataclass(frozen=True)
class PageCost:
    page: str
    app_ms: list[float]
    postgres_ms: float | None
    statements: float


def pages(cursor: str, invoice_id: int) -> dict[str, str]:
    """The pages people open most (the load benchmark's mix), by name."""
    base = f"/o/{SLUG}"
    return {
        "dashboard": f"{base}/",
        "journal": f"{base}/journal",
        "journal, filtered": f"{base}/journal?account=Expenses%3AOffice%3ASupplies",
        "journal, page halfway": f"{base}/journal?before={cursor}",
        "balance sheet": f"{base}/reports/balance-sheet",
        "income statement": f"{base}/reports/income-statement?from=2025-01-01&to=2025-12-31",
        "trial balance": f"{base}/reports/trial-balance",
        "account page": f"{base}/accounts/Assets:Bank:Checking",
        "bank inbox": f"{base}/bank/inbox",
        "invoices": f"{base}/invoices",
        "invoice": f"{base}/invoices/{invoice_id}",
        "expense form": f"{base}/entry/expense",
    }


def application(database_url: str, redis_url: str, instance: Path) -> Flask:
    """The application as gunicorn serves it, but for cookies over plain http.

    Its connections carry an ``application_name`` of their own, so that the PostgreSQL CPU
    counted is this run's alone when two runs measure at once.
    """
    os.environ.setdefault("SB_INSTANCE_DIR", str(instance))
    options = engine_options(settings_from_env())
    options["connect_args"] = {**options["connect_args"], "application_name": APPLICATION_NAME}
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "REDIS_URL": redis_url,
            # Limits on, as in production (their hooks run on every request); the runs'
            # few logins from one address stay far below this.
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )


def log_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = _CSRF.search(form)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    response = client.post("/login", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")
    return client


@contextlib.contextmanager
def counted_statements(engine: Engine) -> Iterator[list[int]]:
    count = [0]

    def _count(*_args: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def backends_cpu(engine: Engine) -> float | None:
    """CPU seconds so far of the application's backends (asked on a connection of its own)."""
    asking = create_engine(engine.url, poolclass=NullPool)
    with asking.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = :name"
            ),
            {"name": APPLICATION_NAME},
        ).scalars()
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return None
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    asking.dispose()
    return total


def measure_page(
    client: FlaskClient, engine: Engine, page: str, path: str, repeat: int
) -> PageCost:
    for _ in range(3):
        _get(client, path)
    samples = []
    before = backends_cpu(engine)
    with counted_statements(engine) as count:
        for _ in range(repeat):
            started = time.process_time()
            _get(client, path)
            samples.append((time.process_time() - started) * 1000)
    after = backends_cpu(engine)
    postgres = None if before is None or after is None else (after - before) * 1000 / repeat
    return PageCost(page, samples, postgres, count[0] / repeat)


def _get(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.get_data()
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")


def measure(
    app: Flask, engine: Engine, paths: dict[str, str], repeat: int, profile: Path | None
) -> list[PageCost]:
    client = log_in(app)
    # Timed by CPU, not by the clock: waiting on PostgreSQL is not the application's work.
    profiler = cProfile.Profile(time.process_time) if profile else None
    costs = []
    with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
        for page, path in paths.items():
            if profiler:
                profiler.enable()
            costs.append(measure_page(client, engine, page, path, repeat))
            if profiler:
                profiler.disable()
    if profiler and profile:
        profiler.dump_stats(profile)
    return costs


def rows_of(costs: Sequence[PageCost]) -> list[list[str]]:
    rows = [
        _row(c.page, statistics.median(c.app_ms), min(c.app_ms), c.postgres_ms, c.statements)
        for c in costs
    ]
    known = [c.postgres_ms for c in costs if c.postgres_ms is not None]
    rows.append(
        _row(
            "mean of the pages",
            statistics.fmean(statistics.median(c.app_ms) for c in costs),
            statistics.fmean(min(c.app_ms) for c in costs),
            statistics.fmean(known) if len(known) == len(costs) else None,
            statistics.fmean(c.statements for c in costs),
        )
    )
    return rows


def _row(
    page: str, median: float, least: float, postgres: float | None, statements: float
) -> list[str]:
    return [
        page,
        f"{median:.1f}",
        f"{least:.1f}",
        "" if postgres is None else f"{postgres:.1f}",
        f"{statements:.0f}",
    ]


def run(options: argparse.Namespace) -> str:
    repeat = options.repeat
    with contextlib.ExitStack() as stack:
        url = options.populated
        if url is None and options.keep:
            url = kept_database(options.database_url)
            print(f"request_cost: populating {url}, kept afterwards", file=sys.stderr)
        elif url is None:
            url = stack.enter_context(scratch_database(options.database_url))
        elif options.drop:
            stack.callback(drop_database, options.database_url, url)
        fresh = options.populated is None
        instance = Path(stack.enter_context(_temporary_directory()))
        app = application(url, options.redis_url, instance)
        with app.app_context():
            engine = db.engine
            if fresh:
                upgrade_public(engine)
                population = populate(engine, (options.size,))
                organisation = population.organisations[0]
                cursor, invoice_id = organisation.cursor, organisation.invoice_ids[0]
            else:
                cursor, invoice_id = _found_again(engine)
            machine = describe(engine)
        chosen = {
            page: path
            for page, path in pages(cursor, invoice_id).items()
            if not options.pages or page in options.pages.split(",")
        }
        costs = measure(app, engine, chosen, repeat, options.profile)
        engine.dispose()
    header = (
        "page",
        "app CPU ms, median",
        "app CPU ms, least",
        "PostgreSQL CPU ms, mean",
        "SQL statements",
    )
    table: Table = (header, rows_of(costs))
    title = "CPU per request of the hot pages" + (f" ({options.label})" if options.label else "")
    note = (
        f"One organisation of {options.size:,} transactions; {repeat} requests per page"
        " after 3 warm-up requests, the owner logged in, Flask test client in one process."
    )
    return append_run(title, f"{machine}\n\n{note}", [table], options.results)


def kept_database(server_url: str) -> str:
    """A new ``sb_bench_<random>`` that outlives the run (``--populated URL --drop`` ends it)."""
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"sb_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    """Drop a database a ``--keep`` run made, with its tenant roles."""
    schemas = _tenant_schemas(url)
    admin = create_engine(
        make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'
        )
        drop_roles_after_database(connection, schemas)
    admin.dispose()


@contextlib.contextmanager
def _temporary_directory() -> Iterator[str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sb_bench_instance_") as directory:
        yield directory


def _found_again(engine: Engine) -> tuple[str, int]:
    """The halfway page key and an invoice of the organisation an earlier run populated."""
    from sqlalchemy.orm import Session

    from purchasing.models import Invoice
    from tenants.binding import bind_session, tenant_ref
    from tenants.queries import organisation_by_slug

    with Session(engine) as session:
        organisation = organisation_by_slug(session, SLUG)
        assert organisation is not None, f"no {SLUG} in the populated database"
        invoice_id = session.scalars(
            Invoice.__table__.select()
            .with_only_columns(Invoice.id)
            .where(Invoice.customer_id == organisation.id)
            .limit(1)
        ).one()
        bind_session(session, tenant_ref(organisation))
        total = session.execute(text("SELECT count(*) FROM transactions")).scalar_one()
        row = session.execute(
            text("SELECT date, id FROM transactions ORDER BY date DESC, id DESC OFFSET :n LIMIT 1"),
            {"n": total // 2},
        ).one()
        return f"{row.date.isoformat()}_{row.id}", invoice_id


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--populated", default=None, help="an instance a --keep run made")
    parser.add_argument("--drop", action="store_true", help="drop the --populated database after")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
    )
    parser.add_argument("--pages", default="", help="only these pages, by name, comma-separated")
    parser.add_argument("--label", default="")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    options = parser.parse_args(argv)
    print(run(options))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
