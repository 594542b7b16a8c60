"""Reads about pools: which are open to an organisation, who is in one, what each declared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from purchasing.models import (
    CollectivePolicy,
    DeclarationKind,
    Enrolment,
    ExposureDeclaration,
    Pool,
    PoolStatus,
    VolunteerScheme,
)
from purchasing.policies import volunteer_scheme_of
from purchasing.rating import Exposure, Line
from purchasing.shares import Member


@dataclass(frozen=True)
class PoolOffer:
    """A pool an organisation may join, as a list on a page shows it."""

    pool_id: int
    name: str
    policy_name: str
    line: Line
    status: PoolStatus
    members: int
    minimum_members: int
    enrolment_closes_on: date | None
    overlaps_municipal_scheme: bool


def member_key(organisation_id: int) -> str:
    """The key a member is split under: zero-padded, so ties go to the oldest organisation."""
    return f"{organisation_id:012d}"


def current_enrolments(session: Session, pool_id: int, day: date) -> list[Enrolment]:
    """Enrolments of the pool still covered on ``day`` (or joining later), oldest first."""
    return list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.pool_id == pool_id)
            .where((Enrolment.left_on.is_(None)) | (Enrolment.left_on >= day))
            .options(selectinload(Enrolment.declarations))
            .order_by(Enrolment.id)
        )
    )


def pools_open_to(session: Session, organisation_id: int, today: date) -> list[PoolOffer]:
    """Pools enrolling today that the organisation is not (still) in, by name."""
    enrolled = select(Enrolment.pool_id).where(
        Enrolment.organisation_id == organisation_id,
        (Enrolment.left_on.is_(None)) | (Enrolment.left_on >= today),
    )
    pools: Sequence[Pool] = session.scalars(
        select(Pool)
        .join(CollectivePolicy)
        .where(Pool.status != PoolStatus.CLOSED, Pool.id.not_in(enrolled))
        .options(selectinload(Pool.policy))
        .order_by(Pool.name, Pool.id)
    ).all()
    pools = [pool for pool in pools if pool.is_enrolling_on(today)]
    counts = member_counts(session, [pool.id for pool in pools], today)
    scheme = volunteer_scheme_of(session, organisation_id)
    covered = scheme in (VolunteerScheme.VNG_BASIS, VolunteerScheme.VNG_PLUS)
    return [
        PoolOffer(
            pool_id=pool.id,
            name=pool.name,
            policy_name=pool.policy.name,
            line=Line(pool.policy.line),
            status=PoolStatus(pool.status),
            members=counts.get(pool.id, 0),
            minimum_members=pool.minimum_members,
            enrolment_closes_on=pool.enrolment_closes_on,
            overlaps_municipal_scheme=covered and pool.policy.line == Line.VOLUNTEERS,
        )
        for pool in pools
    ]


def member_counts(session: Session, pool_ids: Sequence[int], day: date) -> dict[int, int]:
    """Members still covered on ``day``, per pool, in one query."""
    rows = session.execute(
        select(Enrolment.pool_id, func.count())
        .where(Enrolment.pool_id.in_(pool_ids))
        .where((Enrolment.left_on.is_(None)) | (Enrolment.left_on >= day))
        .group_by(Enrolment.pool_id)
    )
    return {pool_id: count for pool_id, count in rows}


def member_count(session: Session, pool_id: int, day: date) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.pool_id == pool_id)
        .where((Enrolment.left_on.is_(None)) | (Enrolment.left_on >= day))
    )
    return int(count or 0)


def declaration_on(
    enrolment: Enrolment, day: date, kind: DeclarationKind = DeclarationKind.ESTIMATE
) -> ExposureDeclaration | None:
    """The declaration of ``kind`` in force on ``day``: the latest effective by then.

    Before the first one takes effect, the first one counts (a member declares as it joins).
    """
    rows = [row for row in enrolment.declarations if row.kind == kind]
    in_force = [row for row in rows if row.effective_from <= day]
    if in_force:
        return max(in_force, key=lambda row: (row.effective_from, row.id))
    return min(rows, key=lambda row: (row.effective_from, row.id), default=None)


def exposure_of(declaration: ExposureDeclaration | None) -> Exposure:
    if declaration is None:
        return Exposure()
    return Exposure(
        employees=declaration.employees,
        fte=declaration.fte,
        payroll=declaration.payroll,
        volunteers=declaration.volunteers,
        turnover=declaration.turnover,
    )


def pool_members(
    session: Session, pool: Pool, day: date, kind: DeclarationKind = DeclarationKind.ESTIMATE
) -> list[Member]:
    """The pool as pricing sees it on ``day``: covered from the later of joining and the start."""
    return [
        Member(
            key=member_key(enrolment.organisation_id),
            exposure=exposure_of(declaration_on(enrolment, day, kind)),
            joined_on=max(enrolment.joined_on, pool.started_on or enrolment.joined_on),
            left_on=enrolment.left_on,
        )
        for enrolment in current_enrolments(session, pool.id, day)
    ]
