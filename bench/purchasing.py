"""Premium splitting over 10,000 enrolments, and a premium run over many organisations via rq.

Run ``python -m bench.purchasing [--enrolments 10000] [--organisations 100,300,1000]``.

(a) Splitting: ``premiums.allocate`` over 10,000 weights, ``premiums.split_pots`` (three pots),
and ``shares.price_pool`` (tiers, minimums, pro rata, tax, a breakdown per member) over 10,000
members; the median of several rounds, in this process only.

(b) The premium run end to end: in a scratch database ``sb_bench_<random>`` on the server
(``--database-url``, default ``DATABASE_URL``), the bureau and the organisations are provisioned,
all join one pool, a premium run for January is enqueued and a real rq worker (forking, burst
mode) works it; timed from enqueue until the run has finished: every invoice issued and both
sides of every invoice booked (checked afterwards). The run then queues each invoice's e-mail
(a PDF each); the same worker sends them, timed apart. Levels are cumulative: the organisations
of a level stay for the next, each level gets a pool of its own. The database is dropped
afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bench.machine import describe
from bench.results import RESULTS_FILE, Table, append_run
from bench.scratch import scratch_database
from bench.stats import median
from purchasing.invoices.parties import Party, set_billing_details
from purchasing.models import Booking, BookingStatus, InvoiceRun, RunItem, RunKind
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import join, open_pool
from purchasing.premiums import Pots, allocate, split_pots
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, Line, RateCard, Tier, TierMeasure
from purchasing.runs.runs import start_run
from purchasing.shares import Member, PolicyTerms, price_pool
from tenants.migrations import upgrade_public
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.unit_of_work import unit_of_work
from workers.mail import Mailer
from workers.purchasing_jobs import enqueue_invoice_run
from workers.queues import all_queues, redis_connection
from workers.runtime import Runtime
from workers.worker import run_worker

BENCH_BUREAU = Party(
    name="Bench Servicebureau",
    address="Benchstraat 1",
    postcode="1000 AA",
    city="Amsterdam",
    kvk_number="12345679",
)

# Each member's address, which its invoices must show (art. 35a Wet OB).
BENCH_MEMBER = Party(name="", address="Ledenlaan 1", postcode="1000 AB", city="Amsterdam")

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
BENCH_REDIS_DB = 11
ROUNDS = 7
D = Decimal
TERM = Period(date(2026, 1, 1), date(2026, 12, 31))
JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31))
TIERS = ((D(0), D(120)), (D(100), D(110)), (D(1000), D(95)))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_seconds(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    return median([timed(action) for _ in range(rounds)])


def splitting_figures(enrolments: int) -> Table:
    """(a): the pure splitting functions over ``enrolments`` members, median of rounds."""
    rng = random.Random(2026)
    keys = [f"{index:012d}" for index in range(enrolments)]
    weights = {key: D(rng.randint(100, 5_000_000)) / 100 for key in keys}
    pots = Pots(D("1234567.89"), D("25000.00"), D("264513.26"))
    members = [
        Member(
            key,
            Exposure(employees=D(rng.randint(1, 40))),
            TERM.starts_on + timedelta(days=rng.choice((0, 0, 0, rng.randint(0, 300)))),
        )
        for key in keys
    ]
    card = RateCard(
        Basis.PER_EMPLOYEE, tuple(Tier(*tier) for tier in TIERS), minimum_premium=D(150)
    )
    terms = PolicyTerms(card, TERM, D(25000), D(1), D(21))
    cases = [
        ("allocate (one total)", lambda: allocate(pots.net, weights)),
        ("split_pots (net, costs, tax)", lambda: split_pots(pots, weights)),
        ("price_pool, expected invoice, with breakdowns", lambda: price_pool(terms, members)),
        (
            "price_pool, January, insurer's invoice",
            lambda: price_pool(terms, members, JANUARY, pots),
        ),
    ]
    rows = []
    for name, action in cases:
        seconds = median_seconds(action)
        rows.append(
            [name, f"{enrolments:,}", f"{seconds * 1000:,.0f}", f"{seconds / enrolments * 1e6:.1f}"]
        )
    return ("splitting", "members", f"ms, median of {ROUNDS}", "µs per member"), rows


def provision(engine: Engine, count: int, prefix: str, **options: object) -> list[int]:
    ids = []
    with unit_of_work(engine) as session:
        for index in range(count):
            slug = f"{prefix}-{index:05d}"
            made = provision_organisation(
                session,
                NewOrganisation(slug=slug, name=slug.title(), **options),
            )
            ids.append(made.organisation_id)
    return ids


def provision_members(engine: Engine, count: int, prefix: str) -> list[int]:
    """Member organisations with the billing details an invoice to them needs."""
    ids = provision(engine, count, prefix)
    with unit_of_work(engine) as session:
        for index, organisation_id in enumerate(ids):
            name = f"{prefix}-{index:05d}".title()
            set_billing_details(session, organisation_id, replace(BENCH_MEMBER, name=name))
    return ids


def open_level_pool(engine: Engine, bureau_id: int, insurer_id: int, size: int) -> int:
    with unit_of_work(engine) as session:
        policy = add_policy(
            session,
            NewPolicy(
                insurer_id=insurer_id,
                policyholder_id=bureau_id,
                line=Line.AVB,
                name=f"Collectieve AVB ({size})",
                starts_on=TERM.starts_on,
                ends_on=TERM.ends_on,
                basis=Basis.PER_EMPLOYEE,
                tiers=list(TIERS),
                tier_measure=TierMeasure.MEMBERS,
                minimum_premium=D(150),
                annual_costs=D(2500),
            ),
        )
        return open_pool(session, policy, f"AVB-pool {size}", 1, TERM.starts_on)


def join_all(engine: Engine, pool_id: int, organisation_ids: Sequence[int]) -> None:
    rng = random.Random(pool_id)
    with unit_of_work(engine) as session:
        for organisation_id in organisation_ids:
            exposure = Exposure(employees=D(rng.randint(1, 40)))
            join(session, pool_id, organisation_id, exposure, TERM.starts_on)


def run_premium(
    app: object, engine: Engine, connection: Redis[bytes], pool_id: int
) -> tuple[int, datetime, float]:
    """Start the run, enqueue it, work it (and its e-mails) with a burst worker; returns the
    run's id, when it was enqueued and the seconds until the worker had nothing left to do."""
    with unit_of_work(engine) as session:
        run_id = start_run(session, RunKind.PREMIUM, pool_id, JANUARY, date(2026, 1, 15))
    started, enqueued_at = time.perf_counter(), datetime.now(UTC)
    enqueue_invoice_run(connection, run_id)
    job_runtime = Runtime(engine, "", Mailer(None, Path(tempfile.gettempdir()) / "bench-mail"))
    run_worker(job_runtime, burst=True, fork=True, connection=connection)
    return run_id, enqueued_at, time.perf_counter() - started


def check_done(engine: Engine, run_id: int, size: int) -> tuple[datetime, datetime]:
    """Refuse figures of a run that did not finish; returns when it started and finished."""
    with unit_of_work(engine) as session:
        invoices = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
        issued = session.scalar(select(func.count()).select_from(invoices.subquery()))
        booked = session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.invoice_id.in_(invoices), Booking.status == BookingStatus.BOOKED)
        )
        run = session.get(InvoiceRun, run_id)
        assert run is not None and run.started_at and run.finished_at
        if issued != size or booked != 2 * size:
            raise RuntimeError(f"run {run_id}: {issued} issued, {booked} sides booked of {size}")
        return run.started_at, run.finished_at


def premium_run_figures(
    database_url: str, redis_url: str, sizes: Sequence[int]
) -> tuple[str, Table]:
    """(b): the premium run over each level of organisations, end to end through rq."""
    from app import create_app
    from app.extensions import db

    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    connection = redis_connection(f"{base}/{BENCH_REDIS_DB}")
    for queue in all_queues(connection):
        queue.empty()  # type: ignore[no-untyped-call]
    rows = []
    with scratch_database(database_url) as url, tempfile.TemporaryDirectory() as instance:
        os.environ["SB_INSTANCE_DIR"] = instance
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "REDIS_URL": f"{base}/{BENCH_REDIS_DB}",
                "LOG_LEVEL": "WARNING",
                "TESTING": True,
            }
        )
        with app.app_context():
            engine = db.engine
            upgrade_public(engine)
            machine = describe(engine)
            (bureau_id,) = provision(engine, 1, "bureau", is_bureau=True)
            with unit_of_work(engine) as session:
                set_billing_details(session, bureau_id, BENCH_BUREAU)  # needed to invoice
                insurer_id = add_insurer(session, "Bench Verzekeringen", kvk_number="12345678")
            members: list[int] = []
            for size in sizes:
                rows.append(_level(app, engine, connection, members, (bureau_id, insurer_id), size))
                print(rows[-1], flush=True)
            engine.dispose()
    header = (
        "organisations",
        "provision s (new this level)",
        "join s",
        "run s, enqueue → all invoiced and both sides booked",
        "ms per organisation",
        "job's own s (started → finished)",
        "run and its e-mails s (worker idle)",
    )
    return machine, (header, rows)


def _level(
    app: object,
    engine: Engine,
    connection: Redis[bytes],
    members: list[int],
    parties: tuple[int, int],
    size: int,
) -> list[str]:
    """Bring the organisations up to ``size``, put them all in a new pool, run its premiums."""
    started = time.perf_counter()
    members.extend(provision_members(engine, size - len(members), f"lid{len(members)}"))
    provisioning = time.perf_counter() - started
    pool_id = open_level_pool(engine, *parties, size)
    joining = timed(lambda: join_all(engine, pool_id, members[:size]))
    run_id, enqueued_at, with_mails = run_premium(app, engine, connection, pool_id)
    started_at, finished_at = check_done(engine, run_id, size)
    run = (finished_at - enqueued_at).total_seconds()
    inside = (finished_at - started_at).total_seconds()
    return _run_row(size, provisioning, joining, run, inside, with_mails)


def _run_row(
    size: int, provisioning: float, joining: float, run: float, inside: float, with_mails: float
) -> list[str]:
    return [
        f"{size:,}",
        f"{provisioning:,.0f}",
        f"{joining:,.1f}",
        f"{run:,.1f}",
        f"{run / size * 1000:,.0f}",
        f"{inside:,.1f}",
        f"{with_mails:,.1f}",
    ]


def _is_busy() -> bool:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0]) > 2
    except (OSError, ValueError, IndexError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.purchasing", description=__doc__)
    parser.add_argument("--enrolments", type=int, default=10_000)
    parser.add_argument("--organisations", default="100,300,1000", help="comma-separated levels")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--skip-run", action="store_true", help="only the splitting figures")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    options = parser.parse_args(argv)
    busy = _is_busy()
    tables = [splitting_figures(options.enrolments)]
    print(tables[0], flush=True)
    machine = "this process only (no database)"
    if not options.skip_run:
        sizes = sorted({int(part) for part in options.organisations.split(",") if part.strip()})
        machine, run_table = premium_run_figures(options.database_url, options.redis_url, sizes)
        tables.append(run_table)
    note = " — busy machine (load average above 2): read wall times as upper bounds" if busy else ""
    print(append_run("premium splitting and premium run", machine + note, tables, options.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
