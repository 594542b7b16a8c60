"""Append one run's figures to ``bench/RESULTS.md`` as Markdown tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"

_HEADER = """# Benchmark results

Appended by each run of a benchmark in this folder (see README.md); newest last. Figures, not
assertions: compare runs on the same machine.
"""

Table = tuple[Sequence[str], Sequence[Sequence[str]]]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def append_run(title: str, machine: str, tables: Sequence[Table], path: Path = RESULTS_FILE) -> str:
    """Append a dated section with ``tables`` to ``path``; returns the text appended."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"## {stamp}: {title}", f"Machine: {machine}"]
    parts += [markdown_table(header, rows) for header, rows in tables]
    section = "\n\n".join(parts) + "\n"
    existing = path.read_text() if path.exists() else _HEADER
    path.write_text(existing.rstrip("\n") + "\n\n" + section)
    return section
