"""Fava, hledger and ledger on the same generated books, timed for the same operations.

hledger and ledger are command-line tools: every operation parses the whole journal, so their
figures are load plus report. Fava loads once and then serves requests; both are measured.
"""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from bench.ledger_data import Dataset

PAGE = 50
FAVA_TIMEOUT = 120  # seconds; a slower request is recorded as timed out (infinity)
Samples = dict[str, list[float]]


def tool_version(command: str) -> str:
    if shutil.which(command) is None:
        return f"{command}: not installed"
    found = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    return found.stdout.splitlines()[0].strip() if found.stdout else command


def page_ranges(data: Dataset, depth: float = 0.9) -> dict[str, tuple[date, date]]:
    """Date ranges holding about one journal page (50 transactions), newest and deep."""
    entries = data.entries
    deep = max(0, int(len(entries) * (1 - depth)) - PAGE)
    return {
        "journal, first page": (entries[-PAGE].date, data.last_day + timedelta(days=1)),
        "journal, deep page": (entries[deep].date, entries[deep + PAGE].date),
    }


def cli_commands(tool: str, journal: Path, data: Dataset) -> dict[str, list[str]]:
    """The command lines for each operation, for ``hledger`` or ``ledger``."""
    end = (data.last_day + timedelta(days=1)).isoformat()
    start = date(data.last_day.year, 1, 1).isoformat()
    ranges = page_ranges(data)
    base = [tool, "-f", str(journal)]
    if tool == "hledger":
        commands = {
            "balance sheet": [*base, "bs", "-e", end],
            "income statement": [*base, "is", "-b", start, "-e", end],
            "export": [*base, "print"],
        }
    else:
        commands = {
            "balance sheet": [*base, "bal", "^Assets", "^Liabilities", "^Equity", "-e", end],
            "income statement": [*base, "bal", "^Income", "^Expenses", "-b", start, "-e", end],
            "export": [*base, "print"],
        }
    for name, (low, high) in ranges.items():
        commands[name] = [*base, "print", "-b", low.isoformat(), "-e", high.isoformat()]
    return commands


def time_cli(commands: dict[str, list[str]], repeat: int) -> Samples:
    return {name: [_run(command) for _ in range(repeat)] for name, command in commands.items()}


def time_cli_posting(tool: str, journal: Path, data: Dataset, repeat: int) -> list[float]:
    """Append one transaction to a copy of the journal and check it whole (assertions too)."""
    copy = journal.with_name(f"{journal.stem}-{tool}-post{journal.suffix}")
    shutil.copyfile(journal, copy)
    check = (
        [tool, "-f", str(copy), "check"] if tool == "hledger" else [tool, "-f", str(copy), "stats"]
    )
    samples = []
    for number in range(repeat):
        started = time.perf_counter()
        with copy.open("a") as out:
            out.write(
                f"\n{data.last_day} * Triodos Bank | Bankkosten {number}\n"
                f"    Expenses:Bank:Fees  1.{number % 100:02d} EUR\n"
                f"    Assets:Bank:Checking  -1.{number % 100:02d} EUR\n"
            )
        subprocess.run(check, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - started)
    copy.unlink()
    return samples


def _run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def time_fava_load(beancount: Path, repeat: int) -> list[float]:
    """Seconds for Fava to load the file (Beancount parse, booking, plugins, Fava's indexes)."""
    from fava.core import FavaLedger

    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        FavaLedger(str(beancount))
        samples.append(time.perf_counter() - started)
    return samples


@contextmanager
def fava_server(beancount: Path) -> Iterator[str]:
    """A running ``fava`` on a copy of the file; yields its base URL with the ledger's slug."""
    copy = beancount.with_name(f"{beancount.stem}-fava{beancount.suffix}")
    shutil.copyfile(beancount, copy)
    port = _free_port()
    fava = Path(sys.executable).parent / "fava"
    process = subprocess.Popen(
        [str(fava), "--host", "127.0.0.1", "--port", str(port), str(copy)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield _wait_for_fava(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        copy.unlink()


def fava_paths(data: Dataset) -> dict[str, str]:
    year = data.last_day.year
    return {
        "balance sheet": "/api/balance_sheet",
        "income statement": f"/api/income_statement?time={year}",
        "journal, first page": "/api/journal_page?page=1&order=desc",
        "journal, deep page": "/api/journal_page?page={deep}&order=desc",
        "export": "/download-journal/",
    }


def time_fava(base: str, data: Dataset, repeat: int) -> Samples:
    """Requests against the running server (Fava's journal pages hold 1,000 entries)."""
    pages = json.loads(_get(base + "/api/journal_page?page=1&order=desc"))["data"]["total_pages"]
    deep = max(1, round(pages * 0.9))
    samples: Samples = {}
    for name, path in fava_paths(data).items():
        url = base + path.format(deep=deep)
        samples[name] = []
        for _ in range(repeat):
            samples[name].append(_timed_get(url))
            if math.isinf(samples[name][-1]):
                break  # the server is still busy with it: asking again only queues
    return samples


def time_fava_posting(base: str, data: Dataset, repeat: int) -> tuple[list[float], list[float]]:
    """``PUT api/add_entries`` (writes the file), then the next request (which reloads it)."""
    puts, reloads = [], []
    for number in range(repeat):
        entry = {
            "t": "Transaction",
            "date": data.last_day.isoformat(),
            "flag": "*",
            "payee": "Triodos Bank",
            "narration": f"Bankkosten {number}",
            "meta": {},
            "tags": [],
            "links": [],
            "postings": [
                {"account": "Expenses:Bank:Fees", "amount": f"1.{number % 100:02d} EUR"},
                {"account": "Assets:Bank:Checking", "amount": f"-1.{number % 100:02d} EUR"},
            ],
        }
        body = json.dumps({"entries": [entry]}).encode()
        request = urllib.request.Request(  # noqa: S310 (our own local fava)
            base + "/api/add_entries",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=FAVA_TIMEOUT) as response:  # noqa: S310 (local)
            response.read()
        puts.append(time.perf_counter() - started)
        reloads.append(_timed_get(base + "/api/balance_sheet"))
    return puts, reloads


def _timed_get(url: str) -> float:
    started = time.perf_counter()
    try:
        _get(url, FAVA_TIMEOUT)
    except TimeoutError:
        return math.inf
    return time.perf_counter() - started


def _get(url: str, timeout: float = 600) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (local fava)
        return bytes(response.read())


def _wait_for_fava(root: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("fava exited")
        try:
            with urllib.request.urlopen(root + "/", timeout=600) as response:  # noqa: S310
                slug = response.url.removeprefix(root + "/").split("/", 1)[0]
                return f"{root}/{slug}"
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("fava did not start")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
