"""Shared tables: organisations (the tenant registry), users, memberships, invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.enum_columns import check_one_of, enum_column
from tenants.roles import Role
from tenants.tables import PublicBase

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,47}$"
# The condition of the open invitations' unique index, as PostgreSQL keeps it.
OPEN_INVITATION = "accepted_at IS NULL AND closed_at IS NULL"


class LegalForm(StrEnum):
    """An organisation's legal form as stored; the web layer shows it in words (coöperatie)."""

    STICHTING = "stichting"
    VERENIGING = "vereniging"
    COOPERATIE = "cooperatie"
    INFORMEEL = "informeel"  # an initiative without a legal person: no KvK number, no RSIN


class Organisation(PublicBase):
    """A member organisation, or the bureau itself; its books live in ``schema_name``."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"),
        CheckConstraint("schema_name ~ '^org_[a-z0-9]{6,20}$'", name="schema_format"),
        check_one_of("legal_form", LegalForm, nullable=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(Text)
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    placement: Mapped[str] = mapped_column(String(63), default="default")
    tenant_revision: Mapped[str | None] = mapped_column(String(32), index=True)
    is_bureau: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_form: Mapped[LegalForm | None] = enum_column(LegalForm, 32)
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    rsin: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True
    )


class User(PublicBase):
    """A person who logs in; may belong to several organisations."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(Text, default="")
    # Deferred: a tenant-bound transaction may not read this column (``tenants.db_roles``), so
    # loading a user must not ask for it; logging in and changing a password load it on use.
    password_hash: Mapped[str] = mapped_column(Text, deferred=True)
    is_bureau_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When all of the person's sessions were last ended: a session whose login is older is
    # refused, even one a rotation was adding at that moment (``tenants.sessions``).
    sessions_ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Membership(PublicBase):
    """A user's role in one organisation."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id"),
        check_one_of("role", Role),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = enum_column(Role, 16)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(PublicBase):
    """An e-mailed invitation to join an organisation; only a hash of its token is kept.

    It is open until it is accepted or closed (withdrawn: its person was removed from the
    organisation, or another invitation to the same address was accepted), and usable while it
    is open and not expired. An organisation has at most one open invitation per address, held
    by the unique index below: ``tenants.invitations.invite`` renews that one, never adds one.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        check_one_of("role", Role),
        Index(
            "uq_invitations_open_address",
            "organisation_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text(OPEN_INVITATION),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = enum_column(Role, 16)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The link of the send just before, still good when this one repeated it within moments
    # (a double click mails twice; both links work): ``tenants.invitations.invite``.
    repeated_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()
