"""The dated directives besides transactions: balance assertions, pads, notes, events, customs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    ForeignKey,
    Identity,
    Index,
    Numeric,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class BalanceAssertion(LedgerBase):
    """The account (with its subaccounts) holds ``number currency`` at the start of ``date``.

    ``difference`` (actual minus asserted) is kept up to date by every posting before ``date``,
    so checking that an assertion still holds never re-reads the history.
    """

    __tablename__ = "balance_assertions"
    __table_args__ = (
        Index("ix_balance_assertions_account_id_currency_date", "account_id", "currency", "date"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    number: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String(24))
    tolerance: Mapped[Decimal | None] = mapped_column(Numeric)
    difference: Mapped[Decimal] = mapped_column(Numeric, default=Decimal(0))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Pad(LedgerBase):
    """Fill ``account`` from ``source_account`` up to the next balance assertion."""

    __tablename__ = "pads"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    source_account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Note(LedgerBase):
    """A dated remark on an account."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"), index=True)
    comment: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    links: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Event(LedgerBase):
    """A dated value of a named variable (Beancount's ``event``), such as a location."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Custom(LedgerBase):
    """A ``custom`` directive (budgets and the like); values are typed as in ``ledger.meta``."""

    __tablename__ = "customs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(Text)
    values: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
