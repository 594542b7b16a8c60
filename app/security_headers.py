"""The headers every answer carries: a strict content policy, no framing, no sniffing, no caching.

One ``after_request`` sets them all, so no view can forget them:

- ``Content-Security-Policy``: scripts, styles, images and fetches from this site only; no
  inline script or style at all (templates load ``app/static/*.js`` and use classes), no
  plugins, no ``<base>``, and no page of ours inside a frame (``frame-ancestors 'none'``, with
  ``X-Frame-Options: DENY`` for browsers that predate it). ``form-action`` is left open on
  purpose: paying by iDEAL posts to us and is redirected on to the bank, which a form-action
  of ``'self'`` would block in Chromium.
- ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy`` that sends no path (which names
  the organisation) to other sites.
- ``Strict-Transport-Security`` only on answers served over https: announcing it over plain
  http means nothing, and on ``localhost`` it would haunt every other local project.
- ``Cache-Control: no-store`` on every page of a logged-in user unless the view chose its own
  ``no-store`` variant, so a shared computer's cache or a proxy keeps no books. Static files
  stay cacheable: they hold nothing of anyone's.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if _is_private(response):
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_private(response: Response) -> bool:
    """A logged-in user's answer that does not already forbid storing it."""
    if request.endpoint == "static" or "no-store" in response.headers.get("Cache-Control", ""):
        return False
    return bool(current_user and current_user.is_authenticated)
