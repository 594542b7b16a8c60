"""Bureau pages of billing details: how each organisation appears on invoices, what lacks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.bureau.access import require_bureau_admin
from app.extensions import db
from app.form_input import text
from app.input_limits import whole_number
from app.refusals import Errors, attempt, show_again, succeeded
from ledger.ibans import printed_iban
from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.parties import Party, party_of, payment_days_of, set_billing_details
from purchasing.invoices.requirements import missing_of_customer, missing_of_supplier
from tenants.models import Organisation

blueprint = Blueprint("billing_bureau", __name__, url_prefix="/bureau")
blueprint.before_request(require_bureau_admin)


@blueprint.route("/billing")
def index() -> Any:
    """Every organisation with the billing details an invoice to (or from) it still lacks."""
    session = db.session()
    organisations = session.scalars(
        select(Organisation).order_by(Organisation.is_bureau.desc(), Organisation.name)
    )
    rows = [(organisation, _missing(organisation)) for organisation in organisations]
    return render_template("invoices/bureau/billing.html", rows=rows)


@blueprint.route("/billing/<int:organisation_id>", methods=["GET", "POST"])
def edit(organisation_id: int) -> Any:
    organisation = db.session().get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(message("Deze organisatie bestaat niet."))
    if request.method == "GET":
        return _edit_page(organisation)
    form = request.form
    return attempt(
        lambda: set_billing_details(db.session(), organisation_id, _party(form), _days(form)),
        succeeded(url_for(".index"), _("De factuurgegevens zijn opgeslagen.")),
        show_again(lambda errors, values: _edit_page(organisation, errors, values), "name"),
    )


def _edit_page(
    organisation: Organisation,
    errors: Errors | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    """The form with the stored details, or again with what was typed and why it was refused."""
    session = db.session()
    if values is None:
        stored = party_of(session, organisation.id).snapshot()
        values = {name: value or "" for name, value in stored.items()} | {
            "iban": printed_iban(stored.get("iban") or ""),  # as people read and type it
            "payment_days": str(payment_days_of(session, organisation.id)),
        }
    return render_template(
        "invoices/bureau/billing_edit.html",
        organisation=organisation,
        errors=errors or {},
        values=values,
        missing=_missing(organisation),
    )


def _missing(organisation: Organisation) -> list[str]:
    party = party_of(db.session(), organisation.id)
    if organisation.is_bureau:
        return missing_of_supplier(party, has_vat=bool(party.vat_number))
    return missing_of_customer(party)


def _party(form: Mapping[str, str]) -> Party:
    """What was typed; ``set_billing_details`` checks each field and writes it as printed."""
    return Party(
        name=text(form, "name"),
        address=text(form, "address"),
        postcode=text(form, "postcode"),
        city=text(form, "city"),
        country=text(form, "country"),
        kvk_number=text(form, "kvk_number") or None,
        vat_number=text(form, "vat_number") or None,
        iban=text(form, "iban") or None,
        email=text(form, "email") or None,
    )


def _days(form: Mapping[str, str]) -> int:
    days = whole_number(text(form, "payment_days"))
    if days is None or not 0 < days <= 120:
        raise ValidationFailed(
            message("De betaaltermijn is een aantal dagen (1 tot 120)."), field="payment_days"
        )
    return days
