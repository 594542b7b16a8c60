"""Bank statement import: lines per second for generated 20,000-line CAMT.053 and MT940 files.

Runs against the PostgreSQL server in ``DATABASE_URL`` in a scratch database (dropped
afterwards) and appends its figures to ``bench/RESULTS.md``:
``python -m bench.bank_import [--lines 20000]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench.machine import describe
from bench.results import RESULTS_FILE, append_run
from bench.scratch import scratch_database
from ledger.bank.accounts import add_bank_account
from ledger.bank.formats import parse_statement_file
from ledger.bank.importing import import_statement
from ledger.bank.inbox import Confirmation, confirm_lines, open_lines
from tenants.binding import bind_session
from tenants.migrations import upgrade_public
from tenants.provisioning import NewOrganisation, provision_organisation
from tests.bank.builders import camt_statement, mt940_statement

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
IBAN = "NL20INGB0001234567"
CONFIRMED = 500
FORMATS: dict[str, Callable[[str, int], bytes]] = {
    "CAMT.053": camt_statement,
    "MT940": mt940_statement,
}


def measure_format(engine: Engine, name: str, data: bytes, lines: int) -> list[str]:
    """Parse alone, first import, the same file again (all duplicates), and confirming lines."""
    with Session(engine) as session:
        tenant = provision_organisation(
            session,
            NewOrganisation(slug=f"bench-bank-{name.lower().replace('.', '')}", name=name),
            books_open_on=date(2023, 1, 1),
        )
    with Session(engine, expire_on_commit=False) as session:
        bind_session(session, tenant)
        add_bank_account(session, IBAN, None)
        parse = _seconds(lambda: parse_statement_file(data))
        first = _seconds(lambda: import_statement(session, data, None, filename=name))
        again = _seconds(lambda: import_statement(session, data, None, filename=name))
        chosen = [Confirmation(i.line.id, "Expenses:Bank:Fees") for i in open_lines(session)]
        booked = _seconds(lambda: confirm_lines(session, chosen[:CONFIRMED], None))
    return [
        name,
        f"{lines}",
        f"{len(data) / 2**20:.1f}",
        f"{lines / parse:,.0f}",
        f"{lines / first:,.0f} ({first:.1f} s)",
        f"{lines / again:,.0f} ({again:.1f} s)",
        f"{min(CONFIRMED, lines) / booked:,.0f}",
    ]


def run(database_url: str, lines: int, results: Path = RESULTS_FILE) -> str:
    with scratch_database(database_url) as url:
        engine = create_engine(url)
        try:
            upgrade_public(engine)
            machine = describe(engine)
            rows = [
                measure_format(engine, name, build(IBAN, lines), lines)
                for name, build in FORMATS.items()
            ]
        finally:
            engine.dispose()
    header = [
        "format",
        "lines",
        "file MiB",
        "parse lines/s",
        "import lines/s (first)",
        "re-import lines/s (all duplicates)",
        f"confirm lines/s ({CONFIRMED}, one transaction each)",
    ]
    return append_run("bank statement import", machine, [(header, rows)], results)


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bank_import", description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000, help="lines per statement")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    options = parser.parse_args(argv)
    print(run(options.database_url, options.lines, options.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
