"""What the figures were measured on: CPU, cores, memory, PostgreSQL version, and how fast.

The CPU's name does not say how fast a machine is here: the same "AMD EPYC" or "Intel Xeon"
of two sessions has served the same code at 155 and at 313 requests/s, and the two cores of
one machine may be one physical core's two threads, each slower while the other is busy. So
every run also times a fixed piece of Python (``reference_loop``) on one core alone and on
both cores at once. A figure read against another machine's is read against that.
"""

from __future__ import annotations

import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlalchemy import Engine


def describe(engine: Engine) -> str:
    """One line naming the machine, for the results file."""
    with engine.connect() as connection:
        version = str(connection.exec_driver_sql("SHOW server_version").scalar_one())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB RAM, "
        f"PostgreSQL {version.split()[0]}, Python {platform.python_version()}, "
        f"load average {_load_average()} at start; {reference_speed()}"
    )


REFERENCE_STEPS = 3_000_000


def reference_loop(steps: int = REFERENCE_STEPS) -> float:
    """CPU seconds this process takes for a fixed loop of plain Python (the interpreter's work
    that a request is made of: calls, integer arithmetic, a dict and a list)."""
    started = time.process_time()
    seen: dict[int, int] = {}
    kept: list[int] = []
    total = 0
    for step in range(steps):
        total += step * step % 7
        if step % 1000 == 0:
            seen[step] = total
            kept.append(len(seen))
    return time.process_time() - started


def reference_speed() -> str:
    """The reference loop's seconds on one core (the best of three) and on every core at
    once (the mean of the slowest round), in worker processes started for it."""
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=cores) as pool:
        alone = min(pool.submit(reference_loop).result() for _ in range(3))
        together = max(
            sum(pool.map(reference_loop, [REFERENCE_STEPS] * cores)) / cores for _ in range(2)
        )
    return (
        f"reference loop {alone:.2f} s on one core alone, {together:.2f} s on each of "
        f"{cores} cores at once (bench/machine.py)"
    )


def _load_average() -> str:
    """Other work on the machine skews the figures; say how busy it was."""
    return " ".join(_read("/proc/loadavg").split()[:3]) or "unknown"


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""
