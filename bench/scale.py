"""Provisioning, one migration revision and backend memory at 10,000 organisations.

Run ``python -m bench.scale [--tenants 1000,10000] [--phases provision,memory,pooled,upgrade]``.
It works in a scratch database ``sb_bench_<random>`` (dropped afterwards with its tenant roles)
and appends each phase's figures to ``bench/RESULTS.md`` as soon as the phase ends, so a long
run that stops half-way keeps what it measured. ``--keep`` leaves the database (and its
roles) in place and ``--reuse NAME`` continues in such a database: provisioning then only adds
the organisations that are missing, and the run drops the database at the end unless
``--keep`` is given again.

Issue 12 asks for these figures (point 8): provisioning and one migration revision at 10,000
organisations, and the memory of a database backend after touching 10,000 schemas, directly
and through PgBouncer in transaction pooling mode.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select

from bench.backend_memory import direct_memory_tables, pooled_memory_tables
from bench.cost import Cost, median_ms
from bench.creation import schema_creation_costs
from bench.machine import describe
from bench.provisioning import DEFAULT_URL, _provision_one, _three, all_tenants, upgrade_all
from bench.results import RESULTS_FILE, Table, append_run
from bench.scratch import (
    create_database,
    database_url,
    drop_database,
    tenant_stream_with_extra_revision,
)
from bench.stats import median, p95
from tenants.migrations import upgrade_public
from tenants.models import Organisation

PHASES = ("provision", "memory", "pooled", "upgrade")
WINDOW = 100  # provisioning figures of the last this many organisations at each level
BLOCK = 1000  # and of every block of this many, to show growth along the way
CREATION_ROUNDS = 10
CHUNK = 50  # organisations handed to the threads at a time


@dataclass(frozen=True)
class Options:
    server_url: str
    levels: Sequence[int]
    phases: Sequence[str]
    label: str
    results: Path
    keep: bool
    reuse: str | None
    costs_file: Path | None
    parallel: int = 1


def run(options: Options) -> None:
    """Run the phases asked for, appending each one's figures as it ends."""
    with (
        tempfile.TemporaryDirectory(prefix="sb_bench_") as directory,
        _database(options) as (name, url),
    ):
        costs_file = options.costs_file or Path(tempfile.gettempdir()) / f"{name}.csv"
        options = replace(options, costs_file=costs_file)
        location = tenant_stream_with_extra_revision(Path(directory))
        engine = create_engine(url)
        try:
            upgrade_public(engine)
            for phase in options.phases:
                machine = describe(engine)
                tables = _PHASE_RUNNERS[phase](engine, options, location)
                title = f"scale, {phase} ({options.label})"
                print(append_run(title, machine, tables, options.results), flush=True)
        finally:
            engine.dispose()


@contextmanager
def _database(options: Options) -> Iterator[tuple[str, str]]:
    """The scratch database, new or reused; dropped at the end (failure included) unless kept."""
    name = options.reuse or create_database(options.server_url)
    print(f"database {name}", flush=True)
    try:
        yield name, database_url(options.server_url, name)
    finally:
        if not options.keep:
            drop_database(options.server_url, name)


def provision_phase(engine: Engine, options: Options, _location: Path) -> list[Table]:
    """Provision up to each level; every organisation's cost goes to ``costs_file`` too.

    With ``parallel`` above 1, all but the last ``WINDOW`` organisations of a level are made that
    many at a time (threads, each with its own connection): on a busy shared machine that takes
    a larger share of the CPU. The last ``WINDOW``, which the level's figures come from, are
    always made one at a time.
    """
    assert options.costs_file is not None, "run() names the costs file"
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(Organisation)).scalar_one()
    creation: dict[int, tuple[list[Cost], list[Cost]] | None] = {}
    with options.costs_file.open("a", newline="") as stream:
        writer = csv.writer(stream)

        def record(number: int, cost: Cost, at_once: int) -> None:
            row = [number, f"{cost.wall:.4f}", f"{cost.client_cpu:.4f}", cost.server_cpu, at_once]
            writer.writerow(row)
            if number % BLOCK == 0:
                stream.flush()
                print(f"{number:>6} organisations", flush=True)

        for target in options.levels:
            if count >= target:
                creation[target] = None  # reached in an earlier run of this database
                continue
            if options.parallel > 1 and count < target - WINDOW:
                _provision_many(
                    engine, range(count + 1, target - WINDOW + 1), options.parallel, record
                )
                count = target - WINDOW
            while count < target:
                count += 1
                record(count, _provision_one(engine, count), 1)
            creation[target] = schema_creation_costs(engine, CREATION_ROUNDS)
    return [_levels_table(options.costs_file, creation), _blocks_table(options.costs_file)]


def _provision_many(
    engine: Engine,
    numbers: range,
    at_once: int,
    record: Callable[[int, Cost, int], None],
) -> None:
    """Provision ``numbers`` ``at_once`` at a time, in chunks so an interrupt stops soon."""
    with ThreadPoolExecutor(at_once) as pool:
        for chunk_start in range(numbers.start, numbers.stop, CHUNK):
            chunk = range(chunk_start, min(chunk_start + CHUNK, numbers.stop))
            futures = {pool.submit(_provision_one, engine, number): number for number in chunk}
            for future in as_completed(futures):
                record(futures[future], future.result(), at_once)


@dataclass(frozen=True)
class Recorded:
    cost: Cost
    at_once: int


def _read_costs(path: Path) -> dict[int, Recorded]:
    """Every organisation's provisioning cost recorded so far (a reused run's included)."""
    found: dict[int, Recorded] = {}
    with path.open(newline="") as stream:
        for number, wall, client, server, *at_once in csv.reader(stream):
            cost = Cost(
                float(wall), float(client), None if server in {"", "None"} else float(server)
            )
            found[int(number)] = Recorded(cost, int(at_once[0]) if at_once else 1)
    return found


def _levels_table(
    costs_file: Path, creation: dict[int, tuple[list[Cost], list[Cost]] | None]
) -> Table:
    costs = _read_costs(costs_file)
    header = (
        "organisations",
        f"provision ms, median of last {WINDOW} (one at a time)",
        f"p95 of last {WINDOW}",
        "client CPU ms (median)",
        "server CPU ms (median)",
        f"schema by replay: wall / client CPU / server CPU ms ({CREATION_ROUNDS}, rolled back)",
        f"schema from template: wall / client CPU / server CPU ms ({CREATION_ROUNDS}, rolled back)",
    )
    rows = []
    for level, made in sorted(creation.items()):
        numbers = range(level - WINDOW + 1, level + 1)
        window = [costs[number].cost for number in numbers if number in costs]
        earlier = "measured in an earlier run"
        rows.append(
            (
                f"{level:,}",
                median_ms(window),
                f"{p95([cost.wall for cost in window]) * 1000:.0f}",
                median_ms(window, "client_cpu"),
                median_ms(window, "server_cpu"),
                earlier if made is None else _three(made[0]),
                earlier if made is None else _three(made[1]),
            )
        )
    return header, rows


def _blocks_table(costs_file: Path) -> Table:
    """Median and p95 of every block of ``BLOCK`` organisations: does the cost grow?

    Client CPU is the whole process's, so it is left out where threads made several at once.
    """
    costs = _read_costs(costs_file)
    header = (
        "organisations",
        "made at once",
        "provision ms median",
        "p95",
        "server CPU ms median",
        "client CPU ms median",
    )
    rows = []
    for start in range(1, max(costs, default=0) + 1, BLOCK):
        recorded = [costs[number] for number in range(start, start + BLOCK) if number in costs]
        block = [entry.cost for entry in recorded]
        at_once = sorted({entry.at_once for entry in recorded})
        walls = [cost.wall for cost in block]
        rows.append(
            (
                f"{start:,}–{start + BLOCK - 1:,}",
                " and ".join(str(number) for number in at_once),
                f"{median(walls) * 1000:.0f}",
                f"{p95(walls) * 1000:.0f}",
                median_ms(block, "server_cpu"),
                median_ms(block, "client_cpu") if at_once == [1] else "n/a",
            )
        )
    return header, rows


def upgrade_phase(engine: Engine, _options: Options, location: Path) -> list[Table]:
    """One extra revision (a nullable column on ``accounts``) over every tenant schema."""
    upgrade = upgrade_all(engine, location)
    per_tenant = upgrade.seconds / max(upgrade.tenants, 1) * 1000
    rows = [
        (
            f"{upgrade.tenants:,}",
            f"{upgrade.seconds:.1f}",
            f"{per_tenant:.1f}",
            str(upgrade.failed),
        )
    ]
    header = ("tenant schemas", "upgrade by one revision, s", "ms per tenant", "failed")
    return [(header, rows)]


def memory_phase(engine: Engine, options: Options, _location: Path) -> list[Table]:
    return direct_memory_tables(engine, all_tenants(engine), _touch_levels(options.levels))


def pooled_phase(engine: Engine, options: Options, _location: Path) -> list[Table]:
    return pooled_memory_tables(engine, all_tenants(engine), _touch_levels(options.levels))


def _touch_levels(levels: Sequence[int]) -> list[int]:
    """0, 100 and every 1,000 up to the top level: a drop on the way would show a cache reset."""
    top = max(levels)
    return sorted({0, 100, *range(BLOCK, top + 1, BLOCK), top} & set(range(top + 1)))


_PHASE_RUNNERS = {
    "provision": provision_phase,
    "memory": memory_phase,
    "pooled": pooled_phase,
    "upgrade": upgrade_phase,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--tenants", default="1000,10000", help="comma-separated levels")
    parser.add_argument("--phases", default=",".join(PHASES), help="in this order")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL), help="server"
    )
    parser.add_argument("--label", default="current code", help="what this run measures")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE, help="Markdown file")
    parser.add_argument(
        "--parallel",
        type=int,
        default=1,
        help="organisations provisioned at once before each window",
    )
    parser.add_argument("--keep", action="store_true", help="leave the database in place")
    parser.add_argument("--reuse", metavar="NAME", help="continue in this sb_bench_ database")
    parser.add_argument(
        "--costs-file",
        type=Path,
        help="CSV of every organisation's provisioning cost (default: /tmp/<database>.csv)",
    )
    options = parser.parse_args(argv)
    phases = [part.strip() for part in options.phases.split(",") if part.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if options.reuse is not None and not options.reuse.startswith("sb_bench_"):
        parser.error("--reuse takes only a benchmark's own sb_bench_ database")
    run(
        Options(
            server_url=options.database_url,
            levels=sorted({int(part) for part in options.tenants.split(",") if part.strip()}),
            phases=phases,
            label=options.label,
            results=options.results,
            keep=options.keep,
            reuse=options.reuse,
            costs_file=options.costs_file,
            parallel=options.parallel,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
