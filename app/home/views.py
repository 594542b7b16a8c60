"""Home: a member sees their organisations; bureau staff are sent to the bureau's overview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.tenancy import user_organisations

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> Any:
    # Bureau staff start at the bureau's work; their own memberships are in the switcher.
    if current_user.is_bureau_admin:
        return redirect(url_for("bureau.organisations"))
    memberships = user_organisations()
    if len(memberships) == 1:
        return redirect(url_for("dashboard.index", slug=memberships[0][0].slug))
    return render_template("home/index.html", memberships=memberships)


@blueprint.route("/my-organisations")
@login_required
def mine() -> Any:
    """Every organisation the user belongs to, whoever they are (the top bar links here)."""
    memberships = user_organisations()
    return render_template("home/index.html", memberships=memberships)
