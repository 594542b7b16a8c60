"""Ledger speed at 1,000, 10,000 and 100,000 transactions, side by side with Fava, hledger, ledger.

Run ``python -m bench.ledger [--sizes 1000,10000,100000] [--repeat N]``. For each size it
generates a Dutch foundation's books (``bench.ledger_data``), imports the Beancount file with
``ledger.importer.import_book`` into a fresh organisation in a scratch database
``sb_bench_<random>`` (dropped afterwards), times each operation as server time and as a full
HTTP request, runs the peers on the same data, and appends the figures to ``bench/RESULTS.md``.
Targets (issue #3) at 100,000: posting and the balance sheet under 25 ms median, a journal page
under 30 ms, the balance sheet at most 1.5 times the one at 1,000. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench import ledger_app, ledger_peers
from bench.ledger_data import Dataset, beancount_text, generate, journal_text, years_for
from bench.machine import describe
from bench.results import RESULTS_FILE, Table, append_run
from bench.scratch import scratch_database
from bench.stats import median, p95
from ledger.transactions import post_transaction
from tenants.binding import bind_session

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
POSTINGS = 50
READS = ("balance sheet", "income statement", "journal, first page", "journal, deep page")
OPERATIONS = ("posting", *READS, "export")
Samples = dict[str, list[float]]


@dataclass
class Figures:
    """Everything measured at one size; each value a list of seconds."""

    size: int
    file_mib: float
    import_seconds: float
    server: Samples = field(default_factory=dict)
    http: Samples = field(default_factory=dict)
    peers: dict[str, Samples] = field(default_factory=dict)
    fava_load: list[float] = field(default_factory=list)


def measure_size(
    app: Flask,
    engine: Engine,
    size: int,
    repeat: int,
    work: Path,
    *,
    profiled: bool = False,
    peers: bool = True,
) -> Figures:
    data = generate(size)
    text = beancount_text(data)
    beancount = work / f"books-{size}.beancount"
    journal = work / f"books-{size}.journal"
    beancount.write_text(text)
    journal.write_text(journal_text(data))
    print(f"{size}: generated {len(text) / 2**20:.1f} MiB; importing", flush=True)
    books = ledger_app.import_books(engine, data, text)
    print(f"{size}: imported in {books.import_seconds:.1f} s", flush=True)
    figures = Figures(size, len(text.encode()) / 2**20, books.import_seconds)
    _measure_ours(app, books, data, repeat, figures)
    if profiled:
        _print_profiles(books, data)
    if peers:
        _measure_peers(data, beancount, journal, _peer_repeat(size, repeat), figures)
    return figures


def _measure_ours(
    app: Flask, books: ledger_app.Books, data: Dataset, repeat: int, figures: Figures
) -> None:
    cursor = ledger_app.deep_cursor(books)
    client = ledger_app.logged_in(app, books)
    operations = ledger_app.server_operations(books, data, cursor)
    paths = ledger_app.http_paths(books, data, cursor)
    for name, operation in operations.items():
        count = _count(name, figures.size, repeat)
        if name != "export":  # warm caches and compile templates; an export is warm enough
            ledger_app.time_server(books, operation, 1)
            ledger_app.time_http(client, paths[name], 1)
        figures.server[name] = ledger_app.time_server(books, operation, count)
        figures.http[name] = ledger_app.time_http(client, paths[name], count)
        print(f"{figures.size}: ours {name}: {_ms(median(figures.server[name]))} ms", flush=True)
    figures.server["posting"] = ledger_app.time_posting(books, data.last_day, POSTINGS)
    ledger_app.time_http_posting(client, books, data.last_day, 1)
    figures.http["posting"] = ledger_app.time_http_posting(client, books, data.last_day, POSTINGS)


def _measure_peers(
    data: Dataset, beancount: Path, journal: Path, repeat: int, figures: Figures
) -> None:
    for tool in ("hledger", "ledger"):
        samples = ledger_peers.time_cli(ledger_peers.cli_commands(tool, journal, data), repeat)
        samples["posting"] = ledger_peers.time_cli_posting(tool, journal, data, repeat)
        figures.peers[tool] = samples
        print(f"{figures.size}: {tool} done", flush=True)
    figures.fava_load = ledger_peers.time_fava_load(beancount, repeat)
    with ledger_peers.fava_server(beancount) as base:
        samples = ledger_peers.time_fava(base, data, repeat)
        samples["posting"], samples["next request (reload)"] = ledger_peers.time_fava_posting(
            base, data, repeat
        )
    figures.peers["fava"] = samples
    print(f"{figures.size}: fava done", flush=True)


def _count(name: str, size: int, repeat: int) -> int:
    """Exports of big books take seconds each: fewer rounds there."""
    if name != "export" or size < 10_000:
        return repeat
    return 3 if size <= 10_000 else 2


def _peer_repeat(size: int, repeat: int) -> int:
    return min(repeat, 10) if size <= 10_000 else 2


def figures_table(all_figures: Sequence[Figures]) -> Table:
    header = (
        "transactions (years)",
        "operation",
        "ours: server median / p95 ms",
        "ours: HTTP median / p95 ms",
        "Fava: HTTP median ms",
        "hledger: CLI median ms",
        "ledger: CLI median ms",
    )
    rows: list[tuple[str, ...]] = []
    for figures in all_figures:
        label = f"{figures.size:,} ({years_for(figures.size)})"
        rows.append(
            (
                label,
                f"load ({figures.file_mib:.1f} MiB file)",
                f"import {figures.import_seconds * 1000:.0f}",
                "",
                f"load {_ms(median(figures.fava_load))}" if figures.fava_load else "n/a",
                "(every command loads)",
                "(every command loads)",
            )
        )
        for name in (*OPERATIONS, "next request (reload)"):
            rows.append((label, name, *_cells(figures, name)))
    return header, rows


def _cells(figures: Figures, name: str) -> tuple[str, ...]:
    def pair(samples: list[float] | None) -> str:
        return f"{_ms(median(samples))} / {_ms(p95(samples))}" if samples else "n/a"

    def single(samples: list[float] | None) -> str:
        return _ms(median(samples)) if samples else "n/a"

    http = figures.http.get(name)
    return (
        pair(figures.server.get(name)),
        pair(http),
        single(figures.peers.get("fava", {}).get(name)),
        single(figures.peers.get("hledger", {}).get(name)),
        single(figures.peers.get("ledger", {}).get(name)),
    )


def targets_table(all_figures: Sequence[Figures]) -> Table:
    largest, smallest = all_figures[-1], all_figures[0]

    def server(name: str) -> float:
        return median(largest.server[name]) * 1000

    def verdict(value: float, limit: float) -> str:
        return "met" if value <= limit else "missed"

    ratio = median(largest.server["balance sheet"]) / median(smallest.server["balance sheet"])
    rows = [
        (f"posting at {largest.size:,}, median", "< 25 ms", f"{server('posting'):.1f} ms"),
        (
            f"balance sheet at {largest.size:,}, median",
            "< 25 ms",
            f"{server('balance sheet'):.1f} ms",
        ),
        (
            f"journal first page at {largest.size:,}, median",
            "< 30 ms",
            f"{server('journal, first page'):.1f} ms",
        ),
        (
            f"journal deep page at {largest.size:,}, median",
            "< 30 ms",
            f"{server('journal, deep page'):.1f} ms",
        ),
        (
            f"balance sheet {largest.size:,} / {smallest.size:,}",
            "≤ 1.5",
            f"{ratio:.2f}",
        ),
    ]
    limits = (25.0, 25.0, 30.0, 30.0, 1.5)
    values = (
        server("posting"),
        server("balance sheet"),
        server("journal, first page"),
        server("journal, deep page"),
        ratio,
    )
    header = ("target (server time)", "target", "measured", "verdict")
    return header, [
        (*row, verdict(value, limit))
        for row, value, limit in zip(rows, values, limits, strict=True)
    ]


def _print_profiles(books: ledger_app.Books, data: Dataset) -> None:
    cursor = ledger_app.deep_cursor(books)
    for name, operation in ledger_app.server_operations(books, data, cursor).items():
        if name != "export":
            print(f"--- profile: {name} at {data.size:,}\n{profile(books, operation)}")
    fee = ledger_app.bank_fee

    def posting(session: Session) -> object:
        return post_transaction(session, fee(data.last_day, 7), None)

    print(f"--- profile: posting at {data.size:,}\n{profile(books, posting)}")


def profile(books: ledger_app.Books, operation: ledger_app.Operation, rounds: int = 20) -> str:
    """cProfile of ``rounds`` calls: where the server time goes, top functions by own time."""
    profiler = cProfile.Profile()
    with Session(books.engine) as session:
        bind_session(session, books.tenant)
        profiler.enable()
        for _ in range(rounds):
            operation(session)
            session.rollback()
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return out.getvalue()


def _ms(seconds: float) -> str:
    if math.isinf(seconds):
        return f"> {ledger_peers.FAVA_TIMEOUT} s (timed out)"
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def machine_line(engine: Engine) -> str:
    tools = [
        f"beancount {version('beancount')}",
        f"fava {version('fava')}",
        ledger_peers.tool_version("hledger"),
        ledger_peers.tool_version("ledger"),
    ]
    return f"{describe(engine)}; {', '.join(tools)}"


def run(
    database_url: str,
    redis_url: str,
    sizes: Sequence[int],
    repeat: int,
    results: Path,
    *,
    profiled: bool = False,
    peers: bool = True,
) -> str:
    with (
        tempfile.TemporaryDirectory(prefix="sb_bench_ledger_") as directory,
        scratch_database(database_url) as url,
        ledger_app.application(url, redis_url) as (app, engine),
    ):
        machine = machine_line(engine)
        found = [
            measure_size(
                app,
                engine,
                size,
                repeat,
                Path(directory),
                profiled=profiled and size == sizes[-1],
                peers=peers,
            )
            for size in sizes
        ]
        load = Path("/proc/loadavg").read_text().split()[:3]
        machine += f"; load average {' '.join(load)} at the end"
    note = (
        "Server time: the domain function on a tenant-bound session, binding and rollback "
        "included. HTTP: Flask test client, logged in as owner (the balance sheet page builds "
        "two sheets, this year's and last year's end). Books imported with `import_book`. "
        "hledger and ledger parse the whole journal on every command; their posting is "
        "append-and-check (`hledger check`, `ledger stats`). Fava: JSON API requests against "
        "a running `fava` (its journal pages hold 1,000 entries, ours 50); its posting is "
        "`PUT api/add_entries`, after which the next request reloads the file. A journal "
        "page for the CLIs is `print` over a date range holding about 50 transactions."
    )
    tables = [figures_table(found), targets_table(found)]
    return append_run(
        f"ledger at {', '.join(f'{s:,}' for s in sizes)} transactions",
        f"{machine}\n\n{note}",
        tables,
        results,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=20, help="rounds per read operation")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print cProfile of each operation at the largest size",
    )
    parser.add_argument("--no-peers", action="store_true", help="measure our application only")
    options = parser.parse_args(argv)
    sizes = sorted({int(part) for part in options.sizes.split(",") if part.strip()})
    section = run(
        options.database_url,
        options.redis_url,
        sizes,
        options.repeat,
        options.results,
        profiled=options.profile,
        peers=not options.no_peers,
    )
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
