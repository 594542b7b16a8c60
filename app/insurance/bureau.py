"""Bureau pages of collective insurance: insurers, policies, pools, premium runs, what is owed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.books.params import today
from app.bureau.access import require_bureau_admin
from app.errors import translated
from app.extensions import db
from app.insurance import documents
from app.insurance.input import TIER_ROWS, day, figure, tiers, whole_number
from app.insurance.labels import labels_context
from ledger.errors import DomainError, ValidationFailed, message
from purchasing import insurance_queries as reads
from purchasing.models.pools import InsurerInvoiceKind
from purchasing.policies import (
    NewPolicy,
    add_insurer,
    add_policy,
    get_policy,
    policy_terms,
    set_line_treatment,
    set_tax_rate,
    tax_settings,
)
from purchasing.pools import open_pool
from purchasing.premium_tax import Treatment
from purchasing.rating import Basis, Line, TierMeasure

blueprint = Blueprint("insurance_bureau", __name__, url_prefix="/bureau/insurance")
blueprint.before_request(require_bureau_admin)
blueprint.context_processor(labels_context)

Errors = dict[str, str]
Choice = TypeVar("Choice", Line, Basis, TierMeasure, Treatment, InsurerInvoiceKind)


@blueprint.route("/")
def index() -> Any:
    return _index_page()


@blueprint.route("/tax/rates", methods=["POST"])
def new_tax_rate() -> Any:
    form = request.form
    return _act(
        lambda: set_tax_rate(
            db.session(),
            day(form, "valid_from"),
            figure(form, "percent", places=2),
            form.get("note", ""),
        ),
        _index_page,
        "valid_from",
        lambda _: url_for(".index"),
        _("Het tarief is vastgelegd."),
    )


@blueprint.route("/tax/treatments", methods=["POST"])
def new_tax_treatment() -> Any:
    form = request.form
    return _act(
        lambda: set_line_treatment(
            db.session(),
            _choice(Line, form, "treatment_line"),
            day(form, "treatment_valid_from"),
            _choice(Treatment, form, "treatment"),
        ),
        _index_page,
        "treatment_valid_from",
        lambda _: url_for(".index"),
        _("De belastingbehandeling is vastgelegd."),
    )


@blueprint.route("/insurers", methods=["POST"])
def new_insurer() -> Any:
    def act() -> None:
        name = request.form.get("name", "").strip()
        if not name:
            raise ValidationFailed(message("Vul de naam van de verzekeraar in."), field="name")
        if any(insurer.name == name for insurer in reads.insurers(db.session())):
            raise ValidationFailed(message("Deze verzekeraar bestaat al."), field="name")
        kvk = request.form.get("kvk_number", "").strip() or None
        if kvk is not None and not (kvk.isdigit() and len(kvk) == 8):
            raise ValidationFailed(message("Een KvK-nummer heeft 8 cijfers."), field="kvk_number")
        add_insurer(db.session(), name, kvk, request.form.get("afm_number", "").strip() or None)

    return _act(
        act, _index_page, "name", lambda _: url_for(".index"), _("De verzekeraar is toegevoegd.")
    )


@blueprint.route("/policies/new")
def new_policy_form() -> Any:
    return _policy_form_page()


@blueprint.route("/policies", methods=["POST"])
def new_policy() -> Any:
    return _act(
        lambda: add_policy(db.session(), _new_policy(request.form)),
        _policy_form_page,
        "tier_rate_0",
        lambda policy_id: url_for(".policy", policy_id=policy_id),
        _("De polis is vastgelegd."),
    )


@blueprint.route("/policies/<int:policy_id>")
def policy(policy_id: int) -> Any:
    return _policy_page(policy_id)


@blueprint.route("/policies/<int:policy_id>/documents", methods=["POST"])
def add_document(policy_id: int) -> Any:
    return _act(
        lambda: documents.store(db.session(), policy_id, request.form, request.files),
        lambda errors, values: _policy_page(policy_id, errors, values),
        "document",
        lambda _: url_for(".policy", policy_id=policy_id),
        _("Het document is toegevoegd."),
    )


@blueprint.route("/policies/<int:policy_id>/documents/<int:document_id>")
def document(policy_id: int, document_id: int) -> Any:
    return documents.send(db.session(), policy_id, document_id)


@blueprint.route("/policies/<int:policy_id>/pools", methods=["POST"])
def new_pool(policy_id: int) -> Any:
    form = request.form
    return _act(
        lambda: open_pool(
            db.session(),
            policy_id,
            form.get("pool_name", "").strip() or get_policy(db.session(), policy_id).name,
            whole_number(form, "minimum_members", 1),
            day(form, "enrolment_opens_on", today()),
            day(form, "enrolment_closes_on") if form.get("enrolment_closes_on") else None,
        ),
        lambda errors, values: _policy_page(policy_id, errors, values),
        "pool_name",
        lambda pool_id: url_for(".pool", pool_id=pool_id),
        _("De pool is geopend."),
    )


def _act(
    action: Callable[[], Any],
    page: Callable[[Errors, Mapping[str, str]], str],
    default_field: str,
    next_url: Callable[[Any], str],
    done: str,
) -> Any:
    """Run one service; on refusal show the page again with the reason at its field."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        return page({error.field or default_field: translated(error)}, request.form), 422
    flash(done, "success")
    return redirect(next_url(result))


def _new_policy(form: Mapping[str, str]) -> NewPolicy:
    taxable = form.get("taxable_share", "").strip()
    return NewPolicy(
        insurer_id=whole_number(form, "insurer_id", 0),
        policyholder_id=whole_number(form, "policyholder_id", 0),
        line=_choice(Line, form, "line"),
        name=_required(form, "name"),
        starts_on=day(form, "starts_on"),
        ends_on=day(form, "ends_on"),
        basis=_choice(Basis, form, "basis"),
        tiers=tiers(form),
        tier_measure=_choice(TierMeasure, form, "tier_measure"),
        minimum_premium=figure(form, "minimum_premium", places=2),
        annual_costs=figure(form, "annual_costs", places=2),
        taxable_share=figure(form, "taxable_share", places=4) if taxable else None,
        notice_days=whole_number(form, "notice_days", 30),
        policy_number=form.get("policy_number", "").strip() or None,
    )


def _choice(kind: type[Choice], form: Mapping[str, str], name: str) -> Choice:
    try:
        return kind(form.get(name, ""))
    except ValueError:
        raise ValidationFailed(message("Kies een van de mogelijkheden."), field=name) from None


def _required(form: Mapping[str, str], name: str) -> str:
    text = form.get(name, "").strip()
    if not text:
        raise ValidationFailed(message("Vul dit veld in."), field=name)
    return text


def _index_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    session = db.session()
    rates, treatments = tax_settings(session)
    return render_template(
        "insurance/bureau/index.html",
        tax_rates=rates,
        tax_treatments=treatments,
        owed=reads.insurers_owed(session),
        policies=reads.policies(session),
        pools=reads.pools(session, today()),
        errors=errors or {},
        values=values or {},
    )


def _policy_form_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    session = db.session()
    year = today().year
    defaults = {"starts_on": f"{year + 1}-01-01", "ends_on": f"{year + 1}-12-31"}
    return render_template(
        "insurance/bureau/policy_form.html",
        insurer_options=[(insurer.id, insurer.name) for insurer in reads.insurers(session)],
        bureau_options=[(org.id, org.name) for org in reads.bureau_organisations(session)],
        tier_rows=range(TIER_ROWS),
        errors=errors or {},
        values=values or {"notice_days": "30", "tier_threshold_0": "0", **defaults},
    )


def _policy_page(
    policy_id: int, errors: Errors | None = None, values: Mapping[str, str] | None = None
) -> str:
    session = db.session()
    policy = get_policy(session, policy_id)
    try:
        terms, terms_error = policy_terms(session, policy), None
    except DomainError as error:  # tax settings changed since: show the policy, say why
        terms, terms_error = None, translated(error)
    return render_template(
        "insurance/bureau/policy.html",
        policy=policy,
        terms=terms,
        terms_error=terms_error,
        documents=reads.documents(session, policy_id),
        co_insured=reads.co_insured(session, policy_id),
        pools=reads.pools(session, today(), policy_id),
        errors=errors or {},
        values=values or {"enrolment_opens_on": today().isoformat(), "minimum_members": "3"},
    )


# The pool pages and their runs register on this blueprint too.
from app.insurance import bureau_pools  # noqa: E402, F401  isort: skip
