"""Entering transactions: money out, money in, a transfer, or the full form with every posting."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.entry.forms import KINDS, EntryResult, field_of, read_full, read_simple, typed_projects
from app.entry.receipts import Receipt, read_receipt, store_receipt
from app.extensions import db
from app.form_input import text
from app.refusals import attempt, show_again, succeeded
from app.tenancy import organisation_blueprint, requires
from ledger.clock import today
from ledger.documents import NewDocument
from ledger.suggestions import account_choices, recent_names
from ledger.transactions import FORM_TOKEN, Posted, post_form, post_transaction
from tenants.roles import Role

blueprint = organisation_blueprint("entry", __name__)


@blueprint.route("/entry/<kind>", methods=["GET", "POST"])
@requires(Role.BOOKKEEPER)
def simple(kind: str) -> Any:
    if kind not in KINDS:
        abort(404)
    if request.method == "GET":
        return _form_page(kind, {"date": today().isoformat()}, {})
    choices = account_choices(db.session(), today())
    return _post(kind, read_simple(kind, request.form, choices, typed_projects(request.form)))


@blueprint.route("/entry/full", methods=["GET", "POST"])
@requires(Role.BOOKKEEPER)
def full() -> Any:
    if request.method == "GET":
        return _form_page("full", {"date": today().isoformat()}, {})
    choices = account_choices(db.session(), today())
    return _post("full", read_full(request.form, choices, typed_projects(request.form)))


def _post(kind: str, result: EntryResult) -> Any:
    """Post the transaction and attach its receipt; or show every problem and save nothing."""
    receipt, receipt_error = read_receipt(request.files.get("receipt"))
    if receipt_error:
        result.errors["receipt"] = receipt_error
    if result.errors or result.transaction is None:
        return _form_page(kind, request.form, result.errors), 422
    documents: tuple[NewDocument, ...] = ()
    if receipt is not None:
        store_receipt(g.org.id, receipt)  # content-addressed: a file kept twice is one file
        documents = (_receipt_document(receipt, result.transaction.date),)
    transaction = result.transaction
    # Sent without our form (a script): no token, posted as it comes.
    token = text(request.form, "form_token") if "form_token" in request.form else None

    def book() -> Posted:
        if token is None:
            session, actor = db.session(), current_user.id
            return Posted(post_transaction(session, transaction, actor, documents=documents), True)
        return post_form(
            db.session(), transaction, current_user.id, form_token=token, documents=documents
        )

    return attempt(
        book,
        succeeded(
            lambda posted: url_for("transactions.show", transaction_id=posted.transaction_id),
            lambda posted: (
                _("De boeking is opgeslagen.")
                if posted.is_new
                else _("Dit formulier was al verstuurd: de boeking staat er één keer.")
            ),
        ),
        show_again(
            lambda errors, values: _form_page(kind, values, errors),
            lambda error: field_of(error, kind),
        ),
    )


def _receipt_document(receipt: Receipt, day: date) -> NewDocument:
    return NewDocument(
        date=day,
        path=receipt.path,
        content_sha256=receipt.sha256,
        mime_type=receipt.mime_type,
        description=_("Bon"),
    )


def _form_page(kind: str, values: Any, errors: dict[str, str]) -> str:
    session = db.session()
    template = "entry/full.html" if kind == "full" else "entry/simple.html"
    return render_template(
        template,
        kind=kind,
        values=values,
        errors=errors,
        choices=account_choices(session, today()),
        recent=recent_names(session),
        form_token=_form_token(values),
    )


def _form_token(values: Any) -> str:
    """This form's token: kept when the form comes back with errors (nothing was booked),
    new for every form shown afresh, so each is booked at most once (``post_form``)."""
    sent = values.get("form_token") or ""
    return sent if FORM_TOKEN.fullmatch(sent) else secrets.token_urlsafe(24)
