"""Run ``servicebureau worker`` as a child process of the development server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping


def start_worker_process(environment: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start one worker with ``environment`` added to ours.

    The caller passes the DATABASE_URL and REDIS_URL of the servers it already runs, so the
    worker joins them instead of starting embedded servers of its own.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env={**os.environ, **environment},
    )


def stop_worker_process(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Ask the worker to finish its current job and stop; kill it if it does not in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
