"""Organisation settings (owner only): details, fiscal year, IBANs and the chart of accounts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.account_picker import account_label, advanced_view
from app.extensions import db
from app.form_input import account as account_field
from app.form_input import required, text
from app.i18n import month_names
from app.input_limits import whole_number
from app.refusals import Errors, attempt, show_again, succeeded
from app.tenancy import bind_books, organisation_blueprint, requires, writes_registry
from ledger.accounts import close_account, open_account_under, open_named_account
from ledger.bank.accounts import (
    BANK_ACCOUNT_TYPES,
    DEFAULT_LEDGER_ACCOUNT,
    add_bank_account,
    normalised_iban,
)
from ledger.bank.models import BankAccount
from ledger.clock import today
from ledger.errors import DomainError
from ledger.fiscal_year import fiscal_year_start_month, set_fiscal_year_start_month
from ledger.models import Account
from ledger.suggestions import account_choices, parent_choices
from tenants.organisations import OrganisationDetails, organisation_details, update_details
from tenants.roles import Role

blueprint = organisation_blueprint("orgsettings", __name__)


@blueprint.route("/settings")
@requires(Role.OWNER)
def index() -> Any:
    return _page()


@blueprint.route("/settings/details", methods=["POST"])
@requires(Role.OWNER)
@writes_registry
def details() -> Any:
    form = request.form
    new = OrganisationDetails(
        name=text(form, "name"),
        legal_form=text(form, "legal_form") or None,
        kvk_number=text(form, "kvk_number"),
        rsin=text(form, "rsin"),
    )
    return _attempt_on_page(
        lambda: update_details(db.session(), g.org.id, new), _("De gegevens zijn bewaard.")
    )


@blueprint.route("/settings/fiscal-year", methods=["POST"])
@requires(Role.OWNER)
def fiscal_year() -> Any:
    month = whole_number(text(request.form, "month")) or 0
    return _attempt_on_page(
        lambda: set_fiscal_year_start_month(db.session(), month, current_user.id),
        _("Het boekjaar is ingesteld."),
    )


@blueprint.route("/settings/ibans", methods=["POST"])
@requires(Role.OWNER)
def iban() -> Any:
    return _attempt_on_page(lambda: _add_iban(request.form), _("De bankrekening is toegevoegd."))


@blueprint.route("/settings/accounts", methods=["POST"])
@requires(Role.OWNER)
def new_account() -> Any:
    return _attempt_on_page(lambda: _open_account(request.form), _("De rekening is geopend."))


@blueprint.route("/settings/accounts/close", methods=["POST"])
@requires(Role.OWNER)
def closing() -> Any:
    def close() -> None:
        choices = account_choices(db.session(), today())
        name = account_field(request.form, "close_account", choices)
        close_account(db.session(), name, current_user.id, on=today())

    return _attempt_on_page(close, _("De rekening is gesloten."))


def _add_iban(form: Mapping[str, str]) -> int:
    """Link the IBAN to the balance account picked for it (by label, RGS code or name)."""
    iban = normalised_iban(text(form, "iban"))
    choices = account_choices(db.session(), today())
    ledger_account = (
        account_field(form, "iban_account", choices, types=BANK_ACCOUNT_TYPES)
        if "iban_account" in form  # a form that does not ask books on the usual current account
        else DEFAULT_LEDGER_ACCOUNT
    )
    return add_bank_account(db.session(), iban, current_user.id, account=ledger_account)


def _open_account(form: Mapping[str, str]) -> str:
    """Open an account under the parent picked, named by its label (or, advanced, by its name)."""
    session = db.session()
    label_en, rgs_code = text(form, "label_en"), text(form, "rgs_code") or None
    name = text(form, "account_name")
    if name:
        open_named_account(
            session, name, current_user.id, opened_on=today(),
            label_nl=text(form, "label_nl"), label_en=label_en, rgs_code=rgs_code,
        )  # fmt: skip
        return name
    label_nl = required(form, "label_nl")
    parents = parent_choices(account_choices(session, today()))
    parent = account_field(form, "parent", parents)
    return open_account_under(
        session, parent, label_nl, current_user.id,
        opened_on=today(), label_en=label_en, rgs_code=rgs_code,
    )  # fmt: skip


def _attempt_on_page(action: Callable[[], object], done: str) -> ResponseReturnValue:
    """Every form of the page: back to the page when saved, or the page again with the reason."""
    return attempt(action, succeeded(url_for("orgsettings.index"), done), show_again(_page, _field))


# Each form of the page names the field a domain refusal belongs to; otherwise its first field.
_FIELDS = {
    "details": (
        {"name": "name", "legal_form": "legal_form", "kvk_number": "kvk_number", "rsin": "rsin"},
        "name",
    ),
    "fiscal-year": ({}, "month"),
    "iban": ({"account": "iban_account", "iban_account": "iban_account"}, "iban"),
    "account": (
        {
            "name": "account_name",
            "currencies": "account_name",
            "label_nl": "label_nl",
            "label_en": "label_en",
            "parent": "parent",
            "account_name": "account_name",
            "rgs_code": "rgs_code",
        },
        "label_nl",
    ),
    "close": ({}, "close_account"),
}


def _field(error: DomainError) -> str:
    names, first = _FIELDS.get(text(request.form, "form"), ({}, "form"))
    return names.get(error.field or "", first)


def _page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    bind_books()  # the details form writes the registry unbound; its page shows the books
    session = db.session()
    choices = account_choices(session, today())
    return render_template(
        "orgsettings/index.html",
        details=organisation_details(session, g.org.id),
        month=fiscal_year_start_month(session),
        bank_accounts=_bank_accounts(),
        choices=choices,
        parents=parent_choices(choices),
        bank_account_types=BANK_ACCOUNT_TYPES,
        default_bank_account=DEFAULT_LEDGER_ACCOUNT,
        advanced=advanced_view(),
        month_names=_month_names(),
        errors=errors or {},
        values=values or {},
    )


def _bank_accounts() -> list[tuple[str, str]]:
    """Each IBAN with the label of the account it is booked on, in the reader's language (its
    name if it has none)."""
    rows = db.session().execute(
        select(BankAccount.iban, Account.name)
        .join(Account, Account.id == BankAccount.account_id)
        .order_by(BankAccount.iban)
    )
    return [(iban, account_label(name)) for iban, name in rows]


def _month_names() -> list[tuple[int, str]]:
    return list(enumerate(month_names("wide"), start=1))


# The account name, period and validation pages add their routes to this blueprint.
from app.orgsettings import account_names, periods, validation  # noqa: E402, F401
