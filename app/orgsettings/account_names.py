"""Renaming an account (owner only): new Dutch and English labels, the books' name kept.

The page is reached from the account's own page and from the chart of accounts in the
settings; it names the account by ``?account=`` (the books' name), as the form posts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.form_input import text
from app.orgsettings.views import blueprint
from app.refusals import Errors, attempt, show_again, succeeded
from app.tenancy import requires
from ledger.accounts import rename_account
from ledger.models import Account
from tenants.roles import Role


@blueprint.route("/settings/accounts/name")
@requires(Role.OWNER)
def account_name() -> Any:
    name = text(request.args, "account")
    if not name:  # which account: the chart of accounts, where each name leads here
        return redirect(url_for("orgsettings.index", _anchor="chart-title"))
    account = _account(name)
    return _page(account, {}, {"label_nl": account.label_nl, "label_en": account.label_en})


@blueprint.route("/settings/accounts/name", methods=["POST"])
@requires(Role.OWNER)
def rename() -> Any:
    account = _account(text(request.form, "account"))
    changed_to = url_for("books.account_page", account=account.name)
    return attempt(
        lambda: rename_account(
            db.session(),
            account.name,
            current_user.id,
            label_nl=text(request.form, "label_nl"),
            label_en=text(request.form, "label_en"),
        ),
        succeeded(
            changed_to,
            lambda renamed: (
                _("De naam van de rekening is gewijzigd.")
                if renamed
                else _("Er is niets gewijzigd: dit was al de naam.")
            ),
        ),
        show_again(lambda errors, values: _page(account, errors, values), "label_nl"),
    )


def _account(name: str) -> Account:
    """The account named ``name`` (the books' name); 404 when there is none."""
    found = db.session().scalar(select(Account).where(Account.name == name)) if name else None
    if found is None:
        abort(404)
    return found


def _page(account: Account, errors: Errors, values: Mapping[str, str]) -> str:
    return render_template(
        "orgsettings/account_name.html", account=account, errors=errors, values=values
    )
