"""What one operation cost: wall time, and CPU time on both sides of the connection.

On a shared machine wall time follows the load; CPU time follows the work. Both are kept so
that growth with the number of tenants can be told apart from a busy neighbour.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from bench.stats import median


@dataclass(frozen=True)
class Cost:
    wall: float
    client_cpu: float
    server_cpu: float | None


def backend_pid(connection: Connection) -> int:
    """The PostgreSQL backend serving ``connection`` (psycopg)."""
    driver = connection.connection.driver_connection
    assert driver is not None, "the connection is closed"
    return int(driver.info.backend_pid)


def measure(pid: int, action: Callable[[], object]) -> Cost:
    """Run ``action`` and say what it cost, the backend ``pid`` included."""
    server, client, started = _server_cpu(pid), time.process_time(), time.perf_counter()
    action()
    wall = time.perf_counter() - started
    client = time.process_time() - client
    after = _server_cpu(pid)
    return Cost(wall, client, None if server is None or after is None else after - server)


def median_ms(costs: Sequence[Cost], part: str = "wall") -> str:
    values = [getattr(cost, part) for cost in costs]
    if not values or None in values:
        return "n/a"
    return f"{median(values) * 1000:.0f}"


def _server_cpu(pid: int) -> float | None:
    """CPU seconds the backend has run (``schedstat``: ns on CPU), when it runs on this machine."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None
