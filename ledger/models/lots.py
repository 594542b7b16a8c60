"""Open lots: units held at one cost per account, kept by every write like the balance buckets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Identity,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class OpenLot(LedgerBase):
    """What is left of one lot at the end of the history; rows at zero are removed.

    Booking a reduction reads only these rows for its account and commodity (plus any later
    postings on them), never the account's whole history.
    """

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint(
            "account_id",
            "currency",
            "cost_number",
            "cost_currency",
            "cost_date",
            "cost_label",
            name="uq_lots_key",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    currency: Mapped[str] = mapped_column(String(24))
    cost_number: Mapped[Decimal] = mapped_column(Numeric)
    cost_currency: Mapped[str] = mapped_column(String(24))
    cost_date: Mapped[dt.date] = mapped_column(Date)
    cost_label: Mapped[str | None] = mapped_column(Text)
    units: Mapped[Decimal] = mapped_column(Numeric)
