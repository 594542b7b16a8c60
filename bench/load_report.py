"""The load benchmark's figures as tables for ``bench/RESULTS.md``."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bench.load_wrk import Outcome
from bench.results import Table

RATE_TARGET = 300.0
P99_TARGET = 150.0


def _cpu(outcome: Outcome) -> tuple[str, str, str, str]:
    """Application (of which in the kernel) and PostgreSQL CPU per request in ms, and the
    application's share."""
    app, database = outcome.cpu.get("application", 0.0), outcome.cpu.get("PostgreSQL", 0.0)
    kernel = outcome.cpu.get("application kernel", 0.0)
    per = max(outcome.requests, 1)
    share = 100 * app / (app + database) if app + database else 0.0
    machine = outcome.cpu.get("machine", 0.0)
    return (
        f"{1000 * app / per:.1f} ({1000 * kernel / per:.1f})",
        f"{1000 * database / per:.1f}",
        f"{share:.0f}%",
        f"{app + database:.0f} of {machine:.0f}",
    )


def _capacity(outcome: Outcome) -> str:
    """Requests/s the machine's cores would carry at this CPU cost, were they ours alone."""
    spent = outcome.cpu.get("application", 0.0) + outcome.cpu.get("PostgreSQL", 0.0)
    if not spent:
        return "n/a"
    return f"{(os.cpu_count() or 1) * outcome.requests / spent:.0f}"


def _errors(outcome: Outcome) -> str:
    return f"{outcome.bad_statuses} / {outcome.socket_errors} / {outcome.login_redirects}"


def _latency(outcome: Outcome) -> tuple[str, str, str, str]:
    p = outcome.percentiles
    return (f"{p[50]:.0f}", f"{p[95]:.0f}", f"{p[99]:.0f}", f"{outcome.max:.0f}")


def mixed_table(outcomes: Mapping[str, Outcome], connections: int) -> Table:
    header = (
        "server (mixed load)",
        "requests/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "requests (statuses)",
        "non-2xx/3xx / socket errors / sent to login",
        "app CPU ms per request (of which kernel)",
        "PostgreSQL CPU ms per request",
        "app share of app+PostgreSQL CPU",
        "app+PostgreSQL CPU s of the machine's busy s",
        "cores ÷ CPU per request (requests/s)",
        "largest PostgreSQL backend, private MiB at the end",
        "load average before",
    )
    rows = []
    for name, outcome in outcomes.items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(outcome.statuses.items()))
        replaced = int(outcome.cpu.get("replaced", 0))
        if replaced:
            statuses += f"; {replaced} processes ended during the run, their CPU not counted"
        rows.append(
            (
                f"{name}, {connections} connections",
                f"{outcome.rate:.0f}",
                *_latency(outcome),
                f"{outcome.requests} ({statuses})",
                _errors(outcome),
                *_cpu(outcome),
                _capacity(outcome),
                f"{outcome.cpu.get('PostgreSQL MiB', 0.0):.0f}",
                f"{outcome.cpu.get('load before', 0.0):.2f}",
            )
        )
    return header, rows


def pages_table(pages: Mapping[str, Outcome], server: str) -> Table:
    header = (
        f"page alone ({server})",
        "requests/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "non-2xx/3xx / socket errors / sent to login",
        "app CPU ms per request (of which kernel)",
        "PostgreSQL CPU ms per request",
        "app share",
        "cores ÷ CPU per request (requests/s)",
        "load average before",
    )
    rows = [
        (
            kind,
            f"{outcome.rate:.0f}",
            *_latency(outcome),
            _errors(outcome),
            *_cpu(outcome)[:3],
            _capacity(outcome),
            f"{outcome.cpu.get('load before', 0.0):.2f}",
        )
        for kind, outcome in pages.items()
    ]
    return header, rows


def targets_table(outcomes: Mapping[str, Outcome]) -> Table:
    header = ("target (issue #12), mixed load", "server", "measured", "verdict")
    rows = []
    for name, outcome in outcomes.items():
        rate, p99, errors = outcome.rate, outcome.percentiles[99], outcome.errors
        rows += [
            ("≥ 300 requests/s on 2 cores", name, f"{rate:.0f}/s", _verdict(rate >= RATE_TARGET)),
            ("p99 < 150 ms", name, f"{p99:.0f} ms", _verdict(p99 < P99_TARGET)),
            ("zero errors", name, f"{errors}", _verdict(errors == 0)),
        ]
    return header, rows


def _verdict(met: bool) -> str:
    return "met" if met else "missed"
