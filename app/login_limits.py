"""Login throttling that holds behind a proxy: per address, and per account across addresses.

- ``SB_PROXY_HOPS`` (default 0) says how many proxies stand in front of the application;
  Werkzeug's ProxyFix then takes the visitor's address (and scheme and host) from that many
  ``X-Forwarded-*`` entries, counted from the right, so a visitor cannot forge them. Without a
  proxy the setting stays 0 and those headers are ignored.
- Per address (``LOGIN_RATE_LIMIT``): every login POST from one address counts, so one outsider
  is slowed down without touching anyone else.
- Per account (``LOGIN_ACCOUNT_RATE_LIMIT``): only failed attempts count, keyed on a hash of
  the address typed (known or not, so the answer tells nothing), from any address. A slow guess
  spread over many addresses is stopped; a person whose account is being guessed at waits a
  while (the window of the limit), nobody else does.

Both counters live in the application's Redis, through Flask-Limiter's storage and strategy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from werkzeug.middleware.proxy_fix import ProxyFix

_EXTENSION_KEY = "login_limiter"
# Flask-Limiter's settings for limits on every route, which its per-request hook would check.
_EVERY_ROUTE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")
# Where failed attempts are counted while Redis cannot be reached.
_FALLBACK = MovingWindowRateLimiter(MemoryStorage())


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    # A limiter of this application's own: Flask-Limiter keeps its switch and storage on the
    # ``Limiter`` object, so one shared by the several applications a test run makes would
    # let the last one switch limits for all. The wrapper holds it only weakly: keep it here.
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions[_EXTENSION_KEY] = limiter
    _drop_per_request_check(app, limiter)


def _drop_per_request_check(app: Flask, limiter: Limiter) -> None:
    """Take Flask-Limiter's ``before_request`` hook out: it checks limits set for every route.

    This application has none; its limits sit on the login views and are checked by their
    wrappers (``limit_per_address``). The hook only worked out, on every request, that nothing
    applied: 2% of a worker's CPU under the load benchmark. Limits for every route would need
    it back, so they are refused rather than silently left unchecked.
    """
    every_route = [name for name in _EVERY_ROUTE_SETTINGS if app.config.get(name)]
    if every_route:
        raise RuntimeError(
            f"{', '.join(every_route)}: limits on every route are not checked by this "
            "application; set limits on the views that need them (login_limits)"
        )
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when limits are switched off
        hooks.remove(limiter._check_request_limit)


def limit_per_address(app: Flask, endpoint: str, setting: str) -> None:
    """Count every POST to ``endpoint`` against the visitor's address.

    Flask-Limiter checks a decorated limit inside the wrapper it returns, not in its
    ``before_request`` hook, so the wrapper must be the view Flask calls.
    """
    limiter: Limiter = app.extensions[_EXTENSION_KEY]
    view: Callable[..., Any] = app.view_functions[endpoint]
    limited = limiter.limit(lambda: app.config[setting], methods=["POST"])(view)
    app.view_functions[endpoint] = limited


def refuse_if_account_locked(kind: str, account: str) -> None:
    """Answer 429 while this account has used up its failed attempts of this kind."""
    limiter, items, key = _account_counter(kind, account)
    if limiter is None:
        return
    try:
        allowed = all(limiter.limiter.test(item, key) for item in items)
    except RedisError:
        allowed = all(_FALLBACK.test(item, key) for item in items)
    if not allowed:
        abort(429)


def count_failure(kind: str, account: str) -> None:
    """One more failed attempt of this kind on this account, from whatever address.

    While Redis is away the counting goes on in this process's memory (fail safe: the limits
    still hold, per process, instead of lapsing or locking everyone out).
    """
    limiter, items, key = _account_counter(kind, account)
    if limiter is None:
        return
    for item in items:
        try:
            limiter.limiter.hit(item, key)
        except RedisError:
            _FALLBACK.hit(item, key)


def _account_counter(kind: str, account: str) -> tuple[Limiter | None, list[Any], str]:
    limiter: Limiter = current_app.extensions[_EXTENSION_KEY]
    if not limiter.enabled:
        return None, [], ""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]
    items = parse_many(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])
    return limiter, list(items), f"{prefix}/account/{kind}/{digest}"
