"""Books made by ``bean-example``, imported into a fresh organisation, with bean-query over them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beanquery import query
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.balances import Balances
from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.provisioning import NewOrganisation, provision_organisation

BOOKS = [
    (1, "2022-01-01", "2023-06-30"),
    (7, "2019-03-15", "2021-12-31"),
    (3, "2023-02-01", "2024-12-31"),
]


class Beanquery:
    """bean-query over one loaded file."""

    def __init__(self, text: str) -> None:
        self.entries, errors, self.options = loader.load_string(text)
        assert errors == []

    def balances(self, where: str) -> Balances:
        rows = self.run(f"SELECT account, units(sum(position)) WHERE {where} GROUP BY account")
        result: Balances = {}
        for account, inventory in rows:
            for pos in inventory:
                if pos.units.number != 0:
                    result.setdefault(account, {})[pos.units.currency] = pos.units.number
        return result

    def total(self, where: str) -> dict[str, Decimal]:
        rows = self.run(f"SELECT units(sum(position)) WHERE {where}")
        positions = rows[0][0] if rows else []
        return {p.units.currency: p.units.number for p in positions if p.units.number != 0}

    def run(self, bql: str) -> list[Any]:
        _types, rows = query.run_query(self.entries, self.options, bql)
        return list(rows)


def imported_example(
    engine: Engine, directory: Path, seed: int, begin: str, end: str
) -> Iterator[tuple[Session, Beanquery, date, date]]:
    """Generate the book, import it into a new organisation, and yield it with bean-query."""
    target = directory / "example.beancount"
    command = ["bean-example", "--seed", str(seed), "--date-begin", begin, "--date-end", end]
    subprocess.run(
        [*command, "-o", str(target)],
        check=True,
        capture_output=True,
    )
    text = target.read_text()
    with Session(engine) as session:
        tenant = provision_organisation(
            session,
            NewOrganisation(slug=f"example-{seed}-{begin.replace('-', '')}", name="Example"),
        )
    with Session(engine) as session:
        bind_session(session, tenant)
        import_book(session, text, actor_id=None, source="bean-example")
        yield session, Beanquery(text), date.fromisoformat(begin), date.fromisoformat(end)
