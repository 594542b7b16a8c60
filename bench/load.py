"""Load: gunicorn against real PostgreSQL and Redis, 100 organisations, driven by wrk.

Run ``python -m bench.load [--servers sync:3,gthread:4x2] [--seconds 30] [--rounds 3]``. A scratch
database ``sb_bench_<random>`` (dropped afterwards) gets a bureau and 100 organisations of mixed
size (1 × 10,000, 4 × 2,000, 15 × 500 and 80 × 100 transactions, imported with ``import_book``),
each with invoices and a bank statement in its inbox (``bench.load_data``). ``gunicorn wsgi:app``
serves it with production settings, CSRF on. Owners, bookkeepers, viewers and bureau staff log in
through the login form (``bench.load_plan``); wrk, in a process of its own, then sends a realistic
mix of their requests (``bench.load_wrk``), and each hot page alone. Requests/s, p50/p95/p99,
errors and the CPU of the application and of PostgreSQL are appended to ``bench/RESULTS.md``.
Targets (issue #12): at least 300 mixed requests/s on 2 cores, p99 under 150 ms, zero errors;
reported as met or missed, never asserted.

On a shared machine whose speed wanders from minute to minute, ``--rounds`` measures the mix
several times on each server and reports every round, and ``--servers
sync:3@../before,sync:3,sync:3@../before,sync:3`` takes turns between an earlier revision's code
(a ``git worktree``) and this one on the same data, so a change is compared in the same minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url

from bench import load_plan, load_profile
from bench.load_data import SIZES, Population, populate
from bench.load_plan import Login, Request
from bench.load_report import mixed_table, pages_table, targets_table
from bench.load_server import Server, ServerKind, gunicorn
from bench.load_wrk import CpuAccounts, Outcome, run_wrk
from bench.machine import describe
from bench.results import RESULTS_FILE, append_run
from bench.scratch import scratch_database
from tenants.migrations import upgrade_public

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
MIXED_REQUESTS = 6000
PAGE_REQUESTS = 20000
WARM_UP_SECONDS = 5
Drawn = list[tuple[Login, Request]]


def log_everyone_in(server: Server, population: Population) -> list[Login]:
    base = random.Random().randint(1, 250)  # the login limit remembers addresses for an hour
    logins = [
        load_plan.log_in(server.port, person, number, base)
        for number, person in enumerate(population.people)
    ]
    print(f"load: {len(logins)} people logged in", flush=True)
    return logins


def check_each_kind(server: Server, drawn: Drawn) -> None:
    """Every kind of request answers as it should before wrk sends thousands of them."""
    expected = {"GET": 200, "POST": 302}
    seen: dict[str, int] = {}
    for login, request in drawn:
        if seen.get(request.kind, 0) >= 3:
            continue
        status = load_plan.check(server.port, login, request)
        if status != expected[request.method]:
            raise RuntimeError(f"{request.method} {request.path}: {status}")
        seen[request.kind] = seen.get(request.kind, 0) + 1


def raw(drawn: Drawn, port: int) -> list[str]:
    return [load_plan.raw(login, request, port) for login, request in drawn]


def measure(
    server: Server,
    engine: Engine,
    requests: Sequence[str],
    seconds: int,
    options: argparse.Namespace,
) -> Outcome:
    load_before = float(Path("/proc/loadavg").read_text().split()[0])
    outcome = run_wrk(
        server.port,
        requests,
        seconds,
        options.connections,
        options.wrk_threads,
        CpuAccounts(server.pid, engine),
    )
    outcome.cpu["load before"] = load_before
    return outcome


def profile_worker(
    server: Server, requests: Sequence[str], options: argparse.Namespace, work: Path
) -> str:
    """py-spy on one worker while the mix runs; its summary, printed and returned."""
    from bench.load_wrk import children_of

    worker = children_of(server.pid)[0]
    output = work / "py-spy.txt"
    sampler = load_profile.record(worker, options.seconds - 2, output)
    run_wrk(server.port, requests, options.seconds, options.connections, options.wrk_threads)
    sampler.wait()
    text = load_profile.summary(output)
    print(text, flush=True)
    return text


def serve_and_measure(
    kind: ServerKind,
    urls: tuple[str, str],
    secret: str,
    work: Path,
    population: Population,
    engine: Engine,
    options: argparse.Namespace,
    *,
    first: bool,
    state: dict[str, object],
) -> list[Outcome]:
    """The mix ``--rounds`` times on one server (one warm-up first); pages alone once."""
    with gunicorn(kind, urls[0], urls[1], secret, work) as server:
        if first:
            logins = log_everyone_in(server, population)
            invoice_ids = [i for o in population.organisations for i in o.invoice_ids]
            state["mixed"] = load_plan.mixed(logins, MIXED_REQUESTS, 1, invoice_ids)
            state["pool"] = load_plan.mixed(logins, PAGE_REQUESTS, 2, invoice_ids)
            check_each_kind(server, state["pool"])  # type: ignore[arg-type]
        mixed = raw(state["mixed"], server.port)  # type: ignore[arg-type]
        run_wrk(server.port, mixed, WARM_UP_SECONDS, options.connections, options.wrk_threads)
        outcomes = []
        for _round in range(options.rounds):
            outcome = measure(server, engine, mixed, options.seconds, options)
            print(f"load: {kind}: mixed {outcome.rate:.0f}/s", flush=True)
            outcomes.append(outcome)
        if first and options.profile:
            state["profile"] = profile_worker(server, mixed, options, work)
        if first and options.page_seconds:
            state["pages"] = measure_pages(server, engine, state["pool"], options)  # type: ignore[arg-type]
        return outcomes


def measure_pages(
    server: Server, engine: Engine, pool: Drawn, options: argparse.Namespace
) -> dict[str, Outcome]:
    pages = {}
    for kind in dict.fromkeys(request.kind for _login, request in pool):
        chosen = load_plan.of_kind(pool, kind)[:2000]
        pages[kind] = measure(
            server, engine, raw(chosen, server.port), options.page_seconds, options
        )
        print(f"load: {kind}: {pages[kind].rate:.0f}/s", flush=True)
    return pages


def run(options: argparse.Namespace) -> str:
    if shutil.which("wrk") is None:  # before a minute and a half of populating, not after
        raise SystemExit("bench.load needs wrk: scripts/debian-packages wrk (Debian's package)")
    kinds = [ServerKind.parse(spec) for spec in options.servers.split(",")]
    sizes = _sizes(options.sizes)
    secret = secrets.token_urlsafe(32)
    state: dict[str, object] = {}
    with (
        tempfile.TemporaryDirectory(prefix="sb_bench_load_") as directory,
        scratch_database(options.database_url) as url,
    ):
        engine = create_engine(url)
        try:
            upgrade_public(engine)
            machine = describe(engine)
            population = populate(engine, sizes)
            print(f"load: populated in {population.seconds:.0f} s", flush=True)
            outcomes: dict[str, Outcome] = {}
            for index, kind in enumerate(kinds):
                rounds = serve_and_measure(
                    kind,
                    (url, options.redis_url),
                    secret,
                    Path(directory),
                    population,
                    engine,
                    options,
                    first=index == 0,
                    state=state,
                )
                for number, outcome in enumerate(rounds, start=1):
                    outcomes[_label(kind, index, number, kinds, options.rounds)] = outcome
        finally:
            engine.dispose()
    tables = [mixed_table(outcomes, options.connections), targets_table(outcomes)]
    if "pages" in state:
        tables.append(pages_table(state["pages"], str(kinds[0])))  # type: ignore[arg-type]
    note = _note(population, options)
    return append_run(
        "load, 100 organisations, gunicorn and wrk", f"{machine}\n\n{note}", tables, options.results
    )


def _note(population: Population, options: argparse.Namespace) -> str:
    counts: dict[str, int] = {}
    for person in population.people:
        counts[person.role] = counts.get(person.role, 0) + 1
    people = ", ".join(f"{n} {role}" for role, n in counts.items())
    return (
        f"{len(population.organisations)} organisations, {population.transactions:,} "
        f"transactions imported (populated in {population.seconds:.0f} s); {people} logged in "
        f"through the login form. wrk {options.wrk_threads} thread(s), {options.connections} "
        f"connections, {options.seconds} s mixed ({options.rounds} round(s) per server) and "
        f"{options.page_seconds} s per page alone, "
        "after a 5 s warm-up; the mix is a person at random, then one of their requests by "
        f"weight (bench/load_plan.py). PostgreSQL {_reached(options.database_url)}. "
        "Latency in ms. CPU: utime+stime of the gunicorn "
        "processes and of the PostgreSQL backends of the scratch database over the run; "
        "'machine' is every process on the machine (other work included)."
    )


def _reached(database_url: str) -> str:
    """How the application reaches PostgreSQL: over TCP, or over a Unix socket on this machine."""
    url = make_url(database_url)
    host = url.query.get("host") or url.host
    if isinstance(host, tuple):
        host = host[0]
    if not host or str(host).startswith("/"):
        return f"over its Unix socket ({host or 'libpq default'})"
    return f"over TCP ({host}:{url.port or 5432})"


def _label(
    kind: ServerKind, index: int, number: int, kinds: Sequence[ServerKind], rounds: int
) -> str:
    """The server's row name: its kind, which start of that kind, which round."""
    label = str(kind)
    if kinds.count(kind) > 1:
        label += f" (start {kinds[: index + 1].count(kind)})"
    if rounds > 1:
        label += f", round {number}"
    return label


def _sizes(spec: str) -> list[int]:
    if not spec:
        return list(SIZES)
    sizes = []
    for part in spec.split(","):
        size, _x, count = part.partition("x")
        sizes += [int(size)] * int(count or 1)
    return sorted(sizes, reverse=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument(
        "--servers",
        default="sync:3,gthread:4x2",
        help="sync:N or gthread:NxT, each optionally +prepared=N (SB_PREPARED_STATEMENTS) "
        "and @CHECKOUT (another worktree's code)",
    )
    parser.add_argument("--seconds", type=int, default=30, help="wrk duration of the mix")
    parser.add_argument(
        "--rounds", type=int, default=1, help="the mix this many times per server (noisy hosts)"
    )
    parser.add_argument("--page-seconds", type=int, default=15, help="per page alone; 0 skips")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--sizes", default="", help="e.g. 10000x1,2000x4,500x15,100x80")
    parser.add_argument("--profile", action="store_true", help="py-spy one worker under the mix")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    print(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
