"""Messages sent about invoices (the invoice itself, reminders, pre-notifications), each once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Identity, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import created_at, enum_column, one_of
from tenants.tables import PublicBase


class MessageKind(StrEnum):
    INVOICE = "invoice"
    REMINDER = "reminder"
    PRENOTIFICATION = "prenotification"


class InvoiceMessage(PublicBase):
    """A message claimed under a unique ``key`` before it is sent; ``sent_at`` once it went.

    The key (``invoice:7``, ``reminder:7:2``, ``prenotification:31``) is what makes sending
    idempotent: a second job for the same key finds the row sent and does nothing.
    """

    __tablename__ = "invoice_messages"
    __table_args__ = (CheckConstraint(one_of("kind", MessageKind), name="kind"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[MessageKind] = enum_column(MessageKind, 16)
    level: Mapped[int | None] = mapped_column()
    recipient: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
