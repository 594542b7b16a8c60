"""Settings from the environment, read once by whichever face starts: the web or a worker.

Both faces build their database engine with ``engine_options`` and their payment provider with
``provider_from``, so a job and a request see the same database the same way.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from purchasing.payments.provider import PaymentProvider
from purchasing.payments.stripe_provider import StripeProvider
from tenants.databases import connect_args

# Where ``serve`` listens unless told otherwise: the links in e-mails of development and tests.
DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:5000"


class MissingPublicUrl(RuntimeError):
    """Production started without ``SB_PUBLIC_URL``: e-mail links would have no safe address."""

    def __init__(self) -> None:
        super().__init__(
            "SB_PUBLIC_URL is not set. Set it to the address people use, for example "
            "SB_PUBLIC_URL=https://boeken.example.org: links in e-mails (invitations, password "
            "resets) are made from it, never from the Host header of a request."
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the application reads from its environment."""

    instance_dir: Path
    database_url: str | None
    redis_url: str | None
    secret_key: str
    cookie_secure: bool
    public_url: str | None
    smtp_url: str | None
    behind_pgbouncer: bool = False
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    proxy_hops: int = 0
    # Server-side prepared statements each database connection keeps (psycopg's default: 100);
    # see docs/OPERATIONS.md, "Prepared statements", for what more buys and costs.
    prepared_statements: int = 100
    # The login that owns the schemas and runs migrations; None: ``database_url`` does both.
    migrations_database_url: str | None = None

    @property
    def is_embedded(self) -> bool:
        """True when no external database or Redis was given and embedded servers are used."""
        return self.database_url is None or self.redis_url is None


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    instance_dir = Path(env.get("SB_INSTANCE_DIR", "instance")).resolve()
    return Settings(
        instance_dir=instance_dir,
        database_url=_sqlalchemy_url(env.get("DATABASE_URL")),
        redis_url=env.get("REDIS_URL") or None,
        secret_key=env.get("SECRET_KEY") or _instance_secret(instance_dir),
        cookie_secure=env.get("SB_COOKIE_SECURE", "1") not in {"0", "false", "no"},
        public_url=env.get("SB_PUBLIC_URL") or None,
        smtp_url=env.get("SMTP_URL") or None,
        behind_pgbouncer=env.get("SB_PGBOUNCER", "0") not in {"0", "false", "no", ""},
        session_idle_minutes=_positive(env, "SB_SESSION_IDLE_MINUTES", 120),
        session_absolute_hours=_positive(env, "SB_SESSION_ABSOLUTE_HOURS", 12),
        proxy_hops=_positive(env, "SB_PROXY_HOPS", 0, allow_zero=True),
        prepared_statements=_positive(env, "SB_PREPARED_STATEMENTS", 100),
        migrations_database_url=_sqlalchemy_url(env.get("SB_MIGRATIONS_DATABASE_URL")),
    )


def _positive(env: dict[str, str], name: str, default: int, *, allow_zero: bool = False) -> int:
    """A whole number setting; a typo stops the start rather than silently using the default."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or (int(raw) == 0 and not allow_zero):
        raise ValueError(f"{name} must be a whole number{'' if allow_zero else ' above 0'}")
    return int(raw)


def _sqlalchemy_url(url: str | None) -> str | None:
    """Accept plain ``postgresql://`` URLs (as hosting platforms give them) for psycopg 3."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_dir: Path) -> str:
    """A secret key kept in the instance folder, so sessions survive a restart in development."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def require_public_url(config: Mapping[str, Any]) -> None:
    """Refuse a production start without ``SB_PUBLIC_URL`` (tests, and ``serve`` on loopback,
    use the development address); raises ``MissingPublicUrl`` saying what to set."""
    settings = config["SB_SETTINGS"]
    if not config.get("TESTING") and settings.public_url is None:
        raise MissingPublicUrl


def provider_from(config: Mapping[str, Any]) -> PaymentProvider | None:
    """Stripe when its keys are set (``config``, else environment); otherwise none is offered."""

    def setting(name: str) -> str | None:
        return config.get(name) or os.environ.get(name) or None

    secret, webhook_secret = setting("STRIPE_SECRET_KEY"), setting("STRIPE_WEBHOOK_SECRET")
    if not secret or not webhook_secret:
        return None
    return StripeProvider(secret, webhook_secret, api_base=setting("STRIPE_API_BASE"))


def engine_options(settings: Settings) -> dict[str, Any]:
    """How both faces connect to PostgreSQL (behind PgBouncer or not, see ``connect_args``).

    Connections are checked before use only after sitting idle (``ping_after_idle``, attached
    where each face makes its engine), not on every checkout.
    """
    return {
        "pool_pre_ping": False,
        # PostgreSQL caches catalog entries per connection, for every schema it touched:
        # recycle connections so a long-lived one does not grow with the number of tenants.
        "pool_recycle": 900,
        "connect_args": connect_args(behind_pgbouncer=settings.behind_pgbouncer),
    }
