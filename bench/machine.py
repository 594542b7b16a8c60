"""What the figures were measured on: CPU, cores, memory and PostgreSQL version."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from sqlalchemy import Engine


def describe(engine: Engine) -> str:
    """One line naming the machine, for the results file."""
    with engine.connect() as connection:
        version = str(connection.exec_driver_sql("SHOW server_version").scalar_one())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB RAM, "
        f"PostgreSQL {version.split()[0]}, Python {platform.python_version()}, "
        f"load average {_load_average()} at start"
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
