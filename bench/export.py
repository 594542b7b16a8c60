"""The Beancount export at growing sizes: time and peak memory of the download.

```
python -m bench.export [--sizes 10000,100000] [--database-url URL] [--label TEXT]
```

For each size: books of that many transactions (``bench.ledger_data``, imported with
``import_book``), then the download a treasurer gets (``GET /o/<slug>/export.beancount``
through the Flask test client, every byte read): wall time over three runs, and the peak of
Python's heap during one more (``tracemalloc``, which slows that run, so it is timed apart).
Flat memory means the peak does not grow with the size of the books.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence

from bench import ledger_app
from bench.ledger_data import beancount_text, generate
from bench.machine import describe
from bench.results import RESULTS_FILE, Table, append_run
from bench.scratch import scratch_database

REPEAT = 3


def measure(sizes: Sequence[int], database_url: str, redis_url: str) -> tuple[list[list[str]], str]:
    rows = []
    with (
        scratch_database(database_url) as url,
        ledger_app.application(url, redis_url) as (
            app,
            engine,
        ),
    ):
        machine = describe(engine)
        for size in sizes:
            data = generate(size)
            books = ledger_app.import_books(engine, data, beancount_text(data))
            client = ledger_app.logged_in(app, books)
            path = f"/o/{books.slug}/export.beancount"
            seconds, size_mib = _timed(client, path)
            peak_mib = _peak(client, path)
            rows.append(
                [
                    f"{size:,}",
                    f"{size_mib:.1f}",
                    f"{statistics.median(seconds):.2f}",
                    f"{max(seconds):.2f}",
                    f"{peak_mib:.1f}",
                ]
            )
            print(rows[-1], file=sys.stderr)
    return rows, machine


def _timed(client: ledger_app.FlaskClient, path: str) -> tuple[list[float], float]:
    samples, length = [], 0
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        length = sum(len(chunk) for chunk in response.response)  # type: ignore[union-attr]
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")
        response.close()
    return samples, length / 2**20


def _peak(client: ledger_app.FlaskClient, path: str) -> float:
    tracemalloc.start()
    try:
        response = client.get(path)
        for _chunk in response.response:  # type: ignore[union-attr]
            pass
        response.close()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--label", default="")
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.sizes.split(",")]
    rows, machine = measure(sizes, arguments.database_url, arguments.redis_url)
    header = ("transactions", "file MiB", "download median s", "download max s", "peak heap MiB")
    title = "Beancount export download" + (f" ({arguments.label})" if arguments.label else "")
    table: Table = (header, rows)
    append_run(title, machine, [table], RESULTS_FILE)


if __name__ == "__main__":
    main()
