"""The web layer: application factory, settings, tenancy binding, auth and the blueprints."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

import purchasing.models  # noqa: F401  (registers the bureau's tables on the shared metadata)
import tenants.security_models  # noqa: F401  (sessions, resets, second factors, security log)
from tenants.databases import keep_prepared_statements, ping_after_idle
from tenants.schema_text import cut_schema_text_once
from workers.settings import DEVELOPMENT_PUBLIC_URL, Settings, engine_options, settings_from_env


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; with no DATABASE_URL/REDIS_URL it starts the embedded servers."""
    settings = settings_from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(_config(settings))
    if test_config:
        app.config.update(test_config)
    _resolve_services(app, settings)
    from app import (
        account_picker,
        auth,
        breaks,
        cells,
        cookie_signing,
        csrf_tokens,
        errors,
        form_tokens,
        health,
        i18n,
        input_limits,
        links,
        logs,
        outages,
        schema_owner,
        security_headers,
        tenancy,
        unit_of_work,
        views,
        words,
    )
    from app.extensions import csrf, db, login_manager

    logs.configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    logs.init_app(app)  # first: its request line is written after every other hook has run
    input_limits.init_app(app)
    cookie_signing.init_app(app)
    db.init_app(app)
    with app.app_context():
        ping_after_idle(db.engine)  # instead of a round trip before every request's first query
        keep_prepared_statements(db.engine, settings.prepared_statements)
        cut_schema_text_once(db.engine)
    schema_owner.init_app(app)
    csrf.init_app(app)
    csrf_tokens.init_app(app)  # after CSRFProtect, whose csrf_token it replaces
    login_manager.init_app(app)
    i18n.init_app(app)
    cells.init_app(app)
    breaks.init_app(app)
    form_tokens.init_app(app)
    links.init_app(app)
    words.init_app(app)
    account_picker.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    outages.init_app(app)
    unit_of_work.init_app(app)
    security_headers.init_app(app)
    views.register(app)
    health.register(app)
    tenancy.check_every_organisation_view_declares_a_role(app)
    return app


def _config(settings: Settings) -> dict[str, Any]:
    return {
        "SB_SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SB_MIGRATIONS_DATABASE_URL": settings.migrations_database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(settings),
        "REDIS_URL": settings.redis_url,
        "SESSION_COOKIE_SECURE": settings.cookie_secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": settings.cookie_secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # The largest upload, a 64 MB bank statement, plus its form; enforced on streamed
        # bodies without a Content-Length too (answered with 413).
        "MAX_CONTENT_LENGTH": 65 * 2**20,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: the address limits go on in each process's memory (fail safe, not open).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute; 50 per hour",
        # Failed attempts on one account, from any address (see app/login_limits.py).
        "LOGIN_ACCOUNT_RATE_LIMIT": "5 per minute; 20 per hour; 50 per day",
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=settings.session_idle_minutes),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=settings.session_absolute_hours),
        "PROXY_HOPS": settings.proxy_hops,
        "PUBLIC_URL": settings.public_url or DEVELOPMENT_PUBLIC_URL,
        "SMTP_URL": settings.smtp_url,
    }


def _resolve_services(app: Flask, settings: Settings) -> None:
    """Fill in the embedded PostgreSQL and Redis for whatever the environment did not name."""
    from workers.embedded import embedded_database_url, embedded_redis_url

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = embedded_database_url(settings.instance_dir)
    if not app.config.get("REDIS_URL"):
        app.config["REDIS_URL"] = embedded_redis_url(settings.instance_dir)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limits_uri(app.config["REDIS_URL"]))


def _limits_uri(redis_url: str) -> str:
    """The ``limits`` library spells a Unix-socket Redis as ``redis+unix://``."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url
