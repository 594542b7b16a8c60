"""A transaction's page and its corrections: edit while the period is open, reverse once closed,
the receipts attached to it, and the audit trail (per transaction, and whole for the owner)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from babel.dates import format_time
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.entry.audit_text import changes
from app.entry.forms import (
    field_of,
    is_plain_euro,
    posting_rows,
    read_full,
    read_simple,
    simple_kind,
    simple_values,
    typed_projects,
)
from app.entry.receipts import receipt_response, stored_file
from app.extensions import db
from app.form_input import day, text, without
from app.input_limits import LARGEST_ID, whole_number
from app.refusals import attempt, go_back, show_again, succeeded
from app.tenancy import organisation_blueprint, requires
from ledger.audit import audit_trail
from ledger.clock import today
from ledger.models import Account
from ledger.projects import project_of, with_project
from ledger.suggestions import account_choices, choices_named, recent_names
from ledger.transaction_view import TransactionDetail, document_path, transaction_detail
from ledger.transactions import edit_transaction, reverse_transaction
from ledger.versions import transaction_version
from tenants.queries import members_of
from tenants.roles import Role

blueprint = organisation_blueprint("transactions", __name__)
blueprint.add_app_template_global(changes, "audit_changes")
AUDIT_PAGE = 50


@blueprint.app_template_filter("clock")
def clock(moment: datetime) -> str:
    """The time of day in the Netherlands, as the reader writes it (``14:05``)."""
    return format_time(to_user_timezone(moment), format="short", locale=str(get_locale()))


@blueprint.route("/transactions/<int:transaction_id>")
@requires(Role.VIEWER)
def show(transaction_id: int) -> Any:
    detail = _detail(transaction_id)
    trail = audit_trail(db.session(), entity="transaction", entity_id=transaction_id)
    accounts = choices_named(db.session(), (p.account for p in detail.transaction.postings))
    return render_template(
        "entry/transaction.html",
        detail=detail,
        trail=trail,
        names=_names(),
        accounts=accounts,
        is_plain_euro=is_plain_euro(detail.transaction),
        project=project_of(detail.transaction.meta),
        today=today(),
    )


@blueprint.route("/transactions/<int:transaction_id>/edit", methods=["GET", "POST"])
@requires(Role.BOOKKEEPER)
def edit(transaction_id: int) -> Any:
    detail = _detail(transaction_id)
    if not (detail.is_editable and is_plain_euro(detail.transaction)):
        flash(_("Deze boeking kan hier niet worden gewijzigd; boek een tegenboeking."), "error")
        return redirect(url_for("transactions.show", transaction_id=transaction_id))
    choices = account_choices(db.session(), today())
    kind = _edit_kind(detail)
    if request.method == "GET":
        values = {
            **(
                simple_values(kind, detail.transaction, choices)
                if kind != "full"
                else posting_rows(detail.transaction, choices)
            ),
            "version": transaction_version(detail.transaction),
        }
        return _edit_page(detail, values, {}, kind)
    # A project left as the form showed it stays as stored, byte for byte (an imported one
    # may be spelled or sized as the forms would not take it); only a changed one is read.
    stored = project_of(detail.transaction.meta)
    kept = "project" not in request.form or text(request.form, "project") == stored.strip()
    form = without(request.form, "project") if kept else request.form
    projects = typed_projects(form)
    result = (
        read_full(form, choices, projects)
        if kind == "full"
        else read_simple(kind, form, choices, projects)
    )
    if result.errors or result.transaction is None:
        return _edit_page(detail, request.form, result.errors, kind), 422
    # What the form does not show (flag, tags, links, other metadata, source) stays as it was.
    changed = replace(
        detail.transaction,
        date=result.transaction.date,
        payee=result.transaction.payee,
        narration=result.transaction.narration,
        postings=result.transaction.postings,
        meta=detail.transaction.meta
        if kept
        else with_project(detail.transaction.meta, project_of(result.transaction.meta) or None),
    )

    version = text(request.form, "version")
    return attempt(
        lambda: edit_transaction(
            db.session(), transaction_id, changed, current_user.id, version=version
        ),
        succeeded(
            url_for(".show", transaction_id=transaction_id),
            lambda changed: (
                _("De boeking is gewijzigd.")
                if changed
                else _("Er is niets gewijzigd: de boeking stond al zo.")
            ),
        ),
        show_again(
            lambda errors, values: _edit_page(detail, values, errors, kind),
            lambda error: field_of(error, kind),
        ),
    )


@blueprint.route("/transactions/<int:transaction_id>/reverse", methods=["POST"])
@requires(Role.BOOKKEEPER)
def reverse(transaction_id: int) -> Any:
    _detail(transaction_id)
    return attempt(
        lambda: reverse_transaction(
            db.session(), transaction_id, current_user.id, on=day(request.form, "date", today())
        ),
        succeeded(
            lambda reversal_id: url_for(".show", transaction_id=reversal_id),
            _("De tegenboeking is opgeslagen."),
        ),
        go_back(url_for(".show", transaction_id=transaction_id)),
    )


@blueprint.route("/documents/<int:document_id>")
@requires(Role.VIEWER)
def document(document_id: int) -> Any:
    path = document_path(db.session(), document_id)
    found = stored_file(g.org.id, path) if path else None
    if found is None:
        abort(404)
    return receipt_response(found)


@blueprint.route("/audit")
@requires(Role.OWNER)
def audit() -> Any:
    before = text(request.args, "before")
    rows = audit_trail(
        db.session(), limit=AUDIT_PAGE, before_id=whole_number(before, LARGEST_ID + 1)
    )
    next_key = rows[-1].id if len(rows) == AUDIT_PAGE else None
    accounts = _accounts({row.entity_id for row in rows if row.entity == "account"})
    return render_template(
        "entry/audit.html", rows=rows, names=_names(), accounts=accounts, next_key=next_key
    )


def _detail(transaction_id: int) -> TransactionDetail:
    detail = transaction_detail(db.session(), transaction_id)
    if detail is None:
        abort(404)
    return detail


def _edit_kind(detail: TransactionDetail) -> str:
    """The form the transaction was made with (``expense``, ``income``), else ``full``;
    ``?form=full`` (or the full form's own fields) asks for every posting."""
    if request.values.get("form") == "full" or {"rows", "account-0"} & request.form.keys():
        return "full"
    return simple_kind(detail.transaction) or "full"


def _edit_page(detail: TransactionDetail, values: Any, errors: dict[str, str], kind: str) -> str:
    session = db.session()
    return render_template(
        "entry/full.html" if kind == "full" else "entry/simple.html",
        kind=kind,
        detail=detail,
        values=values,
        errors=errors,
        choices=account_choices(session, today()),
        recent=recent_names(session),
    )


def _accounts(ids: set[int | None]) -> dict[int, Any]:
    """The accounts the trail's rows are about, by id (name and today's labels), so that a
    row says "rekening Huur", not "rekening #17"."""
    wanted = [account_id for account_id in ids if account_id is not None]
    if not wanted:
        return {}
    columns = (Account.id, Account.name, Account.label_nl, Account.label_en)
    return {
        row.id: row for row in db.session().execute(select(*columns).where(Account.id.in_(wanted)))
    }


def _names() -> dict[int, str]:
    """Who is who in the audit trail: the organisation's members by user id."""
    return {user.id: user.name or user.email for user, _role in members_of(db.session(), g.org.id)}
