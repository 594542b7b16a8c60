"""The security log on pages: the person's own, and their organisation's for its owners.

Also writes the entry for bureau staff opening a member's books: once per session and
organisation (the first page that answers), so the owners read who looked, not every click.
"""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import login_sessions
from app.account.views import blueprint
from app.extensions import db
from tenants import security_log
from tenants.security_models import EventKind

_OPENED_KEY = "books_opened"

KIND_LABELS = {
    EventKind.LOGIN: _l("Ingelogd"),
    EventKind.LOGIN_FAILED: _l("Mislukte inlogpoging"),
    EventKind.LOGOUT: _l("Uitgelogd"),
    EventKind.SESSIONS_ENDED: _l("Overal uitgelogd"),
    EventKind.PASSWORD_CHANGED: _l("Wachtwoord gewijzigd"),
    EventKind.PASSWORD_RESET: _l("Wachtwoord hersteld via e-mail"),
    EventKind.SECOND_FACTOR_ENABLED: _l("Tweede factor aangezet"),
    EventKind.SECOND_FACTOR_DISABLED: _l("Tweede factor uitgezet"),
    EventKind.RECOVERY_CODE_USED: _l("Herstelcode gebruikt"),
    EventKind.ROLE_CHANGED: _l("Rol gewijzigd"),
    EventKind.MEMBER_REMOVED: _l("Uit de organisatie gehaald"),
    EventKind.USER_DEACTIVATED: _l("Account uitgeschakeld"),
    EventKind.BOOKS_OPENED_BY_BUREAU: _l("Boeken geopend door het bureau"),
}


@blueprint.route("/security-log")
@login_required
def security_log_page() -> Any:
    lines = security_log.entries_of_user(db.session(), current_user.id)
    return render_template("account/security_log.html", lines=lines, labels=KIND_LABELS)


def note_bureau_visit(organisation_id: int, is_bureau: bool) -> None:
    """Log bureau staff opening a member's books (called before the tenant is bound)."""
    if not current_user.is_bureau_admin or is_bureau:
        return
    seen = session.get(_OPENED_KEY, [])
    if organisation_id in seen:
        return
    security_log.record(
        db.session(),
        EventKind.BOOKS_OPENED_BY_BUREAU,
        actor_id=current_user.id,
        organisation_id=organisation_id,
        ip_address=login_sessions.client_address(),
        detail=request.path[:200],
    )

    @after_this_request
    def _remember(response: Response) -> Response:
        # Only once the entry is committed with the answer (below 400) is it remembered.
        if response.status_code < 400:
            session[_OPENED_KEY] = [*seen, organisation_id][-100:]
        return response
