"""A one-row table in every tenant schema that says whose schema it is."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class TenantMarker(LedgerBase):
    """Checked after every binding: the schema we landed in must belong to the organisation."""

    __tablename__ = "tenant_marker"
    __table_args__ = (CheckConstraint("singleton", name="one_row"),)

    singleton: Mapped[bool] = mapped_column(primary_key=True, default=True)
    organisation_id: Mapped[int] = mapped_column(BigInteger)
    schema_name: Mapped[str] = mapped_column(String(63))
