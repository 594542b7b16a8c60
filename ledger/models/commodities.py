"""Commodities (currencies and other units) and their prices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, Identity, Index, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class Commodity(LedgerBase):
    """A declared commodity; optional in Beancount, kept for its metadata (names, precision)."""

    __tablename__ = "commodities"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    currency: Mapped[str] = mapped_column(String(24), unique=True)
    date: Mapped[date] = mapped_column(Date)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Price(LedgerBase):
    """One unit of ``currency`` cost ``number quote_currency`` on ``date``."""

    __tablename__ = "prices"
    __table_args__ = (
        Index("ix_prices_currency_quote_currency_date", "currency", "quote_currency", "date"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(24))
    number: Mapped[Decimal] = mapped_column(Numeric)
    quote_currency: Mapped[str] = mapped_column(String(24))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
