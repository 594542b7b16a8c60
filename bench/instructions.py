"""Application instructions per request of the hot pages, counted by callgrind.

```
python -m bench.instructions --populated URL [--pages 'NAME|NAME'] [--loops 3]
                             [--checkouts DIR,DIR...] [--label TEXT] [--results FILE]
```

CPU time on a shared 2-core machine moves by 10 to 30% between two runs of the same code, more
than most changes to a page are worth. An instruction count does not: valgrind's callgrind
counts what the process executes, whatever else runs on the machine (repeatable to about 0.5%
here). Each checkout (a worktree of another commit, this one by default) serves the pages of
``bench.request_cost`` from an instance that an earlier ``python -m bench.request_cost --keep``
made: the child process starts under ``valgrind --tool=callgrind --instr-atstart=no``, logs in
and warms up uncounted, then counting is switched on (``callgrind_control -i on``) for
``--loops`` rounds over the pages and off again. Only this Python process is counted, not
PostgreSQL; ``bench.request_cost`` reports PostgreSQL's CPU. Needs Debian's ``valgrind``.

``--pages 'posting an expense'`` counts the money-out form posted as the load benchmark's
bookkeepers post it (``bench.load_plan.expense``), one transaction a request. It is not among
the pages counted by default: every post adds a transaction dated ``load_plan.TODAY`` to the
kept instance, which changes what its dashboard and journal show afterwards. Count it on an
instance kept for it, or last.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.load_server import revision
from bench.results import RESULTS_FILE, append_run

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
_COLLECTED = re.compile(r"Collected : (\d+)")
_STEP = 0.05


def counted(checkout: Path, url: str, pages: Sequence[str], loops: int) -> float:
    """Millions of instructions per request of ``pages`` served by ``checkout``'s code."""
    with tempfile.TemporaryDirectory(prefix="sb_instructions_") as work:
        folder = Path(work)
        log = folder / "valgrind.log"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder / 'callgrind.out'}",
            f"--log-file={log}",
            sys.executable,
            "-c",  # this file's code, but the checkout's packages (run by path, bench/ would
            # come first on sys.path and its ledger.py would hide the ledger package)
            f"import runpy; runpy.run_path({str(HERE)!r}, run_name='__main__')",
            "--child",
            str(folder),
            "--populated",
            url,
            "--pages",
            "|".join(pages),
            "--loops",
            str(loops),
        ]
        environment = {**os.environ, "PYTHONPATH": str(checkout)}
        child = subprocess.Popen(command, cwd=checkout, env=environment, stderr=subprocess.DEVNULL)
        _wait_for(folder / "ready", child)
        subprocess.run(["callgrind_control", "-i", "on", str(child.pid)], check=True)
        (folder / "go").touch()
        _wait_for(folder / "done", child)
        subprocess.run(["callgrind_control", "-i", "off", str(child.pid)], check=True)
        (folder / "go").unlink()
        if child.wait() != 0:
            raise RuntimeError(f"the counted process failed: {log.read_text()[-2000:]}")
        found = _COLLECTED.search(log.read_text())
        if found is None:
            raise RuntimeError(f"callgrind counted nothing: {log.read_text()[-2000:]}")
        return int(found.group(1)) / (loops * len(pages)) / 1e6


def _wait_for(path: Path, child: subprocess.Popen[bytes]) -> None:
    while not path.exists():
        if child.poll() is not None:
            raise RuntimeError(f"the counted process ended early ({child.returncode})")
        time.sleep(_STEP)


def _child(folder: Path, url: str, names: Sequence[str], loops: int) -> None:
    """Log in and warm up, then loop over the pages while the parent counts."""
    from app.extensions import db
    from bench import request_cost

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    app = request_cost.application(url, redis_url, folder / "instance")
    with app.app_context():
        cursor, invoice_id = request_cost._found_again(db.engine)
    paths = request_cost.pages(cursor, invoice_id)
    client = request_cost.log_in(app)
    poster = _expense_poster(client) if POSTING in names else None

    def ask(name: str) -> None:
        if name == POSTING and poster is not None:
            poster()
        else:
            request_cost._get(client, paths[name])

    for name in names:
        for _ in range(3):
            ask(name)
    (folder / "ready").touch()
    while not (folder / "go").exists():
        time.sleep(_STEP)
    for _ in range(loops):
        for name in names:
            ask(name)
    (folder / "done").touch()
    while (folder / "go").exists():
        time.sleep(_STEP)


POSTING = "posting an expense"


def _expense_poster(client: Any) -> Callable[[], None]:
    """Posts the money-out form as ``bench.load`` does, each time another amount; refuses to
    count a post that was not booked (anything but the redirect to the new transaction)."""
    from bench import load_plan, request_cost
    from bench.load_data import Organisation

    form = client.get(f"/o/{request_cost.SLUG}/entry/expense").get_data(as_text=True)
    token = request_cost._CSRF.search(form)
    if token is None:
        raise RuntimeError("no CSRF token on the expense form")
    org = Organisation(request_cost.SLUG, 0, "", ())
    rng = random.Random(7)

    def post() -> None:
        request = load_plan.expense(org, token.group(1), rng)
        response = client.post(
            request.path, data=request.body, content_type="application/x-www-form-urlencoded"
        )
        if response.status_code != 302:
            raise RuntimeError(f"POST {request.path}: {response.status_code}")

    return post


def run(options: argparse.Namespace) -> str:
    from sqlalchemy import create_engine

    from bench.machine import describe

    engine = create_engine(options.populated)
    machine = describe(engine)
    engine.dispose()
    pages = [name for name in options.pages.split("|") if name] or list(_page_names())
    checkouts = [Path(part) for part in options.checkouts.split(",") if part] or [ROOT]
    rows = []
    for checkout in checkouts:
        figure = counted(checkout, options.populated, pages, options.loops)
        rows.append((revision(checkout), f"{len(pages)} pages", f"{figure:.2f}"))
        print(f"instructions: {rows[-1]}", file=sys.stderr)
    title = "Application instructions per request (callgrind)"
    if options.label:
        title += f" ({options.label})"
    note = (
        f"{options.loops} loops over {', '.join(pages)}, after a warm-up; one organisation of "
        "an instance `bench.request_cost --keep` made; counted in the application's process only."
    )
    header = ("code", "pages", "M instructions per request")
    return append_run(title, f"{machine}\n\n{note}", [(header, rows)], options.results)


def _page_names() -> list[str]:
    from bench.request_cost import pages

    return list(pages("cursor", 0))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--populated", required=True, help="an instance request_cost --keep made")
    parser.add_argument(
        "--pages", default="", help=f"names, separated by | (the pages by default; or {POSTING!r})"
    )
    parser.add_argument("--loops", type=int, default=3)
    parser.add_argument("--checkouts", default="", help="worktrees to count, comma-separated")
    parser.add_argument("--label", default="")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child is not None:
        _child(options.child, options.populated, options.pages.split("|"), options.loops)
        return 0
    print(run(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
