"""Reads of the shared registry: organisations, memberships, users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from tenants.models import Invitation, Membership, Organisation, User


def organisation_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.slug == slug))


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def membership_of(session: Session, user_id: int, organisation_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )


@dataclass(frozen=True, slots=True)
class MemberOrganisation:
    """An organisation as its member's pages need it: plain values, good after the session."""

    id: int
    slug: str
    name: str
    schema_name: str
    is_bureau: bool


_ORGANISATIONS = Organisation.__table__.c
# ``MemberOrganisation``'s fields, in order, as Core columns (no ORM loading step).
MEMBER_ORGANISATION_COLUMNS = (
    _ORGANISATIONS.id,
    _ORGANISATIONS.slug,
    _ORGANISATIONS.name,
    _ORGANISATIONS.schema_name,
    _ORGANISATIONS.is_bureau,
)


def member_organisation(values: Sequence[Any]) -> MemberOrganisation:
    """``MemberOrganisation`` from the values of ``MEMBER_ORGANISATION_COLUMNS``, in order."""
    return MemberOrganisation(*values)


def organisations_of(session: Session, user_id: int) -> list[tuple[MemberOrganisation, str]]:
    """The organisations a user belongs to, with the role in each, by name."""
    rows = session.execute(_organisations_of_statement(), {"user_id": user_id})
    return [(member_organisation(row[:-1]), row[-1]) for row in rows]


@cache
def _organisations_of_statement() -> Select[Any]:
    """``organisations_of``'s statement, built once (every request runs it); with ``user_id``."""
    return (
        select(*MEMBER_ORGANISATION_COLUMNS, Membership.role)
        .join(Membership, Membership.organisation_id == _ORGANISATIONS.id)
        .where(Membership.user_id == bindparam("user_id"))
        .order_by(_ORGANISATIONS.name)
    )


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def members_of(session: Session, organisation_id: int) -> list[tuple[User, str]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(User.email)
    )
    return [(user, role) for user, role in rows]


def open_invitations(session: Session, organisation_id: int) -> list[Invitation]:
    """Invitations of an organisation that are neither accepted, closed nor expired, newest
    first (at most one per address: ``tenants.invitations.invite``)."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation_id,
                Invitation.accepted_at.is_(None),
                Invitation.closed_at.is_(None),
                Invitation.expires_at > func.now(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def organisations_by_id(session: Session, ids: set[int]) -> dict[int, Organisation]:
    """The organisations with these ids (ids of removed ones are simply absent)."""
    if not ids:
        return {}
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {organisation.id: organisation for organisation in rows}
