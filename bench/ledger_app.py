"""Our application on generated books: import them, then time each operation two ways.

Server time calls the domain function with a tenant-bound session (each call a transaction of
its own, binding included); HTTP time is a full request through the Flask test client, logged
in as the organisation's owner through the real login form.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from bench.ledger_data import CURRENCY, Dataset
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.export import export_book
from ledger.importer import import_book
from ledger.models import Transaction
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.income_statement import income_statement
from ledger.reports.journal import journal
from ledger.reports.periods import Period
from ledger.transactions import post_transaction
from tenants.binding import TenantRef, bind_session
from tenants.migrations import upgrade_public
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role

PASSWORD = "bench horse battery staple"  # noqa: S105 (a throw-away user in a scratch database)
Cursor = tuple[date, int]
Operation = Callable[[Session], object]


@dataclass(frozen=True)
class Books:
    """One imported organisation and what the operations need to reach it."""

    engine: Engine
    tenant: TenantRef
    slug: str
    user_id: int
    email: str
    import_seconds: float


@contextmanager
def application(database_url: str, redis_url: str) -> Iterator[tuple[Flask, Engine]]:
    """The real application on the scratch database, with the shared schema in place.

    No application context is held open around the requests: each request gets its own, and
    with it its own database session, as in production.
    """
    with tempfile.TemporaryDirectory(prefix="sb_bench_instance_") as instance:
        os.environ.setdefault("SB_INSTANCE_DIR", instance)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "REDIS_URL": redis_url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
                "REMEMBER_COOKIE_SECURE": False,
                "LOG_LEVEL": "WARNING",
            }
        )
        with app.app_context():
            engine = db.engine
            upgrade_public(engine)
        try:
            yield app, engine
        finally:
            engine.dispose()


def import_books(engine: Engine, data: Dataset, text: str) -> Books:
    """A fresh organisation with an owner, its books loaded with ``import_book``."""
    slug = f"bench-{data.size}-{secrets.token_hex(3)}"
    email = f"{slug}@example.org"
    with Session(engine) as session:
        tenant = provision_organisation(session, NewOrganisation(slug=slug, name=data.title))
    with Session(engine) as session:
        user = create_user(session, email, PASSWORD)
        user_id = user.id
        add_member(session, user_id, tenant.organisation_id, Role.OWNER)
        session.commit()
    with Session(engine) as session:
        bind_session(session, tenant)
        started = time.perf_counter()
        import_book(session, text, user_id, source="bench")
        session.commit()
        seconds = time.perf_counter() - started
    return Books(engine, tenant, slug, user_id, email, seconds)


def logged_in(app: Flask, books: Books) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": books.email, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")
    return client


def deep_cursor(books: Books, depth: float = 0.9) -> Cursor:
    """The page key ``depth`` of the way back into the history (newest first)."""
    with Session(books.engine) as session:
        bind_session(session, books.tenant)
        total = session.query(Transaction).count()
        row = session.execute(
            select(Transaction.date, Transaction.id)
            .order_by(Transaction.date.desc(), Transaction.id.desc())
            .offset(int(total * depth))
            .limit(1)
        ).one()
        return row.date, row.id


def server_operations(books: Books, data: Dataset, cursor: Cursor) -> dict[str, Operation]:
    """Each operation as a call of the domain function on a bound session."""
    year = Period(date(data.last_day.year, 1, 1), data.last_day)
    return {
        "balance sheet": lambda s: balance_sheet(s, data.last_day),
        "income statement": lambda s: income_statement(s, year),
        "journal, first page": lambda s: journal(s),
        "journal, deep page": lambda s: journal(s, before=cursor),
        "export": export_book,
    }


def http_paths(books: Books, data: Dataset, cursor: Cursor) -> dict[str, str]:
    """The same operations as the pages a treasurer opens."""
    base = f"/o/{books.slug}"
    end = data.last_day.isoformat()
    start = date(data.last_day.year, 1, 1).isoformat()
    return {
        "balance sheet": f"{base}/reports/balance-sheet?date={end}",
        "income statement": f"{base}/reports/income-statement?from={start}&to={end}",
        "journal, first page": f"{base}/journal",
        "journal, deep page": f"{base}/journal?before={cursor[0].isoformat()}_{cursor[1]}",
        "export": f"{base}/export.beancount",
    }


def time_server(books: Books, operation: Operation, repeat: int) -> list[float]:
    """Seconds per call, each in its own bound transaction (binding and rollback included)."""
    samples = []
    with Session(books.engine) as session:
        bind_session(session, books.tenant)
        for _ in range(repeat):
            started = time.perf_counter()
            operation(session)
            session.rollback()
            samples.append(time.perf_counter() - started)
    return samples


def time_http(client: FlaskClient, path: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")
    return samples


def bank_fee(day: date, number: int) -> NewTransaction:
    """A small transaction in the last month, after its last balance assertion."""
    amount = Decimal(f"1.{number % 100:02d}")
    return NewTransaction(
        date=day,
        narration=f"Bankkosten {number}",
        payee="Triodos Bank",
        postings=(
            NewPosting("Expenses:Bank:Fees", Amount(amount, CURRENCY)),
            NewPosting("Assets:Bank:Checking", Amount(-amount, CURRENCY)),
        ),
    )


def time_posting(books: Books, day: date, repeat: int) -> list[float]:
    """``post_transaction`` end to end (checks, writes, audit row, commit), one at a time."""
    samples = []
    with Session(books.engine) as session:
        bind_session(session, books.tenant)
        for number in range(repeat):
            transaction = bank_fee(day, number)
            started = time.perf_counter()
            post_transaction(session, transaction, books.user_id)
            samples.append(time.perf_counter() - started)
    return samples


def time_http_posting(client: FlaskClient, books: Books, day: date, repeat: int) -> list[float]:
    """The full entry form posted as a treasurer does, redirect included, one at a time."""
    samples = []
    for number in range(repeat):
        amount = f"1,{number % 100:02d}"
        form = {
            "date": day.isoformat(),
            "payee": "Triodos Bank",
            "narration": f"Bankkosten web {number}",
            "account-0": "Expenses:Bank:Fees",
            "amount-0": amount,
            "account-1": "Assets:Bank:Checking",
            "amount-1": f"-{amount}",
        }
        started = time.perf_counter()
        response = client.post(f"/o/{books.slug}/entry/full", data=form)
        response.get_data()
        samples.append(time.perf_counter() - started)
        if response.status_code != 302:
            raise RuntimeError(f"POST entry/full: {response.status_code}")
    return samples
