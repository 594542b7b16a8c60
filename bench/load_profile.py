"""Where a gunicorn worker spends its CPU under the mixed load: py-spy, summarised.

``py-spy record --format raw`` writes one line per distinct stack (``frame;frame;... count``);
this module reads it and names the functions with the most samples, by own time and
inclusive of what they call.

Only samples that hold the GIL count (``--gil``): the worker running Python. Without it, a
worker waiting for PostgreSQL's answer is sampled inside psycopg's wait, and about half the
samples were such waits (psycopg's send and wait at the top of "own time"), which hid where
the CPU goes.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path


def record(pid: int, seconds: int, output: Path) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds`` while it holds the GIL (subprocesses not followed)."""
    command = [
        "py-spy",
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        "200",
        "--format",
        "raw",
        "--output",
        str(output),
        "--nonblocking",
        "--gil",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summary(raw: Path, top: int = 30) -> str:
    """Own and inclusive samples per function, as percentages of all samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for stack, count in _stacks(raw.read_text()):
        frames = [_short(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"py-spy: {total} samples of one worker holding the GIL"]
    lines.append("-- own time")
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines.append("-- inclusive")
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top * 2)]
    return "\n".join(lines)


def _stacks(text: str) -> Iterator[tuple[str, int]]:
    """Each ``frame;frame;... count`` line; a frame's name may hold a line break (a code object
    compiled from a string), so a line without a count at its end goes on on the next line."""
    pending = ""
    for line in text.splitlines():
        pending += line
        stack, _sep, count_text = pending.rpartition(" ")
        if stack and count_text.isdigit():
            yield stack, int(count_text)
            pending = ""
        else:
            pending += "\\n"


def _short(frame: str) -> str:
    """``function (path/to/module.py:123)`` without the line number and the venv prefix."""
    name, _sep, place = frame.partition(" (")
    path = place.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/load/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"
