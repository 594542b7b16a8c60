"""Releases of a deferral: the months a prepaid cost or an amount invoiced in advance falls due.

A transaction that books an amount to a deferral account (prepaid expenses, amounts invoiced
in advance) stores here when and how much of it moves into the result. Nothing is posted ahead
of time: a scheduled job posts each release once its day has come (``ledger.releases``), so
the journal holds no future-dated bookings, and the unposted rows are what is still to be
released.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Identity, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class Release(LedgerBase):
    """One scheduled release: ``amount`` moves from ``account`` into ``into`` on ``due_on``.

    ``amount`` is the posting on ``into`` (positive releases a cost, negative an income);
    ``key`` is the posted transaction's source, unique, so a release is booked at most once.
    """

    __tablename__ = "releases"
    __table_args__ = (
        Index(
            "ix_releases_due",
            "due_on",
            postgresql_where=text("transaction_id IS NULL AND cancelled_by IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    schedule: Mapped[str] = mapped_column(Text, index=True)  # the deferring transaction's source
    due_on: Mapped[dt.date] = mapped_column(Date)
    account: Mapped[str] = mapped_column(Text)
    into: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String(24))
    narration: Mapped[str] = mapped_column(Text)
    payee: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    transaction_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("transactions.id"), unique=True
    )
    cancelled_by: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
