"""What checking the server-side session costs a request, with many sessions in the table.

```
python -m bench.sessions [--sessions 100000] [--database-url URL]
```

Fills ``user_sessions`` with the given number of rows (over a thousand users), then times
``tenants.sessions.check_session`` (one indexed lookup joined to the user and the second factor)
for random live tokens, each in a transaction of its own as a request would, and appends the
median and p95 to ``RESULTS.md`` with the query plan's access path.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session

import purchasing.models  # noqa: F401  (the public tables the migrations make)
from bench.machine import describe
from bench.results import append_run
from bench.scratch import scratch_database
from bench.stats import median, p95
from tenants.migrations import upgrade_public
from tenants.models import User
from tenants.security_models import UserSession
from tenants.sessions import Timeouts, check_session, token_hash

USERS = 1000
SAMPLES = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    arguments = parser.parse_args()
    server = arguments.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    with scratch_database(server) as url:
        engine = create_engine(url)
        upgrade_public(engine)
        tokens = _fill(engine, arguments.sessions)
        timings, plan = _measure(engine, tokens)
        rows = [
            [
                f"{arguments.sessions:,}",
                f"{median(timings):.0f} µs",
                f"{p95(timings):.0f} µs",
                plan,
            ]
        ]
        header = ["sessions in the table", "check, median", "check, p95", "access path"]
        print(append_run("session check per request", describe(engine), [(header, rows)]))
        engine.dispose()


def _fill(engine: object, count: int) -> list[str]:
    now = datetime.now(UTC)
    with Session(engine) as session:  # type: ignore[call-overload]
        session.execute(
            insert(User),
            [
                {"email": f"bench{n}@example.org", "password_hash": "x", "name": ""}
                for n in range(USERS)
            ],
        )
        ids = list(session.scalars(text("SELECT id FROM public.users")))
        tokens = [f"token-{n}" for n in range(count)]
        session.execute(
            insert(UserSession),
            [
                {
                    "user_id": ids[n % len(ids)],
                    "token_hash": token_hash(token),
                    "created_at": now,
                    "last_seen_at": now,
                    "must_rotate": False,
                    "user_agent": "bench",
                }
                for n, token in enumerate(tokens)
            ],
        )
        session.commit()
        session.execute(text("ANALYZE public.user_sessions"))
        session.commit()
    return tokens


def _measure(engine: object, tokens: list[str]) -> tuple[list[float], str]:
    timings = []
    now = datetime.now(UTC)
    with Session(engine) as session:  # type: ignore[call-overload]
        for token in random.sample(tokens, min(SAMPLES, len(tokens))):
            started = time.perf_counter()
            assert check_session(session, token, now, Timeouts()) is not None
            session.commit()
            timings.append((time.perf_counter() - started) * 1e6)
        plan = session.scalar(
            text("EXPLAIN SELECT * FROM public.user_sessions WHERE token_hash = :hash").bindparams(
                hash=token_hash(tokens[0])
            )
        )
    return timings, str(plan).split("  (")[0]


if __name__ == "__main__":
    main()
