"""Use cases of the bureau's policies: insurers, policies with tiers, documents, tax settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, TermsInvalid, ValidationFailed, message
from purchasing.models import (
    CollectivePolicy,
    Insurer,
    MunicipalVolunteerCover,
    PolicyDocument,
    PremiumTaxRate,
    PremiumTaxTreatment,
    RateTier,
    VolunteerScheme,
)
from purchasing.money import is_whole_cents
from purchasing.premium_tax import LineTreatment, TaxRate, Treatment, rate_on, taxable_share
from purchasing.proration import Period
from purchasing.rating import Basis, Line, RateCard, Tier, TierMeasure
from purchasing.shares import PolicyTerms
from tenants.models import Organisation

ZERO = Decimal(0)
# The widths of their columns (purchasing/models/policies.py).
AFM_NUMBER_LONGEST = 12
POLICY_NUMBER_LONGEST = 40
CONTENT_TYPE_LONGEST = 100
# The AFM's register numbers are digits (up to 8 today); letters are let through.
_AFM_NUMBER = re.compile(rf"[0-9A-Za-z]{{1,{AFM_NUMBER_LONGEST}}}")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


@dataclass(frozen=True)
class NewPolicy:
    """What the bureau enters for a new collective policy; ``tiers`` as (threshold, rate)."""

    insurer_id: int
    policyholder_id: int
    line: Line
    name: str
    starts_on: date
    ends_on: date
    basis: Basis
    tiers: Sequence[tuple[Decimal, Decimal]]
    tier_measure: TierMeasure = TierMeasure.MEMBERS
    minimum_premium: Decimal = ZERO
    annual_costs: Decimal = ZERO
    taxable_share: Decimal | None = None
    notice_days: int = 30
    policy_number: str | None = None


def add_insurer(
    session: Session, name: str, kvk_number: str | None = None, afm_number: str | None = None
) -> int:
    """Register an insurer; a name already registered is refused.

    Refused by the unique index itself (``ON CONFLICT DO NOTHING``), so of two sends of the
    same name at the same moment one adds it and the other waits for it and is told, where a
    look first would let both through to a unique violation. An empty KvK or AFM number is
    none.
    """
    if not name.strip():
        raise ValidationFailed(message("Vul de naam van de verzekeraar in."), field="name")
    kvk_number = (kvk_number or "").strip() or None
    if kvk_number is not None and not (kvk_number.isdigit() and len(kvk_number) == 8):
        raise ValidationFailed(message("Een KvK-nummer heeft 8 cijfers."), field="kvk_number")
    afm_number = (afm_number or "").strip() or None
    if afm_number is not None and not _AFM_NUMBER.fullmatch(afm_number):
        raise ValidationFailed(
            message("Een AFM-vergunningnummer heeft hoogstens %(longest)s cijfers of letters."),
            field="afm_number",
            longest=AFM_NUMBER_LONGEST,
        )
    session.flush()
    added = session.scalar(
        insert(Insurer)
        .values(name=name.strip(), kvk_number=kvk_number, afm_number=afm_number)
        .on_conflict_do_nothing(index_elements=[Insurer.name])
        .returning(Insurer.id)
    )
    if added is None:
        raise ValidationFailed(message("Deze verzekeraar bestaat al."), field="name")
    return int(added)


def add_policy(session: Session, new: NewPolicy) -> int:
    """Record a collective policy held by the bureau, with its rate tiers.

    The terms are checked by pricing them once, so a policy that cannot price a member (no
    base tier, a split tax line without its taxable share) is refused before it is stored.
    """
    holder = session.get(Organisation, new.policyholder_id)
    if holder is None or not holder.is_bureau:
        raise ValidationFailed(
            message("De verzekeringnemer moet het servicebureau zijn."), field="policyholder_id"
        )
    if new.ends_on < new.starts_on:
        raise TermsInvalid(message("Een periode kan niet eindigen voor ze begint."))
    policy_number = (new.policy_number or "").strip() or None
    if policy_number is not None and len(policy_number) > POLICY_NUMBER_LONGEST:
        raise ValidationFailed(
            message("Een polisnummer heeft hoogstens %(longest)s tekens."),
            field="policy_number",
            longest=POLICY_NUMBER_LONGEST,
        )
    rate_card(new.basis, new.tier_measure, new.minimum_premium, new.tiers)
    policy = CollectivePolicy(
        insurer_id=new.insurer_id,
        policyholder_id=new.policyholder_id,
        line=new.line.value,
        name=new.name.strip(),
        policy_number=policy_number,
        starts_on=new.starts_on,
        ends_on=new.ends_on,
        basis=new.basis.value,
        tier_measure=new.tier_measure.value,
        minimum_premium=new.minimum_premium,
        annual_costs=new.annual_costs,
        taxable_share=new.taxable_share,
        notice_days=new.notice_days,
        tiers=[RateTier(threshold=threshold, rate=rate) for threshold, rate in new.tiers],
    )
    # In a savepoint: terms that cannot be priced leave nothing behind in the caller's transaction.
    with session.begin_nested():
        session.add(policy)
        session.flush()
        policy_terms(session, policy)
    return policy.id


def attach_document(
    session: Session,
    policy_id: int,
    title: str,
    file_ref: str,
    *,
    content_type: str | None = None,
    sha256: str | None = None,
    uploaded_by_id: int | None = None,
) -> int:
    """Keep a reference to a policy document already stored elsewhere.

    ``content_type`` is what the uploading browser declared: kept when it reads as a media
    type that fits its column, otherwise none is kept (the file is then sent as
    ``application/octet-stream``).
    """
    document = PolicyDocument(
        policy_id=get_policy(session, policy_id).id,
        title=title.strip(),
        file_ref=file_ref,
        content_type=kept_content_type(content_type),
        sha256=sha256,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(document)
    session.flush()
    return document.id


def kept_content_type(declared: str | None) -> str | None:
    """A declared media type (``type/subtype``, lower case, without parameters), or None."""
    found = (declared or "").split(";", 1)[0].strip().lower()
    if len(found) > CONTENT_TYPE_LONGEST or not _MEDIA_TYPE.fullmatch(found):
        return None
    return found


def record_volunteer_scheme(
    session: Session,
    organisation_id: int,
    scheme: VolunteerScheme,
    municipality: str | None = None,
    note: str = "",
) -> None:
    """Record which municipal volunteers scheme covers an organisation (replaces)."""
    cover = session.scalar(
        select(MunicipalVolunteerCover).where(
            MunicipalVolunteerCover.organisation_id == organisation_id
        )
    ) or MunicipalVolunteerCover(organisation_id=organisation_id)
    cover.scheme = scheme.value
    cover.municipality = municipality
    cover.note = note
    session.add(cover)
    session.flush()


def volunteer_scheme_of(session: Session, organisation_id: int) -> VolunteerScheme | None:
    """The recorded municipal scheme, or ``None`` when nobody has asked the organisation yet."""
    scheme = session.scalar(
        select(MunicipalVolunteerCover.scheme).where(
            MunicipalVolunteerCover.organisation_id == organisation_id
        )
    )
    return None if scheme is None else VolunteerScheme(scheme)


def set_tax_rate(session: Session, valid_from: date, percent: Decimal, note: str = "") -> None:
    """A new premium tax rate from ``valid_from`` on; days before keep theirs.

    A term running over ``valid_from`` is taxed at the new rate from that day (pro rata by
    stretch); invoices already issued stay as they are until a correction run.
    """
    if not ZERO <= percent <= 100 or not is_whole_cents(percent):
        raise ValidationFailed(
            message("Een tarief ligt tussen 0 en 100 procent, op twee decimalen."), field="percent"
        )
    if session.scalar(select(PremiumTaxRate.id).where(PremiumTaxRate.valid_from == valid_from)):
        raise ValidationFailed(
            message("Op %(day)s begint al een tarief."), field="valid_from", day=valid_from
        )
    session.add(PremiumTaxRate(valid_from=valid_from, percent=percent, note=note.strip()))
    session.flush()


def set_line_treatment(
    session: Session, line: Line, valid_from: date, treatment: Treatment
) -> None:
    """A line becomes taxed, exempt or split from ``valid_from`` on."""
    taken = session.scalar(
        select(PremiumTaxTreatment.id).where(
            PremiumTaxTreatment.line == line.value, PremiumTaxTreatment.valid_from == valid_from
        )
    )
    if taken:
        raise ValidationFailed(
            message("Voor deze branche begint op %(day)s al een behandeling."),
            field="treatment_valid_from",
            day=valid_from,
        )
    session.add(
        PremiumTaxTreatment(line=line.value, valid_from=valid_from, treatment=treatment.value)
    )
    session.flush()


def tax_settings(session: Session) -> tuple[list[TaxRate], list[LineTreatment]]:
    """Every dated rate and line treatment, oldest first, for the page that sets them."""
    rates = [
        TaxRate(row.valid_from, row.percent)
        for row in session.scalars(select(PremiumTaxRate).order_by(PremiumTaxRate.valid_from))
    ]
    treatments = [
        LineTreatment(Line(row.line), row.valid_from, Treatment(row.treatment))
        for row in session.scalars(
            select(PremiumTaxTreatment).order_by(
                PremiumTaxTreatment.valid_from, PremiumTaxTreatment.line
            )
        )
    ]
    return rates, treatments


def get_policy(session: Session, policy_id: int) -> CollectivePolicy:
    policy = session.get(CollectivePolicy, policy_id)
    if policy is None:
        raise NotFound(message("Deze polis bestaat niet."))
    return policy


def rate_card(
    basis: Basis,
    measure: TierMeasure,
    minimum_premium: Decimal,
    tiers: Sequence[tuple[Decimal, Decimal]],
) -> RateCard:
    return RateCard(
        basis, tuple(Tier(threshold, rate) for threshold, rate in tiers), measure, minimum_premium
    )


@dataclass(frozen=True)
class TermsSchedule:
    """A policy's pricing terms with its dated tax settings: the terms in force on any day.

    A rate or treatment that changes mid-term applies from its date on: the premium run cuts
    the period at ``change_days`` and prices each stretch with the terms of its first day.
    """

    policy_share: Decimal | None
    line: Line
    card: RateCard
    term: Period
    annual_costs: Decimal
    rates: tuple[TaxRate, ...]
    treatments: tuple[LineTreatment, ...]

    def on(self, day: date) -> PolicyTerms:
        """The terms with the tax settings in force on ``day`` (within the term)."""
        share = taxable_share(self.treatments, self.line, day, self.policy_share)
        return PolicyTerms(
            card=self.card,
            term=self.term,
            annual_costs=self.annual_costs,
            taxable_share=share,
            tax_percent=rate_on(self.rates, day) if share else ZERO,
        )

    @property
    def change_days(self) -> list[date]:
        """Days inside the term (after its first) on which a tax setting of this line changes."""
        days = {rate.valid_from for rate in self.rates}
        days |= {row.valid_from for row in self.treatments if row.line == self.line}
        return sorted(day for day in days if self.term.starts_on < day <= self.term.ends_on)


def terms_schedule(session: Session, policy: CollectivePolicy) -> TermsSchedule:
    """The policy's terms with every tax setting, read once."""
    rates = tuple(
        TaxRate(row.valid_from, row.percent) for row in session.scalars(select(PremiumTaxRate))
    )
    treatments = tuple(
        LineTreatment(Line(row.line), row.valid_from, Treatment(row.treatment))
        for row in session.scalars(select(PremiumTaxTreatment))
    )
    card = rate_card(
        Basis(policy.basis),
        TierMeasure(policy.tier_measure),
        policy.minimum_premium,
        [(tier.threshold, tier.rate) for tier in policy.tiers],
    )
    return TermsSchedule(
        policy_share=policy.taxable_share,
        line=Line(policy.line),
        card=card,
        term=Period(policy.starts_on, policy.ends_on),
        annual_costs=policy.annual_costs,
        rates=rates,
        treatments=treatments,
    )


def policy_terms(session: Session, policy: CollectivePolicy, on: date | None = None) -> PolicyTerms:
    """The pricing terms of a policy, with the tax settings in force on ``on`` (its start)."""
    return terms_schedule(session, policy).on(on or policy.starts_on)
