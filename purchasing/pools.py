"""Use cases of a pool: open it, quote, join, change a declaration, leave with notice, start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from purchasing.errors import EnrolmentRefused, NotFound, PoolNotOpen, ValidationFailed, message
from purchasing.models import (
    CoInsured,
    DeclarationKind,
    Enrolment,
    ExposureDeclaration,
    Pool,
    PoolStatus,
    VolunteerScheme,
)
from purchasing.policies import get_policy, policy_terms, volunteer_scheme_of
from purchasing.proration import Period
from purchasing.queries import member_count, member_key, pool_members
from purchasing.rating import Exposure, Line, TierMeasure
from purchasing.shares import Member, ShareBreakdown, price_pool

# Municipal schemes that already cover an organisation's volunteers.
MUNICIPAL_SCHEMES = (VolunteerScheme.VNG_BASIS, VolunteerScheme.VNG_PLUS)


@dataclass(frozen=True)
class TierStep:
    """A tier the pool has not reached yet, and what the quoted member would pay there."""

    threshold: Decimal
    still_needed: Decimal  # more members, or more pool exposure, depending on the tier measure
    rate: Decimal
    annual_premium: Decimal


@dataclass(frozen=True)
class Quote:
    """What a member would pay joining on a day: its share to the end of the term, and why.

    ``steps`` show how the premium falls as others join and the pool reaches further tiers.
    """

    pool_id: int
    joined_on: date
    share: ShareBreakdown
    tier_measure: TierMeasure
    steps: tuple[TierStep, ...]


def open_pool(
    session: Session,
    policy_id: int,
    name: str,
    minimum_members: int,
    enrolment_opens_on: date,
    enrolment_closes_on: date | None = None,
) -> int:
    """Open a pool on a policy; it waits for ``minimum_members`` before it starts."""
    if minimum_members < 1:
        raise ValidationFailed(
            message("Een pool heeft minstens één deelnemer nodig."), field="minimum_members"
        )
    if enrolment_closes_on is not None and enrolment_closes_on < enrolment_opens_on:
        raise ValidationFailed(
            message("De inschrijving kan niet sluiten voor ze opent."), field="enrolment_closes_on"
        )
    pool = Pool(
        policy_id=get_policy(session, policy_id).id,
        name=name.strip(),
        minimum_members=minimum_members,
        enrolment_opens_on=enrolment_opens_on,
        enrolment_closes_on=enrolment_closes_on,
    )
    session.add(pool)
    session.flush()
    return pool.id


def quote(
    session: Session, pool_id: int, organisation_id: int, exposure: Exposure, day: date
) -> Quote:
    """What ``organisation_id`` would pay if it joined on ``day`` with ``exposure``.

    Priced with the current members (their declarations on ``day``) plus this one, over the
    rest of the term; nothing is stored.
    """
    pool = get_pool(session, pool_id)
    terms = policy_terms(session, pool.policy)
    joined_on = max(day, terms.term.starts_on)
    key = member_key(organisation_id)
    others = [m for m in pool_members(session, pool, day) if m.key != key]
    members = [*others, Member(key, exposure, joined_on)]
    period = Period(min(joined_on, terms.term.ends_on), terms.term.ends_on)
    share = next(s for s in price_pool(terms, members, period) if s.member == key)
    card = terms.card
    steps = tuple(
        TierStep(
            threshold=tier.threshold,
            still_needed=tier.threshold - share.pool_measure,
            rate=tier.rate,
            annual_premium=max(card.annual_premium(exposure, tier), card.minimum_premium),
        )
        for tier in sorted(card.tiers, key=lambda tier: tier.threshold)
        if tier.threshold > share.pool_measure
    )
    return Quote(pool.id, joined_on, share, card.tier_measure, steps)


def join(
    session: Session,
    pool_id: int,
    organisation_id: int,
    exposure: Exposure,
    joined_on: date,
    declared_by_id: int | None = None,
    *,
    is_overlap_confirmed: bool = False,
) -> int:
    """Enrol an organisation with its declared exposure, named co-insured from ``joined_on``.

    An organisation whose municipality already covers its volunteers (VNG Basis or Plus)
    joins a volunteers pool only when it confirms it wants the cover on top
    (``is_overlap_confirmed``), so nobody buys the same cover twice by accident. The pool
    starts as soon as the enrolment brings it to its minimum.
    """
    _check_exposure(exposure)
    pool = get_pool(session, pool_id, lock=True)
    if not pool.is_enrolling_on(joined_on):
        raise PoolNotOpen(message("Deze pool neemt op %(day)s geen deelnemers aan."), day=joined_on)
    if not is_overlap_confirmed and _is_covered_by_municipality(session, pool, organisation_id):
        raise EnrolmentRefused(
            message(
                "Je gemeente verzekert je vrijwilligers al via de VNG-regeling. Bevestig dat je"
                " deze verzekering er bovenop wilt."
            ),
            field="confirm_overlap",
        )
    if _is_enrolled(session, pool.id, organisation_id, joined_on):
        raise EnrolmentRefused(message("Deze organisatie neemt al deel aan deze pool."))
    enrolment = Enrolment(pool_id=pool.id, organisation_id=organisation_id, joined_on=joined_on)
    session.add(enrolment)
    session.flush()
    _declare(session, enrolment, exposure, joined_on, DeclarationKind.ESTIMATE, declared_by_id)
    session.add(
        CoInsured(policy_id=pool.policy_id, organisation_id=organisation_id, named_from=joined_on)
    )
    start_if_ready(session, pool, joined_on)
    session.flush()
    return enrolment.id


def change_declaration(
    session: Session,
    enrolment_id: int,
    exposure: Exposure,
    effective_from: date,
    kind: DeclarationKind = DeclarationKind.ESTIMATE,
    declared_by_id: int | None = None,
) -> int:
    """Declare new figures from ``effective_from`` on, as a new row beside the old.

    ``kind=ACTUAL`` records the figures the true-up after the year is priced on.
    """
    _check_exposure(exposure)
    enrolment = get_enrolment(session, enrolment_id)
    if enrolment.left_on is not None and effective_from > enrolment.left_on:
        raise EnrolmentRefused(message("Na het einde van de deelname valt niets meer op te geven."))
    declaration = _declare(session, enrolment, exposure, effective_from, kind, declared_by_id)
    session.flush()
    return declaration.id


def leave(
    session: Session, enrolment_id: int, notice_given_on: date, leave_on: date | None = None
) -> date:
    """Give notice: cover ends on ``leave_on`` (last day covered), no sooner than the notice
    period of the policy allows. Returns that last day."""
    enrolment = get_enrolment(session, enrolment_id)
    if enrolment.notice_given_on is not None:
        raise EnrolmentRefused(message("De deelname is al opgezegd."))
    policy = enrolment.pool.policy
    earliest = notice_given_on + timedelta(days=policy.notice_days)
    last_day = max(leave_on or earliest, earliest, enrolment.joined_on)
    enrolment.notice_given_on = notice_given_on
    enrolment.left_on = last_day
    session.execute(
        update(CoInsured)
        .where(
            CoInsured.policy_id == policy.id,
            CoInsured.organisation_id == enrolment.organisation_id,
            CoInsured.named_until.is_(None),
        )
        .values(named_until=last_day)
    )
    session.flush()
    return last_day


def start_if_ready(session: Session, pool: Pool, day: date) -> bool:
    """Start a waiting pool once it has its minimum of members; covers them from ``day``."""
    if pool.status != PoolStatus.WAITING:
        return False
    if member_count(session, pool.id, day) < pool.minimum_members:
        return False
    started_on = max(day, pool.policy.starts_on)
    pool.status, pool.started_on = PoolStatus.ACTIVE, started_on
    session.flush()
    return True


def get_pool(session: Session, pool_id: int, *, lock: bool = False) -> Pool:
    pool = session.get(Pool, pool_id, with_for_update=lock)
    if pool is None:
        raise NotFound(message("Deze pool bestaat niet."))
    return pool


def get_enrolment(session: Session, enrolment_id: int) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(message("Deze deelname bestaat niet."))
    return enrolment


def members_on(session: Session, pool_id: int, day: date) -> list[Member]:
    """The pool's members as pricing sees them on ``day``."""
    return pool_members(session, get_pool(session, pool_id), day)


def _is_covered_by_municipality(session: Session, pool: Pool, organisation_id: int) -> bool:
    scheme = volunteer_scheme_of(session, organisation_id)
    return pool.policy.line == Line.VOLUNTEERS and scheme in MUNICIPAL_SCHEMES


def _is_enrolled(session: Session, pool_id: int, organisation_id: int, day: date) -> bool:
    found = session.scalar(
        select(Enrolment.id).where(
            Enrolment.pool_id == pool_id,
            Enrolment.organisation_id == organisation_id,
            (Enrolment.left_on.is_(None)) | (Enrolment.left_on >= day),
        )
    )
    return found is not None


def _declare(
    session: Session,
    enrolment: Enrolment,
    exposure: Exposure,
    effective_from: date,
    kind: DeclarationKind,
    declared_by_id: int | None,
) -> ExposureDeclaration:
    declaration = ExposureDeclaration(
        enrolment=enrolment,
        kind=kind,
        effective_from=effective_from,
        employees=exposure.employees,
        fte=exposure.fte,
        payroll=exposure.payroll,
        volunteers=exposure.volunteers,
        turnover=exposure.turnover,
        declared_by_id=declared_by_id,
    )
    session.add(declaration)
    session.flush()
    return declaration


def _check_exposure(exposure: Exposure) -> None:
    figures = (exposure.employees, exposure.fte, exposure.payroll, exposure.volunteers)
    if any(figure < 0 for figure in (*figures, exposure.turnover)):
        raise ValidationFailed(
            message("Opgegeven aantallen en bedragen kunnen niet negatief zijn.")
        )
    if exposure.volunteers != exposure.volunteers.to_integral_value():
        raise ValidationFailed(
            message("Het aantal vrijwilligers is een heel getal."), field="volunteers"
        )
