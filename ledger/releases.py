"""Deferrals released when they fall due: a schedule is stored, each release posted once.

An amount booked to a deferral account (a prepaid cost, an amount invoiced in advance) moves
into the result in the months it covers. The months and their amounts are stored with the
deferring transaction (``schedule_releases``); ``post_due_releases``, run by a scheduled job,
posts every release whose day has come, so the journal never holds a future-dated booking
and the unposted rows say what is still to be released (``outstanding``).

Each release carries a unique key, used as its transaction's source, and the ledger refuses
a second transaction with the same booking key: running the job twice books nothing twice.
A release due inside a closed period is posted on the first open day after it, saying so in
its narration; the closed period stays as it was closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import DomainError
from ledger.models import AccountingPeriod, Release, Transaction
from ledger.transactions import post_transaction


@dataclass(frozen=True)
class NewRelease:
    """One release of a schedule: on ``due_on``, ``amount`` is posted on ``into``."""

    key: str
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class Deferral:
    """What a deferring transaction leaves to release, and the words its releases carry."""

    schedule: str
    account: str
    into: str
    currency: str
    narration: str
    releases: Sequence[NewRelease]
    payee: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class ReleaseRound:
    """What one pass over an organisation's due releases did."""

    posted: int
    refused: int


def schedule_releases(session: Session, deferral: Deferral) -> None:
    """Store the releases of ``deferral``; a release stored before (same key) is kept as it is."""
    rows = [
        {
            "key": release.key,
            "schedule": deferral.schedule,
            "due_on": release.due_on,
            "account": deferral.account,
            "into": deferral.into,
            "amount": release.amount,
            "currency": deferral.currency,
            "narration": deferral.narration,
            "payee": deferral.payee,
            "link": deferral.link,
        }
        for release in deferral.releases
        if release.amount
    ]
    if rows:
        session.execute(insert(Release).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def offset_releases(session: Session, schedule: str, offsetting: str, after: date) -> int:
    """Cancel, month by month, the releases of ``schedule`` due after ``after`` against those of
    ``offsetting`` (a credit note's mirror of them), while neither is posted; how many pairs.

    A release of the original that was posted already (a credit note dated back) keeps its
    mirror, which then posts too: either way the two schedules together release nothing.
    Rows are locked, so a release being posted right now is either posted or cancelled.
    """
    originals = session.scalars(
        select(Release)
        .where(
            Release.schedule == schedule,
            Release.due_on > after,
            Release.transaction_id.is_(None),
            Release.cancelled_by.is_(None),
        )
        .order_by(Release.id)
        .with_for_update()
    ).all()
    pairs = 0
    for original in originals:
        mirror_key = offsetting + original.key.removeprefix(schedule)
        mirror = session.scalar(
            select(Release)
            .where(
                Release.key == mirror_key,
                Release.transaction_id.is_(None),
                Release.cancelled_by.is_(None),
            )
            .with_for_update()
        )
        if mirror is not None:
            original.cancelled_by, mirror.cancelled_by = mirror.key, original.key
            pairs += 1
    session.flush()
    return pairs


def post_due_releases(
    session: Session, today: date, *, schedule: str | None = None
) -> ReleaseRound:
    """Post every release due on or before ``today`` (of one ``schedule`` when named), once.

    Each release is posted in a savepoint: one the ledger refuses (an account closed since)
    keeps its reason in ``last_error`` and is tried again on the next pass; the others go on.
    Rows are locked with SKIP LOCKED, so two passes at once never post the same release.
    """
    query = (
        select(Release)
        .where(
            Release.due_on <= today,
            Release.transaction_id.is_(None),
            Release.cancelled_by.is_(None),
        )
        .order_by(Release.due_on, Release.id)
        .with_for_update(skip_locked=True)
    )
    if schedule is not None:
        query = query.where(Release.schedule == schedule)
    posted = refused = 0
    for release in session.scalars(query).all():
        try:
            with session.begin_nested():
                release.transaction_id = _post(session, release)
                release.last_error = None
            posted += 1
        except DomainError as error:
            release.last_error = str(error)
            refused += 1
    session.flush()
    return ReleaseRound(posted, refused)


@dataclass(frozen=True)
class Outstanding:
    """What is still to be released from one deferral account, and when the last release falls."""

    account: str
    currency: str
    amount: Decimal
    releases: int
    last_due_on: date


def outstanding(session: Session) -> list[Outstanding]:
    """Per deferral account: the releases neither posted nor cancelled, summed."""
    rows = session.execute(
        select(
            Release.account,
            Release.currency,
            func.sum(Release.amount),
            func.count(),
            func.max(Release.due_on),
        )
        .where(Release.transaction_id.is_(None), Release.cancelled_by.is_(None))
        .group_by(Release.account, Release.currency)
        .order_by(Release.account, Release.currency)
    )
    return [Outstanding(*row) for row in rows]


def releases_of(session: Session, schedule: str) -> list[Release]:
    """A schedule's releases in date order, posted, cancelled and still to come."""
    return list(
        session.scalars(
            select(Release).where(Release.schedule == schedule).order_by(Release.due_on)
        )
    )


def first_open_day(session: Session, day: date) -> date:
    """``day``, or the first day after the closed periods that hold it."""
    while True:
        closed_until = session.scalar(
            select(AccountingPeriod.ends_on).where(
                AccountingPeriod.starts_on <= day,
                AccountingPeriod.ends_on >= day,
                AccountingPeriod.closed_at.is_not(None),
            )
        )
        if closed_until is None:
            return day
        day = closed_until + timedelta(days=1)


def _post(session: Session, release: Release) -> int:
    found = session.scalar(select(Transaction.id).where(Transaction.source == release.key))
    if found is not None:  # posted under this key before the schedule knew (an earlier pass)
        return int(found)
    on = first_open_day(session, release.due_on)
    narration = release.narration
    if on != release.due_on:
        narration += (
            f" (vervallen op {release.due_on:%d-%m-%Y}, in een afgesloten periode;"
            " geboekt op de eerste open dag)"
        )
    currency = release.currency
    transaction = NewTransaction(
        date=on,
        narration=narration,
        payee=release.payee,
        postings=(
            NewPosting(release.into, Amount(release.amount, currency)),
            NewPosting(release.account, Amount(-release.amount, currency)),
        ),
        links=frozenset({release.link} if release.link else ()),
        source=release.key,
    )
    return post_transaction(session, transaction, None)
