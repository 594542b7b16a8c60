"""Which municipal volunteers scheme (VNG) already covers an organisation, so nobody buys twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import created_at, one_of
from tenants.tables import PublicBase


class VolunteerScheme(StrEnum):
    NONE = "none"
    VNG_BASIS = "vng_basis"
    VNG_PLUS = "vng_plus"
    OTHER = "other"


class MunicipalVolunteerCover(PublicBase):
    """The municipal volunteers insurance an organisation's municipality gives it, if any."""

    __tablename__ = "municipal_volunteer_covers"
    __table_args__ = (CheckConstraint(one_of("scheme", VolunteerScheme), name="scheme"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    scheme: Mapped[str] = mapped_column(String(12))
    municipality: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_at: Mapped[datetime] = created_at()
