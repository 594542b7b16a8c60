"""Budgets: the amount planned for one account over one period, to set against what happened."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class Budget(LedgerBase):
    """``number currency`` planned for ``account`` from ``starts_on`` to ``ends_on`` (inclusive).

    Numbers carry Beancount's sign: an income budget is negative, like the income it plans.
    """

    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        UniqueConstraint("account_id", "starts_on", "ends_on", "currency"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    number: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String(24))
