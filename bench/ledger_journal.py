"""Journal pages before and after the one-statement journal, side by side on the same books.

Run ``python -m bench.ledger_journal [--size 100000] [--repeat 30]``. Generates the books of
``bench.ledger_data`` at one size, imports them into a scratch database (dropped afterwards),
and times the first journal page and one 90% deep into the history, alternating the previous
implementation (two statements: the page, then its postings by ``IN``; kept below as the
baseline) and ``ledger.reports.journal.journal``, so both see the same load. Twice: after an
``ANALYZE`` of the tenant tables, and with their statistics removed again (the state right after
a bulk load until autovacuum comes by; a tenant's own database role may not ``ANALYZE``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, text, tuple_
from sqlalchemy.orm import Session

from bench import ledger_app
from bench.ledger_data import beancount_text, generate
from bench.machine import describe
from bench.results import RESULTS_FILE, append_run
from bench.scratch import scratch_database
from bench.stats import median, p95
from ledger.models import Account, Posting, Transaction
from ledger.reports.journal import JournalEntry, JournalFilter, JournalPage, _filtered, journal
from ledger.rows import to_transaction
from tenants.binding import bind_session

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
Journal = Callable[..., JournalPage]


def journal_before(
    session: Session, filters: JournalFilter | None = None, *, before: Any = None
) -> JournalPage:
    """The journal as it was until 2026-12-02 (ORM rows, postings by ``IN``), the baseline."""
    query = _filtered(select(Transaction), filters or JournalFilter()).order_by(
        Transaction.date.desc(), Transaction.id.desc()
    )
    if before is not None:
        query = query.where(tuple_(Transaction.date, Transaction.id) < tuple_(*before))
    rows = session.scalars(query.limit(51)).all()
    page = rows[:50]
    postings = session.execute(
        select(Posting, Account.name)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.transaction_id.in_([row.id for row in page]))
        .order_by(Posting.transaction_id, Posting.position)
    ).all()
    by_transaction = {
        key: list(group) for key, group in groupby(postings, key=lambda p: p[0].transaction_id)
    }
    entries = tuple(
        JournalEntry(r.id, to_transaction(r, by_transaction.get(r.id, []))) for r in page
    )
    return JournalPage(entries, (page[-1].date, page[-1].id) if len(rows) > 50 else None)


def analyse(engine: Engine, schema: str) -> None:
    """Statistics on the tenant tables, as autovacuum would gather them (the bench's superuser)."""
    with engine.begin() as connection:
        for table in ("transactions", "postings", "accounts"):
            connection.execute(text(f'ANALYZE "{schema}".{table}'))
    engine.dispose()


def forget_statistics(engine: Engine, schema: str) -> None:
    """Put the tenant tables back to "never analysed" (a superuser's catalog edit, scratch only)."""
    tables = ("transactions", "postings", "accounts")
    oids = ", ".join(f"'{schema}.{table}'::regclass" for table in tables)
    with engine.begin() as connection:
        connection.execute(text(f"DELETE FROM pg_statistic WHERE starelid IN ({oids})"))
        connection.execute(
            text(f"UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid IN ({oids})")
        )
    engine.dispose()  # fresh connections: no plan cached under the old statistics


def statements_per_call(books: ledger_app.Books, call: Callable[[Session], object]) -> int:
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    with Session(books.engine) as session:
        bind_session(session, books.tenant)
        session.execute(text("SELECT 1"))
        event.listen(books.engine, "before_cursor_execute", record)
        call(session)
        event.remove(books.engine, "before_cursor_execute", record)
        session.rollback()
    return len(sent)


def alternate(
    books: ledger_app.Books, variants: dict[str, Callable[[Session], object]], repeat: int
) -> dict[str, list[float]]:
    """Milliseconds per call, the variants taking turns, each call its own bound transaction."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    with Session(books.engine) as session:
        bind_session(session, books.tenant)
        for call in variants.values():  # warm up
            call(session)
            session.rollback()
        for _ in range(repeat):
            for name, call in variants.items():
                started = time.perf_counter()
                call(session)
                session.rollback()
                samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def run(database_url: str, redis_url: str, size: int, repeat: int, results: Path) -> str:
    with (
        scratch_database(database_url) as url,
        ledger_app.application(url, redis_url) as (_app, engine),
    ):
        machine = describe(engine)
        data = generate(size)
        books = ledger_app.import_books(engine, data, beancount_text(data))
        cursor = ledger_app.deep_cursor(books)
        variants: dict[str, Callable[[Session], object]] = {}
        for label, implementation in (("before", journal_before), ("after", journal)):
            variants[f"first page, {label}"] = lambda s, j=implementation: j(s)
            variants[f"deep page, {label}"] = lambda s, j=implementation: j(s, before=cursor)
        with Session(engine) as session:
            bind_session(session, books.tenant)
            if journal_before(session, before=cursor) != journal(session, before=cursor):
                raise RuntimeError("the two journals differ")
        counts = {name: statements_per_call(books, call) for name, call in variants.items()}
        analyse(engine, books.tenant.schema_name)
        analysed = alternate(books, variants, repeat)
        forget_statistics(engine, books.tenant.schema_name)
        unanalysed = alternate(books, variants, repeat)
    load_at_end = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    rows = [
        (
            name,
            str(counts[name]),
            f"{median(analysed[name]):.1f} / {p95(analysed[name]):.1f}",
            f"{median(unanalysed[name]):.1f} / {p95(unanalysed[name]):.1f}",
        )
        for name in variants
    ]
    header = ("journal", "statements per page", "ms, analysed", "ms, no statistics")
    note = (
        f"load average {load_at_end} at the end. Server time, "
        f"median / p95 of {repeat} calls per variant, taking turns; each call its own bound "
        "transaction (binding and rollback included). Books imported with `import_book` "
        f"({size:,} transactions, deep page 90% back)."
    )
    return append_run(
        f"journal at {size:,} transactions, before and after",
        f"{machine}; {note}",
        [(header, rows)],
        results,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger_journal", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    options = parser.parse_args(argv)
    print(
        run(options.database_url, options.redis_url, options.size, options.repeat, options.results)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
