"""Tables of the bank feature in an organisation's schema: accounts, imports, lines, rules."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from ledger.bank.statement import StatementFormat
from ledger.enum_columns import check_one_of, enum_column
from ledger.tables import LedgerBase


class BankAccount(LedgerBase):
    """An account at a bank (by IBAN), whose statements are booked on one ledger account."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    iban: Mapped[str] = mapped_column(String(34), unique=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    currency: Mapped[str] = mapped_column(String(24), default="EUR")
    csv_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BankImport(LedgerBase):
    """One file read into a bank account: what it held and how much of it was new."""

    __tablename__ = "bank_imports"
    __table_args__ = (check_one_of("format", StatementFormat),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("bank_accounts.id"), index=True
    )
    filename: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[StatementFormat] = enum_column(StatementFormat, 16)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    closing_date: Mapped[date | None] = mapped_column(Date)
    closing_number: Mapped[Decimal | None] = mapped_column(Numeric)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[int | None] = mapped_column(BigInteger)


class BankLine(LedgerBase):
    """One line of a statement; waits in the inbox until ``booked_at`` (or ``ignored_at``) is set.

    ``identity`` is stable across exports (the bank's reference, or a hash), so reading an
    overlapping file again adds nothing twice.
    """

    __tablename__ = "bank_lines"
    __table_args__ = (
        UniqueConstraint("bank_account_id", "identity"),
        Index(
            "ix_bank_lines_bank_account_id_booked_at_date", "bank_account_id", "booked_at", "date"
        ),
        CheckConstraint("ignored_at IS NULL OR ignored_reason <> ''", name="ignored_with_reason"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bank_accounts.id"))
    import_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bank_imports.id"), index=True)
    identity: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text, default="")
    counterparty_name: Mapped[str] = mapped_column(Text, default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    bank_reference: Mapped[str] = mapped_column(Text, default="")
    end_to_end_id: Mapped[str] = mapped_column(Text, default="")
    payment_reference: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str] = mapped_column(String(8), default="")
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    booked_by: Mapped[int | None] = mapped_column(BigInteger)
    transaction_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("transactions.id"), index=True
    )
    # Not booked by the bank yet: shown, never booked; its booked version replaces it.
    is_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Set aside by a person, with the reason why (undone by clearing all three).
    ignored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ignored_by: Mapped[int | None] = mapped_column(BigInteger)
    ignored_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def is_waiting(self) -> bool:
        """Still to be booked: not booked, not ignored, not pending at the bank."""
        return self.booked_at is None and self.ignored_at is None and not self.is_pending


def is_waiting() -> ColumnElement[bool]:
    """SQL for ``BankLine.is_waiting``: the lines still to be booked (the inbox, the to-do)."""
    return and_(
        BankLine.booked_at.is_(None), BankLine.ignored_at.is_(None), BankLine.is_pending.is_(False)
    )


class BankBalance(LedgerBase):
    """The bank's balance at the start of ``date``, from a statement's opening or closing.

    It becomes a balance assertion in the books (``assertion_id``) once every line before
    ``date`` is booked and the books agree; until then it shows as a reconciliation difference.
    """

    __tablename__ = "bank_balances"
    __table_args__ = (UniqueConstraint("bank_account_id", "date", "currency"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bank_accounts.id"))
    date: Mapped[date] = mapped_column(Date)
    number: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String(24))
    import_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bank_imports.id"), index=True)
    assertion_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("balance_assertions.id")
    )


class BankRule(LedgerBase):
    """Proposes a contra account for lines that match every condition it sets."""

    __tablename__ = "bank_rules"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bank_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("bank_accounts.id"), index=True
    )
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    counterparty_name: Mapped[str] = mapped_column(Text, default="")
    description_contains: Mapped[str] = mapped_column(Text, default="")
    amount_min: Mapped[Decimal | None] = mapped_column(Numeric)
    amount_max: Mapped[Decimal | None] = mapped_column(Numeric)
    contra_account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    narration: Mapped[str] = mapped_column(Text, default="")
    # The project lines booked by the rule get (``ledger.projects``); empty: none.
    project: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[int | None] = mapped_column(BigInteger)
