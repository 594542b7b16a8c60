"""The organisation dashboard (filled by the ledger and bank features)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from app.extensions import db
from app.tenancy import organisation_blueprint, requires
from ledger.models import Account
from tenants.roles import Role

blueprint = organisation_blueprint("dashboard", __name__)


@blueprint.route("/")
@requires(Role.VIEWER)
def index() -> Any:
    account_count = db.session().scalar(select(func.count()).select_from(Account))
    return render_template("dashboard/index.html", account_count=account_count)
