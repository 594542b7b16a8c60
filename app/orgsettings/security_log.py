"""The organisation's security log, for its owners: who logged in, changed roles, looked in."""

from __future__ import annotations

from typing import Any

from flask import g, render_template

from app.account.log import KIND_LABELS
from app.extensions import db
from app.orgsettings.views import blueprint
from app.tenancy import requires
from tenants import security_log
from tenants.roles import Role


@blueprint.route("/settings/security-log")
@requires(Role.OWNER)
def security_log_page() -> Any:
    lines = security_log.entries_of_organisation(db.session(), g.org.id)
    return render_template(
        "orgsettings/security_log.html", lines=lines, labels=KIND_LABELS, show_person=True
    )
