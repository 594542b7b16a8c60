"""Bank pages: accounts and reconciliation, upload, the inbox with bulk confirm, and rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.account_picker import shown
from app.bank.inbox_rows import inbox_rows
from app.bank.mapping_form import mapping_from_form
from app.bank.uploads import (
    BACKGROUND_LINES,
    book_other_sides,
    is_large,
    job_of,
    job_state,
    start_confirmations,
    start_import,
    validate_later,
)
from app.books.params import text_arg, today
from app.errors import flash_refusal, translated
from app.extensions import db
from app.form_input import account as account_field
from app.form_input import optional_figure, optional_id, sent_text, text, ticked_ids
from app.i18n import typed_amount
from app.refusals import Errors, attempt, go_back, show_again, succeeded
from app.tenancy import organisation_blueprint, requires
from app.unit_of_work import after_commit
from ledger.bank.accounts import (
    BANK_ACCOUNT_TYPES,
    DEFAULT_LEDGER_ACCOUNT,
    add_bank_account,
    csv_mapping_of,
    normalised_iban,
    set_csv_mapping,
)
from ledger.bank.csvmapping import CsvMapping
from ledger.bank.formats import MAX_BYTES
from ledger.bank.ignoring import ignore_before_start, ignore_line, restore_line
from ledger.bank.importing import ImportResult, import_statement
from ledger.bank.inbox import (
    Confirmation,
    before_start_count,
    confirm_lines,
    ignored_count,
    open_lines,
    recently_booked,
)
from ledger.bank.matching import InvoiceMatcher
from ledger.bank.presets import PRESETS
from ledger.bank.reconciliation import reconcile, reconciliations
from ledger.bank.rules import (
    RuleExists,
    RuleSpec,
    add_rule,
    all_rules,
    change_rule,
    delete_rule,
    names_of_ibans,
    rule_from_line,
    rule_of,
)
from ledger.errors import NotFound
from ledger.ibans import printed_iban
from ledger.suggestions import AccountChoice, account_choices, recent_names, resolve_account
from purchasing.sepa.payables import invoice_matcher
from tenants.roles import Role

blueprint = organisation_blueprint("bank", __name__)
blueprint.add_app_template_global(inbox_rows)


@blueprint.route("/bank")
@requires(Role.VIEWER)
def index() -> Any:
    return _index_page()


@blueprint.route("/bank/accounts", methods=["POST"])
@requires(Role.BOOKKEEPER)
def add_account() -> Any:
    return attempt(
        lambda: _add_bank_account(request.form),
        succeeded(url_for("bank.index"), _("Bankrekening toegevoegd.")),
        show_again(_index_page, "iban"),
    )


def _add_bank_account(form: Mapping[str, str]) -> int:
    """Link the IBAN to the balance account picked for it (by label, RGS code or name)."""
    iban = normalised_iban(text(form, "iban"))
    choices = account_choices(db.session(), today())
    ledger_account = (
        account_field(form, "account", choices, types=BANK_ACCOUNT_TYPES)
        if "account" in form  # a form that does not ask books on the usual current account
        else DEFAULT_LEDGER_ACCOUNT
    )
    return add_bank_account(db.session(), iban, current_user.id, account=ledger_account)


def _index_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    """Reconciliation, upload and the form that adds a bank account (typed values kept)."""
    session = db.session()
    return render_template(
        "bank/index.html",
        reconciliations=reconciliations(session),
        choices=account_choices(session, today()),
        bank_account_types=BANK_ACCOUNT_TYPES,
        default_bank_account=DEFAULT_LEDGER_ACCOUNT,
        errors=errors or {},
        values=values or {},
    )


@blueprint.route("/bank/accounts/<int:bank_account_id>/csv", methods=["GET", "POST"])
@requires(Role.BOOKKEEPER)
def csv_mapping(bank_account_id: int) -> Any:
    iban, saved = csv_mapping_of(db.session(), bank_account_id)
    if request.method == "GET":
        return _mapping_page(bank_account_id, iban, saved)
    mapping = mapping_from_form(request.form)
    return attempt(
        lambda: set_csv_mapping(db.session(), bank_account_id, mapping, current_user.id),
        succeeded(url_for("bank.index"), _("Kolomindeling opgeslagen voor %(iban)s.", iban=iban)),
        lambda error: (_mapping_page(bank_account_id, iban, mapping, translated(error)), 422),
    )


def _mapping_page(
    bank_account_id: int, iban: str, mapping: CsvMapping | None, problem: str | None = None
) -> str:
    return render_template(
        "bank/mapping.html",
        bank_account_id=bank_account_id,
        iban=iban,
        mapping=mapping,
        presets=sorted(PRESETS),
        problem=problem,
    )


@blueprint.route("/bank/reconcile", methods=["POST"])
@requires(Role.BOOKKEEPER)
def reconcile_now() -> Any:
    added = reconcile(db.session())
    flash(_("%(count)s saldocontroles toegevoegd.", count=added))
    return redirect(url_for("bank.index"))


@blueprint.route("/bank/import", methods=["POST"])
@requires(Role.BOOKKEEPER)
def upload() -> Any:
    if (request.content_length or 0) > MAX_BYTES + 2**20:  # before the body is read
        flash(_("Het bestand is te groot."), "error")
        return redirect(url_for("bank.index"))
    file = request.files.get("statement")
    if file is None or not file.filename:
        flash(_("Kies een afschrift om in te lezen."), "error")
        return redirect(url_for("bank.index"))
    filename, data = file.filename, file.read()
    bank_account_id = optional_id(request.form, "bank_account_id")
    if is_large(data):
        job = start_import(data, filename, g.org.id, current_user.id, bank_account_id)
        return redirect(url_for("bank.job_page", job_id=job.id))
    return attempt(
        lambda: import_statement(
            db.session(), data, current_user.id, filename=filename, bank_account_id=bank_account_id
        ),
        _imported,
        lambda error: _statement_refused(translated(error)),
    )


def _statement_refused(reason: str) -> Any:
    flash(_("Het afschrift is geweigerd. %(reason)s", reason=reason), "error")
    return redirect(url_for("bank.index"))


def _imported(result: ImportResult) -> Any:
    if result.imported:
        organisation_id = g.org.id
        after_commit(lambda: validate_later(organisation_id))  # without Redis: saved, and said
    flash(
        _(
            "%(imported)s regels ingelezen, %(duplicates)s al bekend.",
            imported=result.imported,
            duplicates=result.duplicates,
        )
    )
    if result.pending:
        flash(
            _(
                "%(count)s regels zijn nog in behandeling bij de bank: ze staan apart in de"
                " inbox en zijn te boeken zodra de bank ze boekt.",
                count=result.pending,
            )
        )
    return redirect(url_for("bank.inbox"))


@blueprint.route("/bank/jobs/<job_id>")
@requires(Role.BOOKKEEPER)
def job_page(job_id: str) -> Any:
    job = job_of(job_id, g.org.id) or abort(404)
    return render_template("bank/job.html", job_id=job_id, state=job_state(job))


@blueprint.route("/bank/jobs/<job_id>.json")
@requires(Role.BOOKKEEPER)
def job_status(job_id: str) -> Any:
    job = job_of(job_id, g.org.id) or abort(404)
    return jsonify(job_state(job))


@blueprint.route("/bank/inbox")
@requires(Role.VIEWER)
def inbox() -> Any:
    ignored = text_arg("filter") == "ignored"
    lines = open_lines(db.session(), invoices=_invoices(), ignored=ignored)
    return render_template(
        "bank/inbox.html",
        lines=lines,
        before_start=before_start_count(lines),
        ignored=ignored,
        ignored_count=ignored_count(db.session()),
        booked=[] if ignored else recently_booked(db.session()),
        choices=account_choices(db.session(), today()),
    )


@blueprint.route("/bank/lines/<int:line_id>/ignore", methods=["POST"])
@requires(Role.BOOKKEEPER)
def ignore(line_id: int) -> Any:
    return attempt(
        lambda: ignore_line(db.session(), line_id, text(request.form, "reason"), current_user.id),
        succeeded(url_for("bank.inbox"), _("De regel is genegeerd.")),
        go_back(url_for("bank.inbox")),
    )


@blueprint.route("/bank/inbox/ignore-before-start", methods=["POST"])
@requires(Role.BOOKKEEPER)
def ignore_early() -> Any:
    count = ignore_before_start(db.session(), current_user.id)
    flash(_("%(count)s regels van vóór de start van de boekhouding genegeerd.", count=count))
    return redirect(url_for("bank.inbox"))


@blueprint.route("/bank/lines/<int:line_id>/restore", methods=["POST"])
@requires(Role.BOOKKEEPER)
def restore(line_id: int) -> Any:
    return attempt(
        lambda: restore_line(db.session(), line_id, current_user.id),
        succeeded(url_for("bank.inbox"), _("De regel staat weer bij de te boeken regels.")),
        go_back(url_for("bank.inbox", filter="ignored")),
    )


@blueprint.route("/bank/inbox/confirm", methods=["POST"])
@requires(Role.BOOKKEEPER)
def confirm() -> Any:
    chosen = [
        Confirmation(
            line_id,
            _account_name(text(request.form, f"account-{line_id}")),
            project=sent_text(request.form, f"project-{line_id}"),
        )
        for line_id in ticked_ids(request.form, "line")
    ]
    picked = [c for c in chosen if c.account]
    if len(picked) > BACKGROUND_LINES:
        job = start_confirmations(
            [(c.line_id, c.account, c.project) for c in picked], g.org.id, current_user.id
        )
        return redirect(url_for("bank.job_page", job_id=job.id))
    result = confirm_lines(db.session(), picked, current_user.id, invoices=_invoices())
    if result.booked:
        after_commit(book_other_sides)
        flash(_("%(count)s regels geboekt.", count=len(result.booked)))
    for line_id, error in result.refused.items():
        flash(
            _("Regel %(id)s is niet geboekt. %(reason)s", id=line_id, reason=translated(error)),
            "error",
        )
    if len(chosen) > len(result.booked) + len(result.refused):
        flash(_("Kies een rekening voor elke regel die je wilt boeken."), "error")
    return redirect(url_for("bank.inbox"))


@blueprint.route("/bank/rules")
@requires(Role.VIEWER)
def rules() -> Any:
    return _rules_page()


def _rules_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    """The rules and the form for a new one (typed values kept when it is refused)."""
    rules = all_rules(db.session())
    return render_template(
        "bank/rules.html",
        rules=rules,
        names=names_of_ibans(db.session(), [rule.counterparty_iban for rule in rules]),
        choices=account_choices(db.session(), today()),
        projects=recent_names(db.session()).projects,
        errors=errors or {},
        values=values or {},
    )


@blueprint.route("/bank/rules", methods=["POST"])
@requires(Role.BOOKKEEPER)
def create_rule() -> Any:
    return attempt(
        lambda: add_rule(db.session(), _rule_spec(request.form), current_user.id),
        succeeded(url_for("bank.rules"), _("Regel opgeslagen.")),
        show_again(_rules_page, "account"),  # a refusal naming no field of the form
    )


@blueprint.route("/bank/rules/<int:rule_id>")
@requires(Role.BOOKKEEPER)
def edit_rule(rule_id: int) -> Any:
    return _rule_page(rule_id)


def _rule_page(
    rule_id: int, errors: Errors | None = None, values: Mapping[str, str] | None = None
) -> str:
    """One rule's form, filled in as the rule is (or as typed, when a change is refused)."""
    rule = rule_of(db.session(), rule_id)
    choices = account_choices(db.session(), today())
    return render_template(
        "bank/rule.html",
        rule=rule,
        choices=choices,
        projects=recent_names(db.session()).projects,
        errors=errors or {},
        values=_rule_values(rule, choices) if values is None else values,
    )


@blueprint.route("/bank/rules/<int:rule_id>", methods=["POST"])
@requires(Role.BOOKKEEPER)
def save_rule(rule_id: int) -> Any:
    on_page = show_again(lambda errors, values: _rule_page(rule_id, errors, values), "account")
    gone = go_back(url_for("bank.rules"))  # removed meanwhile: the list says so
    return attempt(
        lambda: change_rule(db.session(), rule_id, _rule_spec(request.form), current_user.id),
        succeeded(url_for("bank.rules"), _("Regel gewijzigd.")),
        lambda error: gone(error) if isinstance(error, NotFound) else on_page(error),
    )


@blueprint.route("/bank/rules/<int:rule_id>/delete", methods=["POST"])
@requires(Role.BOOKKEEPER)
def remove_rule(rule_id: int) -> Any:
    delete_rule(db.session(), rule_id, current_user.id)
    flash(_("Regel verwijderd."))
    return redirect(url_for("bank.rules"))


@blueprint.route("/bank/lines/<int:line_id>/rule", methods=["POST"])
@requires(Role.BOOKKEEPER)
def rule_from(line_id: int) -> Any:
    try:
        rule_from_line(db.session(), line_id, current_user.id)
    except RuleExists as kept:  # made already (a double click): the rules page says so
        flash_refusal(kept)
    else:
        flash(_("Regel gemaakt van de geboekte bankregel."))
    return redirect(url_for("bank.rules"))


def _rule_spec(form: Mapping[str, str]) -> RuleSpec:
    return RuleSpec(
        contra_account=account_field(form, "account", account_choices(db.session(), today())),
        counterparty_iban=text(form, "counterparty_iban"),
        counterparty_name=text(form, "counterparty_name"),
        description_contains=text(form, "description_contains"),
        amount_min=optional_figure(form, "amount_min", places=2),
        amount_max=optional_figure(form, "amount_max", places=2),
        narration=text(form, "narration"),
        project=text(form, "project"),
    )


def _rule_values(rule: RuleSpec, choices: list[AccountChoice]) -> dict[str, str]:
    """A kept rule as its form's fields: the IBAN, amounts and account as a person types them."""
    return {
        "counterparty_iban": printed_iban(rule.counterparty_iban),
        "counterparty_name": rule.counterparty_name,
        "description_contains": rule.description_contains,
        "amount_min": "" if rule.amount_min is None else typed_amount(rule.amount_min),
        "amount_max": "" if rule.amount_max is None else typed_amount(rule.amount_max),
        "account": shown(choices, rule.contra_account),
        "project": rule.project,
    }


def _invoices() -> InvoiceMatcher:
    """The bureau matches its receivables; a member its payables to the bureau."""
    return invoice_matcher(db.session(), g.org.id, is_bureau=g.org.is_bureau)


def _account_name(text: str) -> str:
    """The account a person typed, by its Dutch or English label, RGS code or full name."""
    return resolve_account(account_choices(db.session(), today()), text) or text.strip()
