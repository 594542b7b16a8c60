"""Bureau pages for SEPA direct debit: creditor id, mandates, batches and their pain.008 files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from app.bureau.access import require_bureau_admin
from app.extensions import db
from app.form_input import chosen_id, day, required, text
from app.invoices import reads
from app.refusals import Errors, Page, attempt, show_again, succeeded
from app.unit_of_work import after_commit
from ledger.clock import today
from purchasing.sepa.batches import (
    NOTICE_DAYS,
    create_batch,
    earliest_collection_day,
    get_batch,
    recent_batches,
)
from purchasing.sepa.creditor import set_creditor
from purchasing.sepa.mandates import add_mandate
from purchasing.sepa.pain008 import DEFAULT_SCHEMA, SCHEMAS, batch_xml
from workers.billing_jobs import enqueue_prenotifications
from workers.queues import redis_connection

blueprint = Blueprint("sepa_bureau", __name__, url_prefix="/bureau/sepa")
blueprint.before_request(require_bureau_admin)


@blueprint.route("/")
def index() -> Any:
    return _page()


@blueprint.route("/creditor", methods=["POST"])
def creditor() -> Any:
    form = request.form
    return attempt(
        lambda: set_creditor(
            db.session(),
            chosen_id(form, "bureau"),
            required(form, "creditor_id"),
            required(form, "name"),
            required(form, "iban"),
        ),
        succeeded(url_for(".index"), _("Het incassant-ID is opgeslagen.")),
        show_again(_refused("creditor"), "creditor_id"),
    )


@blueprint.route("/mandates", methods=["POST"])
def mandate() -> Any:
    form = request.form
    return attempt(
        lambda: add_mandate(
            db.session(),
            chosen_id(form, "organisation"),
            required(form, "reference"),
            required(form, "debtor_name"),
            required(form, "iban"),
            day(form, "signed_on"),
        ),
        succeeded(url_for(".index"), _("De machtiging is vastgelegd.")),
        show_again(_refused("mandate"), "reference"),
    )


@blueprint.route("/batches", methods=["POST"])
def new_batch() -> Any:
    form = request.form

    def act() -> None:
        bureau_id, collection_on = chosen_id(form, "bureau"), day(form, "collection_on")
        batch_id = create_batch(db.session(), bureau_id, collection_on, today())
        url = current_app.config["REDIS_URL"]
        after_commit(lambda: enqueue_prenotifications(redis_connection(url), batch_id))

    return attempt(
        act,
        succeeded(
            url_for(".index"),
            _("De incassobatch is aangemaakt; de aankondigingen worden verstuurd."),
        ),
        show_again(_refused("batch"), "collection_on"),
    )


@blueprint.route("/batches/<int:batch_id>/pain008")
def download(batch_id: int) -> Any:
    schema = text(request.args, "schema") or DEFAULT_SCHEMA
    session = db.session()
    xml = batch_xml(session, batch_id, schema)
    reference = get_batch(session, batch_id).reference
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{reference}-{schema}.xml"'
    return response


def _refused(form: str) -> Page:
    """The page again for a refusal of ``form`` (one of its three), the reasons at its fields."""
    return lambda errors, values: _page(errors, values, refused=form)


def _page(
    errors: Errors | None = None, values: Mapping[str, str] | None = None, refused: str = ""
) -> str:
    """The page with its three forms; the refused one shows its reasons and what was typed."""
    session = db.session()
    return render_template(
        "invoices/bureau/sepa.html",
        creditors=reads.creditors(session),
        mandates=reads.active_mandates(session),
        batches=recent_batches(session),
        bureaus=reads.bureaus(session),
        organisations=reads.member_organisations(session),
        errors=errors or {},
        values=values or {},
        refused=refused,
        schemas=SCHEMAS,
        notice_days=NOTICE_DAYS,
        earliest_collection=earliest_collection_day(today()),
    )
