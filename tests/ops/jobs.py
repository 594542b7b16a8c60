"""Job functions for the operations tests: a job that fails until its cause is fixed."""

from __future__ import annotations

from pathlib import Path


def fails_until_fixed(organisation_id: int, marker: str) -> int:
    """Fail while the file ``marker`` is missing (the cause a person fixes), then succeed."""
    if not Path(marker).exists():
        raise RuntimeError(f"Het bestand {Path(marker).name} ontbreekt nog.")
    return organisation_id
