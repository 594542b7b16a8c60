"""Bureau pages of collective insurance: insurers, policies, pools, premium runs, what is owed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from app.books.params import today
from app.bureau.access import require_bureau_admin
from app.errors import translated
from app.extensions import db
from app.form_input import choice, day, figure, optional_figure, required, text, whole_number
from app.form_tokens import said_once, sent_token
from app.insurance import documents
from app.insurance.input import MONEY_BELOW, PERCENT_BELOW, SHARE_BELOW, TIER_ROWS, tiers
from app.insurance.labels import labels_context
from app.refusals import Errors, Page, attempt, show_again, succeeded
from ledger.errors import DomainError
from purchasing import insurance_queries as reads
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
from purchasing.submissions import save_once

blueprint = Blueprint("insurance_bureau", __name__, url_prefix="/bureau/insurance")
blueprint.before_request(require_bureau_admin)
blueprint.context_processor(labels_context)


@blueprint.route("/")
def index() -> Any:
    return _index_page()


@blueprint.route("/tax/rates", methods=["POST"])
def new_tax_rate() -> Any:
    form = request.form
    return attempt(
        lambda: set_tax_rate(
            db.session(),
            day(form, "valid_from"),
            figure(form, "percent", places=2, below=PERCENT_BELOW),
            text(form, "note"),
        ),
        succeeded(url_for(".index"), _("Het tarief is vastgelegd.")),
        show_again(_index_page, "valid_from"),
    )


@blueprint.route("/tax/treatments", methods=["POST"])
def new_tax_treatment() -> Any:
    form = request.form
    return attempt(
        lambda: set_line_treatment(
            db.session(),
            choice(Line, form, "treatment_line"),
            day(form, "treatment_valid_from"),
            choice(Treatment, form, "treatment"),
        ),
        succeeded(url_for(".index"), _("De belastingbehandeling is vastgelegd.")),
        show_again(_index_page, "treatment_valid_from"),
    )


@blueprint.route("/insurers", methods=["POST"])
def new_insurer() -> Any:
    form = request.form
    return attempt(
        lambda: add_insurer(
            db.session(), text(form, "name"), text(form, "kvk_number"), text(form, "afm_number")
        ),
        succeeded(url_for(".index"), _("De verzekeraar is toegevoegd.")),
        show_again(_index_page, "name"),
    )


@blueprint.route("/policies/new")
def new_policy_form() -> Any:
    return _policy_form_page()


@blueprint.route("/policies", methods=["POST"])
def new_policy() -> Any:
    return attempt(
        lambda: save_once(
            db.session(),
            sent_token(request.form),
            "policy",
            lambda: add_policy(db.session(), _new_policy(request.form)),
        ),
        succeeded(
            lambda saved: url_for(".policy", policy_id=saved.id),
            said_once(_("De polis is vastgelegd.")),
        ),
        show_again(_policy_form_page, "tier_rate_0"),
    )


@blueprint.route("/policies/<int:policy_id>")
def policy(policy_id: int) -> Any:
    return _policy_page(policy_id)


@blueprint.route("/policies/<int:policy_id>/documents", methods=["POST"])
def add_document(policy_id: int) -> Any:
    return attempt(
        lambda: save_once(
            db.session(),
            sent_token(request.form),
            "policy document",
            lambda: documents.store(db.session(), policy_id, request.form, request.files),
        ),
        succeeded(
            url_for(".policy", policy_id=policy_id), said_once(_("Het document is toegevoegd."))
        ),
        show_again(_policy_errors(policy_id), "document"),
    )


@blueprint.route("/policies/<int:policy_id>/documents/<int:document_id>")
def document(policy_id: int, document_id: int) -> Any:
    return documents.send(db.session(), policy_id, document_id)


@blueprint.route("/policies/<int:policy_id>/pools", methods=["POST"])
def new_pool(policy_id: int) -> Any:
    form = request.form
    return attempt(
        lambda: save_once(
            db.session(),
            sent_token(form),
            "pool",
            lambda: open_pool(
                db.session(),
                policy_id,
                text(form, "pool_name") or get_policy(db.session(), policy_id).name,
                whole_number(form, "minimum_members", 1),
                day(form, "enrolment_opens_on", today()),
                day(form, "enrolment_closes_on") if text(form, "enrolment_closes_on") else None,
            ),
        ),
        succeeded(
            lambda saved: url_for(".pool", pool_id=saved.id), said_once(_("De pool is geopend."))
        ),
        show_again(_policy_errors(policy_id), "pool_name"),
    )


def _new_policy(form: Mapping[str, str]) -> NewPolicy:
    return NewPolicy(
        insurer_id=whole_number(form, "insurer_id", 0),
        policyholder_id=whole_number(form, "policyholder_id", 0),
        line=choice(Line, form, "line"),
        name=required(form, "name"),
        starts_on=day(form, "starts_on"),
        ends_on=day(form, "ends_on"),
        basis=choice(Basis, form, "basis"),
        tiers=tiers(form),
        tier_measure=choice(TierMeasure, form, "tier_measure"),
        minimum_premium=figure(form, "minimum_premium", places=2, below=MONEY_BELOW),
        annual_costs=figure(form, "annual_costs", places=2, below=MONEY_BELOW),
        taxable_share=optional_figure(form, "taxable_share", places=4, below=SHARE_BELOW),
        notice_days=whole_number(form, "notice_days", 30),
        policy_number=text(form, "policy_number") or None,
    )


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


def _policy_errors(policy_id: int) -> Page:
    return lambda errors, values: _policy_page(policy_id, errors, values)


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
