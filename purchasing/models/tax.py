"""Dated settings of insurance premium tax: the rate, and how each line is treated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Identity,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import one_of
from purchasing.premium_tax import Treatment
from purchasing.rating import Line
from tenants.tables import PublicBase


class PremiumTaxRate(PublicBase):
    """The assurantiebelasting rate in percent, from ``valid_from`` until the next row."""

    __tablename__ = "premium_tax_rates"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, unique=True)
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class PremiumTaxTreatment(PublicBase):
    """Whether a line is taxed, exempt or taxed in part, from ``valid_from`` on."""

    __tablename__ = "premium_tax_treatments"
    __table_args__ = (
        UniqueConstraint("line", "valid_from"),
        CheckConstraint(one_of("line", Line), name="line"),
        CheckConstraint(one_of("treatment", Treatment), name="treatment"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    line: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    treatment: Mapped[str] = mapped_column(String(8))
