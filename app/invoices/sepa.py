"""Bureau pages for SEPA direct debit: creditor id, mandates, batches and their pain.008 files."""

from __future__ import annotations

from datetime import date
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
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.bureau.access import require_bureau_admin
from app.extensions import db
from app.invoices import reads
from app.refusals import attempt, go_back, succeeded
from app.unit_of_work import after_commit
from ledger.clock import today
from purchasing.sepa.batches import NOTICE_DAYS, create_batch, get_batch, recent_batches
from purchasing.sepa.creditor import set_creditor
from purchasing.sepa.mandates import add_mandate
from purchasing.sepa.pain008 import DEFAULT_SCHEMA, SCHEMAS, batch_xml
from workers.billing_jobs import enqueue_prenotifications
from workers.queues import redis_connection

blueprint = Blueprint("sepa_bureau", __name__, url_prefix="/bureau/sepa")
blueprint.before_request(require_bureau_admin)


class CreditorForm(FlaskForm):
    bureau = SelectField(_l("Bureau"), coerce=int)
    creditor_id = StringField(_l("Incassant-ID"), validators=[DataRequired(), Length(max=35)])
    name = StringField(_l("Naam van de incassant"), validators=[DataRequired(), Length(max=70)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(), Length(max=34)])


class MandateForm(FlaskForm):
    organisation = SelectField(_l("Organisatie"), coerce=int)
    reference = StringField(_l("Machtigingskenmerk"), validators=[DataRequired(), Length(max=35)])
    debtor_name = StringField(_l("Naam rekeninghouder"), validators=[DataRequired()])
    iban = StringField(_l("IBAN"), validators=[DataRequired(), Length(max=34)])
    signed_on = DateField(_l("Getekend op"), validators=[DataRequired()])


class BatchForm(FlaskForm):
    bureau = SelectField(_l("Bureau"), coerce=int)
    collection_on = DateField(_l("Incassodatum"), validators=[Optional()])


@blueprint.route("/")
def index() -> Any:
    return _page()


@blueprint.route("/creditor", methods=["POST"])
def creditor() -> Any:
    form = _choices(CreditorForm())
    if not form.validate_on_submit():
        return _page(creditor_form=form), 400
    return attempt(
        lambda: set_creditor(
            db.session(),
            form.bureau.data,
            form.creditor_id.data or "",
            form.name.data or "",
            form.iban.data or "",
        ),
        succeeded(url_for(".index"), _("Het incassant-ID is opgeslagen.")),
        go_back(url_for(".index")),
    )


@blueprint.route("/mandates", methods=["POST"])
def mandate() -> Any:
    form = _choices(MandateForm())
    if not form.validate_on_submit() or form.signed_on.data is None:
        return _page(mandate_form=form), 400
    signed_on: date = form.signed_on.data
    return attempt(
        lambda: add_mandate(
            db.session(),
            form.organisation.data,
            form.reference.data or "",
            form.debtor_name.data or "",
            form.iban.data or "",
            signed_on,
        ),
        succeeded(url_for(".index"), _("De machtiging is vastgelegd.")),
        go_back(url_for(".index")),
    )


@blueprint.route("/batches", methods=["POST"])
def new_batch() -> Any:
    form = _choices(BatchForm())
    if not form.validate_on_submit() or form.collection_on.data is None:
        return _page(batch_form=form), 400
    collection_on: date = form.collection_on.data

    def act() -> None:
        batch_id = create_batch(db.session(), form.bureau.data, collection_on, today())
        url = current_app.config["REDIS_URL"]
        after_commit(lambda: enqueue_prenotifications(redis_connection(url), batch_id))

    return attempt(
        act,
        succeeded(
            url_for(".index"),
            _("De incassobatch is aangemaakt; de aankondigingen worden verstuurd."),
        ),
        go_back(url_for(".index")),
    )


@blueprint.route("/batches/<int:batch_id>/pain008")
def download(batch_id: int) -> Any:
    schema = request.args.get("schema", DEFAULT_SCHEMA)
    session = db.session()
    xml = batch_xml(session, batch_id, schema)
    reference = get_batch(session, batch_id).reference
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{reference}-{schema}.xml"'
    return response


def _choices(form: Any) -> Any:
    session = db.session()
    if hasattr(form, "bureau"):
        form.bureau.choices = [(o.id, o.name) for o in reads.bureaus(session)]
    if hasattr(form, "organisation"):
        form.organisation.choices = [(o.id, o.name) for o in reads.member_organisations(session)]
    return form


def _page(
    creditor_form: CreditorForm | None = None,
    mandate_form: MandateForm | None = None,
    batch_form: BatchForm | None = None,
) -> str:
    session = db.session()
    return render_template(
        "invoices/bureau/sepa.html",
        creditors=reads.creditors(session),
        mandates=reads.active_mandates(session),
        batches=recent_batches(session),
        creditor_form=creditor_form or _choices(CreditorForm(formdata=None)),
        mandate_form=mandate_form or _choices(MandateForm(formdata=None)),
        batch_form=batch_form or _choices(BatchForm(formdata=None)),
        schemas=SCHEMAS,
        notice_days=NOTICE_DAYS,
    )
