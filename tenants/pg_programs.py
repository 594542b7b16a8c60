"""PostgreSQL's own dump and restore programs, the ones that fit the server, run on a URL.

``pg_dump`` must be at least as new as the server it reads. The candidates are the programs
shipped in the ``pgserver`` package (the embedded server's own), every installed Debian
``/usr/lib/postgresql/<major>/bin``, and whatever is on ``PATH``; the oldest that is new enough
wins, since a newer ``pg_dump`` may write archives that an older ``pg_restore`` cannot read.
The password travels in the environment, never on a command line that ``ps`` shows.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from sqlalchemy import make_url

from ledger.errors import message
from tenants.errors import BackupFailed


def run_program(name: str, arguments: Sequence[str], database_url: str, server_major: int) -> None:
    """Run ``pg_dump`` or ``pg_restore`` with ``arguments`` against ``database_url``."""
    program = program_for(name, server_major)
    url = make_url(database_url)
    environment = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else None
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string()
    completed = subprocess.run(  # noqa: S603  (our own arguments, no shell)
        [str(program), *arguments, f"--dbname={libpq_url}"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupFailed(
            message("%(program)s is mislukt (%(reason)s)."),
            program=name,
            reason=(completed.stderr.strip() or completed.stdout.strip())[-2000:],
        )


def program_for(name: str, server_major: int) -> Path:
    """The oldest ``name`` (pg_dump, pg_restore) whose major version is at least the server's."""
    fitting = sorted(
        (major, str(path))
        for path in _candidates(name)
        if (major := _major_version(str(path))) is not None and major >= server_major
    )
    if not fitting:
        raise BackupFailed(
            message(
                "Geen %(program)s van PostgreSQL %(major)s of nieuwer gevonden; installeer de"
                " PostgreSQL-client (Debian: postgresql-client)."
            ),
            program=name,
            major=server_major,
        )
    return Path(fitting[0][1])


def _candidates(name: str) -> Iterator[Path]:
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin is not None:
        yield Path(spec.origin).parent / "pginstall" / "bin" / name
    yield from sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    found = shutil.which(name)
    if found:
        yield Path(found)


@cache
def _major_version(path: str) -> int | None:
    if not os.access(path, os.X_OK):
        return None
    try:
        output = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, check=False, timeout=10
        ).stdout
    except OSError:
        return None
    found = re.search(r"\(PostgreSQL\) (\d+)", output)
    return int(found.group(1)) if found else None
