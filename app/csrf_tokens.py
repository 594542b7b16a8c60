"""The CSRF token a page's forms carry, signed once per session and process.

Flask-WTF signs the session's secret token anew for every page (``generate_csrf``): a key
derivation, two HMACs, JSON and base64; every page's frame has two forms (logging out,
choosing a language), so every page pays it, 1.5% of a worker's CPU under the load benchmark.
Here tokens never expire by age (``WTF_CSRF_TIME_LIMIT`` is None), so the signature's timestamp
carries nothing: the token signed for a session's secret the first time serves its later pages,
and is checked as Flask-WTF checks any (``CSRFProtect``). Where an age limit is set, every page
is signed anew, as Flask-WTF does.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, session
from flask_wtf.csrf import generate_csrf

# Sessions signed for at a time; a new session's token is signed again after a clear.
KEPT = 10_000

_SIGNED: dict[tuple[Any, str], str] = {}


def init_app(app: Flask) -> None:
    """Let templates' ``csrf_token()`` use the kept signature. After ``CSRFProtect``, which
    puts its own in the globals and in every render's context: this context's comes later."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(_in_context)


def _in_context() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


def csrf_token() -> str:
    """Flask-WTF's token for this session, signed once per session secret and process."""
    config = current_app.config
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return str(generate_csrf())  # signed with the time, for every page
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field)
    signed = _SIGNED.get((secret, raw)) if isinstance(raw, str) else None
    if signed is None:
        # Also the session's first page, where this makes the session's secret: its token is
        # kept too, or the next page would sign again, with another second in the signature.
        signed = str(generate_csrf())
        if len(_SIGNED) >= KEPT:
            _SIGNED.clear()
        _SIGNED[(secret, session[field])] = signed
    return signed
