"""Provisioning and tenant-migration figures at 10, 100 and 1,000 organisations.

Run ``python -m bench.provisioning [--tenants 10,100,1000] [--database-url URL]``. It works in a
scratch database ``sb_bench_<random>`` on that server (dropped afterwards) and appends its
figures to ``bench/RESULTS.md``. Targets (issue #2): under 0.5 s per new organisation, not
growing with the number of organisations; one extra revision over 1,000 tenants in under 2 min.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bench.backend import (
    BackendMemory,
    binding_microseconds,
    memory_after_touching,
    summary,
    transaction_microseconds,
)
from bench.cost import Cost, backend_pid, measure, median_ms
from bench.creation import schema_creation_costs
from bench.machine import describe
from bench.results import RESULTS_FILE, Table, append_run
from bench.scratch import scratch_database, tenant_stream_with_extra_revision
from bench.stats import p95
from tenants.binding import TenantRef
from tenants.migrations import upgrade_public, upgrade_tenants
from tenants.models import Organisation
from tenants.provisioning import NewOrganisation, provision_organisation

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LAST = 10
BINDING_ROUNDS = 2000


@dataclass
class Level:
    """Costs of the organisations that brought the count up to ``tenants``."""

    tenants: int
    provisioned: list[Cost] = field(default_factory=list)
    replayed: list[Cost] = field(default_factory=list)
    templated: list[Cost] = field(default_factory=list)

    @property
    def last(self) -> list[Cost]:
        return self.provisioned[-LAST:]


@dataclass
class Upgrade:
    tenants: int
    seconds: float
    failed: int


def provision_levels(engine: Engine, levels: Sequence[int]) -> list[Level]:
    """Provision organisations up to each level in turn, measuring each one."""
    found: list[Level] = []
    count = 0
    for target in levels:
        level = Level(target)
        while count < target:
            count += 1
            level.provisioned.append(_provision_one(engine, count))
        level.replayed, level.templated = schema_creation_costs(engine, LAST)
        found.append(level)
        print(f"{target:>6} tenants: last {LAST} median {median_ms(level.last)} ms", flush=True)
    return found


def upgrade_all(engine: Engine, location: Path) -> Upgrade:
    """Upgrade every tenant by the one extra revision in ``location``."""
    started = time.perf_counter()
    report = upgrade_tenants(engine, location=location)
    seconds = time.perf_counter() - started
    tenants = len(report.upgraded) + len(report.failed)
    print(f"upgrade: {tenants} tenants in {seconds:.1f} s, {len(report.failed)} failed")
    return Upgrade(tenants, seconds, len(report.failed))


def all_tenants(engine: Engine) -> list[TenantRef]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Organisation.id, Organisation.schema_name).order_by(Organisation.id)
        )
        return [TenantRef(organisation_id=row.id, schema_name=row.schema_name) for row in rows]


def run(database_url: str, levels: Sequence[int], label: str, results: Path = RESULTS_FILE) -> str:
    """Measure everything in a scratch database and append the figures to ``results``."""
    with (
        tempfile.TemporaryDirectory(prefix="sb_bench_") as directory,
        scratch_database(database_url) as url,
    ):
        location = tenant_stream_with_extra_revision(Path(directory))
        engine = create_engine(url)
        try:
            upgrade_public(engine)
            machine = describe(engine)
            provisioned = provision_levels(engine, levels)
            tenants = all_tenants(engine)
            memory = memory_after_touching(engine, tenants, levels)
            binding = binding_microseconds(engine, tenants, BINDING_ROUNDS)
            transactions = transaction_microseconds(engine, tenants[0], BINDING_ROUNDS)
            upgrade = upgrade_all(engine, location)
        finally:
            engine.dispose()
    tables = [
        _provisioning_table(provisioned),
        _memory_table(memory),
        _costs_table(upgrade, binding, transactions),
    ]
    return append_run(f"provisioning ({label})", machine, tables, results)


def _provision_one(engine: Engine, number: int) -> Cost:
    slug = f"bench-{number:05d}"
    with Session(engine) as session:
        pid = backend_pid(session.connection())
        return measure(
            pid,
            lambda: provision_organisation(
                session, NewOrganisation(slug=slug, name=f"Bench {number}")
            ),
        )


def _provisioning_table(levels: Sequence[Level]) -> Table:
    header = (
        "tenants",
        f"provision ms, median of last {LAST}",
        f"p95 of last {LAST}",
        "median, whole step",
        "client CPU ms",
        "server CPU ms",
        "schema by replay: wall / client CPU / server CPU ms",
        "schema from template: wall / client CPU / server CPU ms",
    )
    rows = [
        (
            str(level.tenants),
            median_ms(level.last),
            f"{p95([cost.wall for cost in level.last]) * 1000:.0f}",
            median_ms(level.provisioned),
            median_ms(level.last, "client_cpu"),
            median_ms(level.last, "server_cpu"),
            _three(level.replayed),
            _three(level.templated),
        )
        for level in levels
    ]
    return header, rows


def _memory_table(memory: dict[int, BackendMemory]) -> Table:
    header = (
        "schemas touched by one fresh connection",
        "backend memory contexts MiB",
        "of which catalog cache MiB",
        "backend RssAnon MiB",
    )
    rows = [
        (
            str(touched),
            _mib(found.contexts_bytes),
            _mib(found.cache_bytes),
            _mib(found.rss_anon_bytes),
        )
        for touched, found in sorted(memory.items())
    ]
    return header, rows


def _costs_table(
    upgrade: Upgrade,
    binding: tuple[list[float], list[float]],
    transactions: tuple[list[float], list[float]],
) -> Table:
    per_tenant = upgrade.seconds / max(upgrade.tenants, 1) * 1000
    rows = [
        (
            f"upgrade {upgrade.tenants} tenants by one revision",
            f"{upgrade.seconds:.1f} s total, {per_tenant:.1f} ms per tenant"
            f", {upgrade.failed} failed",
        ),
        ("binding hook, same tenant (median / p95)", f"{summary(binding[0])} µs"),
        ("binding hook, tenants in turn (median / p95)", f"{summary(binding[1])} µs"),
        ("short transaction unbound (median / p95)", f"{summary(transactions[0])} µs"),
        ("short transaction bound (median / p95)", f"{summary(transactions[1])} µs"),
    ]
    return ("measure", "value"), rows


def _three(costs: Sequence[Cost]) -> str:
    parts = ("wall", "client_cpu", "server_cpu")
    return " / ".join(median_ms(costs, part) for part in parts)


def _mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 1024 / 1024:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.provisioning", description=__doc__)
    parser.add_argument("--tenants", default="10,100,1000", help="comma-separated levels")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL), help="server"
    )
    parser.add_argument("--label", default="current code", help="what this run measures")
    parser.add_argument(
        "--results", type=Path, default=RESULTS_FILE, help="Markdown file to append to"
    )
    options = parser.parse_args(argv)
    levels = sorted({int(part) for part in options.tenants.split(",") if part.strip()})
    print(run(options.database_url, levels, options.label, options.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
