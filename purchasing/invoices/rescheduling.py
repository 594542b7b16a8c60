"""Releases posted ahead of their day, the old way, turned into scheduled ones.

Before releases were scheduled, booking an invoice wrote every monthly release at once, dated
on the first of its month; those dated after today sit at the top of the journal. This takes
each of them out (``ledger.transactions.withdraw_transaction``, in the audit trail) and stores
it as a scheduled release under the same key, which the job posts when its day comes. The
bureau's side of such invoices is left alone: its fee was booked as income on the invoice
date, which a correcting entry fixes better than this could. Never commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Transaction
from ledger.queries import load_transaction
from ledger.releases import Deferral, NewRelease, schedule_releases
from ledger.transactions import withdraw_transaction

# booking:invoice:<id>:member:<YYYY-MM>, as purchasing.invoices.entries keys a release.
LEGACY_RELEASE = r"^booking:invoice:[0-9]+:member:[0-9]{4}-[0-9]{2}$"


def reschedule_future_releases(session: Session, today: date, actor_id: int | None) -> int:
    """Turn the bound books' releases dated after ``today`` into scheduled ones; how many."""
    found = session.execute(
        select(Transaction.id, Transaction.source)
        .where(Transaction.source.regexp_match(LEGACY_RELEASE), Transaction.date > today)
        .order_by(Transaction.date, Transaction.id)
    ).all()
    for transaction_id, source in found:
        release = load_transaction(session, transaction_id)
        assert release is not None and source is not None
        (into, units), account = (
            (release.postings[0].account, release.postings[0].units),
            release.postings[1].account,
        )
        withdraw_transaction(session, transaction_id, actor_id)
        schedule_releases(
            session,
            Deferral(
                schedule=source.rsplit(":", 1)[0],
                account=account,
                into=into,
                currency=units.currency,
                narration=release.narration,
                releases=(NewRelease(source, release.date, units.number),),
                payee=release.payee,
                link=next(iter(release.links), None),
            ),
        )
    session.flush()
    return len(found)
