"""Setting up the second factor (TOTP) on the account page; bureau staff must have one.

A bureau admin can reach every member's invoices, so after logging in without a second factor
they are sent to the set-up page and can reach nothing else (``require_for_bureau_staff``)
until it is on. Turning it on or off rotates the session token (a change of privileges).

The recovery codes are shown once, after a redirect (post/redirect/get): the confirming send
keeps them in the signed session cookie, and the page that shows them takes them out. A second
send of the confirming form (a double click) leads to the same codes: from the cookie when the
browser already holds the first answer's, else derived again from the login
(``second_factor.confirm_from_login``), never a refusal that hides them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import segno
from flask import (
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import login_sessions
from app.account.views import blueprint
from app.extensions import db
from app.form_input import password, required
from app.refusals import Errors, attempt, go_back, show_again
from ledger.errors import ValidationFailed, message
from tenants import second_factor, sessions
from tenants.models import User
from tenants.passwords import verify_password

# What a bureau admin without a second factor may still reach.
_OPEN_DURING_SETUP = frozenset(
    {
        "account.second_factor",
        "account.start_second_factor",
        "account.confirm_second_factor",
        "account.second_factor_qr",
        "account.recovery_codes",
        "auth.logout",
        "auth.choose_locale",
        "static",
    }
)


CODE_LONGEST = 12
# The cookie field that holds recovery codes until their page shows them, and for how long.
RECOVERY_CODES_KEY = "recovery_codes"
RECOVERY_CODES_KEPT = timedelta(minutes=10)


def init_app(app: Flask) -> None:
    app.before_request(require_for_bureau_staff)


def require_for_bureau_staff() -> Any:
    """Send a bureau admin without a second factor to its set-up page, from anywhere."""
    if not current_user.is_authenticated or not current_user.is_bureau_admin:
        return None
    if current_user.has_second_factor or request.endpoint in _OPEN_DURING_SETUP:
        return None
    return redirect(url_for("account.second_factor"))


@blueprint.route("/second-factor", endpoint="second_factor")
@login_required
def second_factor_page() -> Any:
    return _page()


@blueprint.route("/second-factor/start", methods=["POST"])
@login_required
def start_second_factor() -> Any:
    back = url_for("account.second_factor")
    return attempt(
        lambda: second_factor.begin_setup(db.session(), current_user.id, login_sessions.now()),
        lambda _begun: redirect(back),
        go_back(back),
    )


@blueprint.route("/second-factor/qr.svg")
@login_required
def second_factor_qr() -> Any:
    secret = second_factor.pending_secret(db.session(), current_user.id)
    if secret is None:
        abort(404)
    uri = second_factor.provisioning_uri(secret, current_user.email)
    svg = segno.make(uri, error="m").svg_inline(scale=5)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.route("/second-factor/confirm", methods=["POST"])
@login_required
def confirm_second_factor() -> Any:
    if _codes_to_show() is not None:  # this browser's first send confirmed it: same codes
        session.modified = True  # hand the codes back, should another answer have taken them
        return redirect(url_for("account.recovery_codes"))
    token = login_sessions.token_sent()
    if token is not None:
        sessions.take_turns_in_login(db.session(), token)
    return attempt(
        lambda: second_factor.confirm_from_login(
            db.session(),
            current_user.id,
            required(request.form, "code", longest=CODE_LONGEST),
            login_sessions.now(),
            token,
        ),
        _confirmed,
        show_again(_page, "code", {}),
    )


def _confirmed(confirmation: second_factor.Confirmation) -> Any:
    # A repeat (``confirmation.again``) shares the first send's rotation: its successor, which
    # the browser may never have read (a double click drops that answer).
    login_sessions.rotate_current()
    session[RECOVERY_CODES_KEY] = {
        "user_id": current_user.id,
        "codes": confirmation.codes,
        "until": (login_sessions.now() + RECOVERY_CODES_KEPT).timestamp(),
    }
    flash(_("Je tweede factor staat aan."))
    return redirect(url_for("account.recovery_codes"))


@blueprint.route("/second-factor/recovery-codes")
@login_required
def recovery_codes() -> Any:
    """The recovery codes of the confirmation just made, once: showing them removes them."""
    codes = _codes_to_show()
    session.pop(RECOVERY_CODES_KEY, None)
    if codes is None or not second_factor.are_the_recovery_codes(
        db.session(), current_user.id, codes
    ):
        flash(_("Je herstelcodes worden maar één keer getoond."))
        return redirect(url_for("account.second_factor"))
    return render_template("account/recovery_codes.html", codes=codes)


def _codes_to_show() -> list[str] | None:
    """This user's recovery codes in the cookie, while they are kept."""
    kept = session.get(RECOVERY_CODES_KEY)
    if not isinstance(kept, dict) or kept.get("user_id") != current_user.id:
        return None
    if not isinstance(kept.get("until"), float) or kept["until"] < login_sessions.now().timestamp():
        return None
    codes = kept.get("codes")
    return [str(code) for code in codes] if isinstance(codes, list) else None


@blueprint.route("/second-factor/disable", methods=["POST"])
@login_required
def disable_second_factor() -> Any:
    if current_user.is_bureau_admin:
        flash(_("Bureaumedewerkers houden hun tweede factor aan."), "error")
        return redirect(url_for("account.second_factor"))
    return attempt(
        lambda: _disable(password(request.form, "password")),
        lambda _done: _disabled(),
        show_again(_page, "password", {}),
    )


def _disable(typed: str) -> None:
    user = db.session().get(User, current_user.id)
    if user is None or not verify_password(user.password_hash, typed):
        raise ValidationFailed(message("Dat wachtwoord klopt niet."), field="password")
    second_factor.disable(db.session(), current_user.id, current_user.id)


def _disabled() -> Any:
    login_sessions.rotate_current()
    flash(_("Je tweede factor staat uit."))
    return redirect(url_for("account.index"))


def _page(errors: Errors | None = None, _values: Mapping[str, str] | None = None) -> str:
    """The set-up page; both its forms are a code or a password, never shown again."""
    database = db.session()
    secret = second_factor.pending_secret(database, current_user.id)
    return render_template(
        "account/second_factor.html",
        is_enabled=second_factor.is_enabled(database, current_user.id),
        secret=secret,
        errors=errors or {},
    )
