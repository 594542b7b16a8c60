"""The cookie's side of server-side sessions: start, load on every request, rotate, end.

Flask's signed cookie holds the session token (``SESSION_TOKEN_KEY``) next to Flask-Login's
user id; ``load_user`` accepts the user only if ``tenants.sessions`` finds a live session for
that token and that user. So a copied cookie stops working the moment its session ends, and
Flask-Login's remember-me cookie (which restores a user id but no token) opens nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, after_this_request, current_app, g, request, session
from flask_login import UserMixin, login_user, logout_user
from sqlalchemy import inspect

from app.extensions import db
from tenants import sessions
from tenants.models import User
from tenants.queries import MemberOrganisation
from tenants.security_log import record
from tenants.security_models import EventKind

SESSION_TOKEN_KEY = "sid"  # noqa: S105  (the name of a cookie field)


class CurrentUser(UserMixin):
    """What Flask-Login keeps of a user: plain values, no ORM object bound to any session.

    ``organisations`` are the user's organisations with the role in each, and ``session_id``
    the server-side session this browser is in, when the session check brought them (every
    request but the login itself); None means not read.
    """

    def __init__(
        self,
        user: User | sessions.SessionUser,
        *,
        has_second_factor: bool = False,
        organisations: tuple[tuple[MemberOrganisation, str], ...] | None = None,
        session_id: int | None = None,
    ) -> None:
        self.id = user.id
        self.email = user.email
        self.name = user.name or user.email
        self.locale = user.locale
        self.is_bureau_admin = user.is_bureau_admin
        self.has_second_factor = has_second_factor
        self._is_active = user.is_active
        self.organisations = organisations
        self.session_id = session_id

    @property
    def is_active(self) -> bool:
        return self._is_active


def now() -> datetime:
    return datetime.now(UTC)


def timeouts() -> sessions.Timeouts:
    config = current_app.config
    return sessions.Timeouts(
        idle=config["SESSION_IDLE_TIMEOUT"], absolute=config["SESSION_ABSOLUTE_TIMEOUT"]
    )


def client_address() -> str | None:
    """The visitor's address as ProxyFix found it (``SB_PROXY_HOPS``)."""
    return request.remote_addr


def start(user: User, *, has_second_factor: bool = False, is_new: bool = True) -> None:
    """Log in on a fresh cookie and a new server-side session (no fixation, no reuse).

    ``is_new`` is False when a logged-in person goes on in a new session (after changing
    their password): that is no login for the security log.
    """
    fresh_cookie()
    session[SESSION_TOKEN_KEY] = sessions.start_session(db.session(), user.id, now(), _device())
    login_user(CurrentUser(user, has_second_factor=has_second_factor))
    if is_new:
        record(db.session(), EventKind.LOGIN, user_id=user.id, ip_address=client_address())


def fresh_cookie() -> None:
    """Empty the cookie but for the chosen language; a session it still had ends."""
    previous = session.get(SESSION_TOKEN_KEY)
    if isinstance(previous, str):
        sessions.end_session(db.session(), previous, now(), rotation_key())
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def rotation_key() -> bytes:
    """The key rotations derive a session's next token with (``sessions.successor_token``)."""
    secret = current_app.config["SECRET_KEY"]
    return secret if isinstance(secret, bytes) else str(secret).encode()


def load_user(user_id: str) -> CurrentUser | None:
    """Flask-Login's user loader: the user only while their session on the server is live.

    A browser that missed its session's rotation a moment ago (a double click) goes on in the
    successor and is handed its token (``tenants.sessions``, ``ROTATION_GRACE``).
    """
    token = session.get(SESSION_TOKEN_KEY)
    if not isinstance(token, str) or not user_id.isdigit():
        return None
    live = sessions.check_session(
        db.session(), token, now(), timeouts(), key=rotation_key(), device=_device()
    )
    if live is None or live.user.id != int(user_id):
        session.pop(SESSION_TOKEN_KEY, None)
        return None
    if live.successor_token is not None:
        g.token_sent = token
        token = session[SESSION_TOKEN_KEY] = live.successor_token
    if live.must_rotate:
        _rotate_before_binding(token)
    return CurrentUser(
        live.user,
        has_second_factor=live.has_second_factor,
        organisations=live.organisations,
        session_id=live.id,
    )


def token_sent() -> str | None:
    """The session token this request's browser sent: the cookie's, unless the browser sent
    the old token of a rotation it missed and was handed the successor's in ``load_user``.

    What was derived from the login's token before the rotation (the second factor's recovery
    codes) is derived from this one again.
    """
    sent = g.get("token_sent") or session.get(SESSION_TOKEN_KEY)
    return sent if isinstance(sent, str) else None


def _device() -> sessions.Device:
    return sessions.Device(client_address(), request.user_agent.string or "")


def _rotate_before_binding(token: str) -> None:
    """Rotate now, and hand the browser the new token only if this request commits it.

    Written now, before the request binds an organisation and takes its tenant role, which may
    not touch sessions (``tenants.db_roles``). The browser gets the new token with an answer
    below 400 whose rotation is still in the transaction: a request that rolls back (an error,
    or a refusal that rolls back and redirects) undoes the rotation, so its old token stays
    good and the next request rotates instead. A rotation another request made already
    (committed) is handed over whatever the answer.
    """
    rotation = sessions.rotate(db.session(), token, now(), rotation_key())
    if rotation is not None:
        _hand_over_when_committed(rotation)


def _hand_over_when_committed(rotation: sessions.Rotation) -> None:
    """Give the browser the rotation's token with this request's answer, if the rotation is
    committed by then: made by another request, or by this one with an answer below 400 whose
    transaction still holds it (the unit of work commits such an answer)."""

    @after_this_request
    def _hand_over(response: Response) -> Response:
        made = rotation.made
        if made is None or (response.status_code < 400 and inspect(made).persistent):
            session[SESSION_TOKEN_KEY] = rotation.token
        return response


def rotate_current() -> None:
    """A new token for this browser's session (after a change of privileges), handed over with
    an answer that commits it.

    Rotates the token the browser sent: a send that came with the old token of a rotation it
    missed (a double or triple click) shares that rotation's successor instead of rotating the
    successor again, which would leave a third send with nothing to go on in.
    """
    token = token_sent()
    if token is None:
        return
    rotation = sessions.rotate(db.session(), token, now(), rotation_key())
    if rotation is not None:
        _hand_over_when_committed(rotation)


def end(user_id: int | None) -> None:
    """Log out this browser: its server-side session ends, its cookie is emptied."""
    token = session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        sessions.end_session(db.session(), token, now(), rotation_key())
    if user_id is not None:
        record(db.session(), EventKind.LOGOUT, user_id=user_id, ip_address=client_address())
    logout_user()
    session.clear()
