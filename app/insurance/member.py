"""Members' insurance pages: open pools, quotes, joining and leaving, policies and shares."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.books.params import today
from app.errors import translated
from app.extensions import db
from app.form_input import choice, day, is_ticked, text
from app.i18n import day as format_day
from app.insurance import documents
from app.insurance.input import exposure, measured_field
from app.insurance.labels import labels_context
from app.refusals import Errors, Page, attempt, show_again, succeeded
from app.tenancy import organisation_blueprint, requires
from ledger.errors import DomainError
from purchasing import insurance_queries as reads
from purchasing.models import DeclarationKind, Enrolment, VolunteerScheme
from purchasing.policies import policy_terms, record_volunteer_scheme, volunteer_scheme_of
from purchasing.pools import (
    MUNICIPAL_SCHEMES,
    change_declaration,
    get_pool,
    join,
    leave,
    quote,
)
from purchasing.queries import declaration_on, exposure_of, pools_open_to
from purchasing.rating import Basis, Line
from purchasing.runs.premium import MemberShare
from purchasing.shares import pots_from_json
from tenants.roles import Role

blueprint = organisation_blueprint("insurance", __name__)
blueprint.context_processor(labels_context)

COVERED_BY_MUNICIPALITY = MUNICIPAL_SCHEMES


@blueprint.route("/insurance")
@requires(Role.VIEWER)
def index() -> Any:
    return _index_page()


@blueprint.route("/insurance/volunteer-scheme", methods=["POST"])
@requires(Role.OWNER)
def volunteer_scheme() -> Any:
    def act() -> None:
        scheme = choice(VolunteerScheme, request.form, "scheme")
        municipality = text(request.form, "municipality") or None
        record_volunteer_scheme(db.session(), g.org.id, scheme, municipality)

    return attempt(
        act, succeeded(url_for(".index"), _("Bewaard.")), show_again(_index_page, "scheme")
    )


@blueprint.route("/insurance/pools/<int:pool_id>")
@requires(Role.VIEWER)
def pool(pool_id: int) -> Any:
    if "quote" not in request.args:
        return _pool_page(pool_id, values=request.args)
    return attempt(
        lambda: quote(db.session(), pool_id, g.org.id, exposure(request.args), _quote_day()),
        lambda offer: _pool_page(pool_id, values=request.args, offer=offer),
        show_again(_pool_errors(pool_id), "quote", request.args),
    )


@blueprint.route("/insurance/pools/<int:pool_id>/join", methods=["POST"])
@requires(Role.OWNER)
def join_pool(pool_id: int) -> Any:
    form = request.form
    return attempt(
        lambda: join(
            db.session(),
            pool_id,
            g.org.id,
            exposure(form),
            day(form, "joined_on", today()),
            declared_by_id=current_user.id,
            is_overlap_confirmed=is_ticked(form, "confirm_overlap", "yes"),
        ),
        succeeded(
            lambda enrolment_id: url_for(".enrolment", enrolment_id=enrolment_id),
            _("Je neemt deel aan de pool."),
        ),
        show_again(_pool_errors(pool_id), "joined_on"),
    )


@blueprint.route("/insurance/enrolments/<int:enrolment_id>")
@requires(Role.VIEWER)
def enrolment(enrolment_id: int) -> Any:
    return _enrolment_page(_own(enrolment_id))


@blueprint.route("/insurance/enrolments/<int:enrolment_id>/documents/<int:document_id>")
@requires(Role.VIEWER)
def document(enrolment_id: int, document_id: int) -> Any:
    """A co-insured member reads the documents of the policy it is named on."""
    enrolment = _own(enrolment_id)
    return documents.send(db.session(), enrolment.pool.policy_id, document_id)


@blueprint.route("/insurance/enrolments/<int:enrolment_id>/declaration", methods=["POST"])
@requires(Role.OWNER)
def declaration(enrolment_id: int) -> Any:
    enrolment = _own(enrolment_id)
    form = request.form
    kind = DeclarationKind.ACTUAL if is_ticked(form, "kind", "actual") else DeclarationKind.ESTIMATE
    return attempt(
        lambda: change_declaration(
            db.session(),
            enrolment.id,
            exposure(form),
            day(form, "effective_from", today()),
            kind,
            declared_by_id=current_user.id,
        ),
        succeeded(
            url_for(".enrolment", enrolment_id=enrolment_id), _("De nieuwe opgave is bewaard.")
        ),
        show_again(_enrolment_errors(enrolment), "effective_from"),
    )


@blueprint.route("/insurance/enrolments/<int:enrolment_id>/leave", methods=["POST"])
@requires(Role.OWNER)
def leave_pool(enrolment_id: int) -> Any:
    enrolment = _own(enrolment_id)
    wished = text(request.form, "leave_on")

    return attempt(
        lambda: leave(
            db.session(), enrolment.id, today(), day(request.form, "leave_on") if wished else None
        ),
        succeeded(
            url_for(".enrolment", enrolment_id=enrolment_id),
            lambda last_day: _("Opgezegd: verzekerd tot en met %(day)s.", day=format_day(last_day)),
        ),
        show_again(_enrolment_errors(enrolment), "leave_on"),
    )


@blueprint.route("/insurance/shares/<int:invoice_id>")
@requires(Role.VIEWER)
def share(invoice_id: int) -> Any:
    """Why the member pays this: the breakdown kept when the document was issued."""
    row = reads.share_of(db.session(), g.org.id, invoice_id)
    if row is None:
        abort(404)
    kept = row.breakdown or {}
    return render_template(
        "insurance/member/share.html",
        row=row,
        share=MemberShare.from_json(kept) if kept else None,
        kind=kept.get("kind", "premium"),
        invoiced=pots_from_json(kept["invoiced"]) if "invoiced" in kept else None,
        difference=pots_from_json(kept["difference"]) if "difference" in kept else None,
    )


def _own(enrolment_id: int) -> Enrolment:
    """This organisation's enrolment; another's answers 404, exactly like one that is not there."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.organisation_id != g.org.id:
        abort(404)
    return enrolment


def _quote_day() -> date:
    return day(request.args, "joined_on", today())


def _index_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    session = db.session()
    scheme = volunteer_scheme_of(session, g.org.id)
    return render_template(
        "insurance/member/index.html",
        offers=pools_open_to(session, g.org.id, today()),
        enrolments=reads.enrolments_of(session, g.org.id),
        shares=reads.shares_of(session, g.org.id),
        scheme=scheme,
        today=today(),
        errors=errors or {},
        values=values or {"scheme": scheme.value if scheme else ""},
    )


def _pool_errors(pool_id: int) -> Page:
    return lambda errors, values: _pool_page(pool_id, errors, values)


def _enrolment_errors(enrolment: Enrolment) -> Page:
    return lambda errors, values: _enrolment_page(enrolment, errors, values)


def _pool_page(
    pool_id: int,
    errors: Errors | None = None,
    values: Mapping[str, str] | None = None,
    offer: Any = None,
) -> str:
    session = db.session()
    found = get_pool(session, pool_id)
    policy = found.policy
    current = [
        enrolment
        for enrolment in reads.enrolments_of(session, g.org.id)
        if enrolment.pool_id == pool_id
        and (enrolment.left_on is None or enrolment.left_on >= today())
    ]
    scheme = volunteer_scheme_of(session, g.org.id)
    return render_template(
        "insurance/member/pool.html",
        pool=found,
        policy=policy,
        field=measured_field(Basis(policy.basis)),
        enrolment=current[0] if current else None,
        is_covered_by_municipality=policy.line == Line.VOLUNTEERS
        and scheme in COVERED_BY_MUNICIPALITY,
        scheme=scheme,
        offer=offer,
        errors=errors or {},
        values={"joined_on": today().isoformat(), **(values or {})},
    )


def _enrolment_page(
    enrolment: Enrolment, errors: Errors | None = None, values: Mapping[str, str] | None = None
) -> str:
    session = db.session()
    policy = enrolment.pool.policy
    in_force = declaration_on(enrolment, today())
    is_covered = enrolment.left_on is None or enrolment.left_on >= today()
    offer, problem, terms = None, None, None
    if is_covered:
        try:
            offer = quote(session, enrolment.pool_id, g.org.id, exposure_of(in_force), today())
            terms = policy_terms(session, policy)
        except DomainError as error:
            db.session.rollback()
            problem, terms = translated(error), None
    return render_template(
        "insurance/member/enrolment.html",
        enrolment=enrolment,
        pool=enrolment.pool,
        policy=policy,
        terms=terms,
        declaration=in_force,
        field=measured_field(Basis(policy.basis)),
        offer=offer,
        problem=problem,
        policy_documents=reads.documents(session, policy.id),
        is_covered=is_covered,
        errors=errors or {},
        values=values or {"effective_from": today().isoformat()},
    )
