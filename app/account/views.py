"""The account page: where a person sees their sessions and logs out everywhere."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import login_sessions
from app.account.devices import describe_device
from app.account_picker import set_advanced_view
from app.extensions import db
from app.form_input import is_ticked, text
from tenants.access_changes import log_out_everywhere
from tenants.sessions import live_sessions

blueprint = Blueprint("account", __name__, url_prefix="/account")
# A path on this site to go back to: no scheme or host, and nothing a browser would strip or
# turn into one ("//host", "/\\host", tabs and newlines).
LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


@blueprint.route("")
@login_required
def index() -> Any:
    timeouts = login_sessions.timeouts()
    return render_template(
        "account/index.html",
        sessions=live_sessions(db.session(), current_user.id, login_sessions.now(), timeouts),
        idle_minutes=int(timeouts.idle.total_seconds() // 60),
        absolute_hours=int(timeouts.absolute.total_seconds() // 3600),
        describe_device=describe_device,
    )


@blueprint.route("/sessions/end", methods=["POST"])
@login_required
def end_all_sessions() -> Any:
    log_out_everywhere(db.session(), current_user.id, login_sessions.now())
    login_sessions.end(None)
    flash(_("Je bent overal uitgelogd."))
    return redirect(url_for("auth.login"))


@blueprint.route("/advanced-view", methods=["POST"])
@login_required
def advanced_view() -> Any:
    """Show or hide the books' own account names beside the labels, then back to the page."""
    set_advanced_view(is_ticked(request.form, "show", "1"))
    back = text(request.form, "next")
    return redirect(back if LOCAL_PATH.fullmatch(back) else url_for("account.index"))
