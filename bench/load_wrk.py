"""Driving the server with wrk, and counting whose CPU the requests cost.

wrk runs in a process of its own with a generated Lua script: ``request`` sends one of the
prepared requests at random (each already carrying its person's cookie), ``response`` counts
statuses and redirects to the login page (a lost session would otherwise pass as a 302), and
``done`` prints the totals and latency percentiles for this module to read. CPU is read from
``/proc/<pid>/stat`` (utime + stime) of the gunicorn workers and of the PostgreSQL backends
serving the scratch database, before and after.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

TICKS = os.sysconf("SC_CLK_TCK")

_LUA = """
local requests = {
%(requests)s
}
local count = #requests
local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + number)
  statuses = {}
  logins = 0
end

function request()
  return requests[math.random(count)]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local location = headers["Location"] or headers["location"]
  if location and string.find(location, "/login", 1, true) then
    logins = logins + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%%d\\nRESULT duration_us=%%d\\n",
    summary.requests, summary.duration))
  io.write(string.format("RESULT connect=%%d\\nRESULT read=%%d\\nRESULT write=%%d\\n",
    e.connect, e.read, e.write))
  io.write(string.format("RESULT status=%%d\\nRESULT timeout=%%d\\n", e.status, e.timeout))
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format("RESULT p%%d=%%d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("RESULT mean=%%d\\nRESULT max=%%d\\n", latency.mean, latency.max))
  local lost = 0
  for _, thread in ipairs(threads) do
    lost = lost + thread:get("logins")
    for status, n in pairs(thread:get("statuses")) do
      io.write(string.format("RESULT http_%%s=%%d\\n", status, n))
    end
  end
  io.write(string.format("RESULT login_redirects=%%d\\n", lost))
end
"""


@dataclass
class Outcome:
    """What one wrk run measured; latencies in milliseconds, CPU in seconds."""

    requests: int
    seconds: float
    percentiles: dict[int, float]
    mean: float
    max: float
    socket_errors: int
    bad_statuses: int  # wrk's count of answers outside 2xx and 3xx
    login_redirects: int
    statuses: dict[str, int]
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.bad_statuses + self.login_redirects


def lua_script(raw_requests: Sequence[str]) -> str:
    quoted = ",\n".join(_lua_string(request) for request in raw_requests)
    return _LUA % {"requests": quoted}


def _lua_string(value: str) -> str:
    """A quoted Lua string; long brackets would turn the CRLFs HTTP needs into LFs."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r").replace("\n", "\\n") + '"'


def run_wrk(
    port: int,
    raw_requests: Sequence[str],
    seconds: int,
    connections: int,
    threads: int,
    accounts: CpuAccounts | None = None,
) -> Outcome:
    """``seconds`` of wrk against the server; CPU of the server side counted if ``accounts``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(raw_requests))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        f"http://127.0.0.1:{port}",
    ]
    try:
        before = accounts.read() if accounts else {}
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        finished = subprocess.run(command, capture_output=True, text=True, check=True)
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        after = accounts.read() if accounts else {}
        memory = accounts.backends_memory() if accounts else 0.0
    finally:
        Path(script.name).unlink()
    outcome = parse(finished.stdout)
    if accounts:
        outcome.cpu = accounts.spent(before, after)
        outcome.cpu["PostgreSQL MiB"] = memory
        outcome.cpu["wrk"] = (after_children.ru_utime + after_children.ru_stime) - (
            children.ru_utime + children.ru_stime
        )
    return outcome


def parse(output: str) -> Outcome:
    values = dict(re.findall(r"^RESULT (\w+)=(-?\d+)$", output, re.MULTILINE))
    if "requests" not in values:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    number = {key: int(value) for key, value in values.items()}
    return Outcome(
        requests=number["requests"],
        seconds=number["duration_us"] / 1e6,
        percentiles={p: number[f"p{p}"] / 1000 for p in (50, 90, 95, 99)},
        mean=number["mean"] / 1000,
        max=number["max"] / 1000,
        socket_errors=number["connect"] + number["read"] + number["write"] + number["timeout"],
        bad_statuses=number["status"],
        login_redirects=number["login_redirects"],
        statuses={k[5:]: v for k, v in number.items() if k.startswith("http_")},
    )


class CpuAccounts:
    """CPU seconds of the gunicorn workers, the PostgreSQL backends, and the whole machine."""

    def __init__(self, gunicorn_pid: int, engine: Engine) -> None:
        self.gunicorn_pid, self.engine = gunicorn_pid, engine

    def read(self) -> dict[str, dict[int, float]]:
        workers = self._workers()
        return {
            "application": {pid: process_cpu(pid) for pid in workers},
            "application kernel": {pid: process_cpu(pid, kernel_only=True) for pid in workers},
            "PostgreSQL": {pid: process_cpu(pid) for pid in self._backends()},
            "machine": {0: machine_busy()},
        }

    def spent(
        self, before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
    ) -> dict[str, float]:
        """Per group: CPU seconds between the readings.

        A process born during the run (a worker gunicorn replaced, a new backend) counts in
        full; one that ended during it is lost, so "replaced" says how many ended.
        """
        spent = {
            group: sum(after[group][pid] - before[group].get(pid, 0.0) for pid in after[group])
            for group in after
        }
        spent["replaced"] = float(
            len(set(before["application"]) - set(after["application"]))
            + len(set(before["PostgreSQL"]) - set(after["PostgreSQL"]))
        )
        return spent

    def backends_memory(self) -> float:
        """The largest private memory of the application's PostgreSQL backends, in MiB."""
        return max((private_memory_mib(pid) for pid in self._backends()), default=0.0)

    def _workers(self) -> list[int]:
        return [self.gunicorn_pid, *children_of(self.gunicorn_pid)]

    def _backends(self) -> list[int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return [pid for (pid,) in rows]


def private_memory_mib(pid: int) -> float:
    """A process's private resident memory (``RssAnon``) in MiB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_cpu(pid: int, *, kernel_only: bool = False) -> float:
    """utime + stime of a process in seconds, or stime alone (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    system = int(fields[12])
    return (system if kernel_only else int(fields[11]) + system) / TICKS


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores, all processes)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS


def children_of(parent: int) -> list[int]:
    return [pid for pid in _pids() if _parent_of(pid) == parent]


def _pids() -> Iterable[int]:
    return (int(name) for name in os.listdir("/proc") if name.isdigit())


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
