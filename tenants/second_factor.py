"""A second factor: TOTP codes from an authenticator app (pyotp), and single-use recovery codes.

Setting up takes two steps: ``begin_setup`` makes a secret (shown as a QR code), and
``confirm_setup`` turns it on once the person types a correct code, returning the recovery
codes to write down (only their hashes are kept). A TOTP code is accepted for the 30-second
step before and after the server's clock too, and never twice: ``last_used_step`` remembers the
newest step used, so a code overheard or replayed within its minute is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ledger.errors import DomainError, message
from tenants.security_log import record
from tenants.security_models import EventKind, RecoveryCode, SecondFactor

ISSUER = "Servicebureau"
RECOVERY_CODE_COUNT = 10
_DRIFT_STEPS = (0, -1, 1)


class SecondFactorRefused(DomainError):
    """A code that is wrong, used before, or for a second factor that is not set up."""


def is_enabled(session: Session, user_id: int) -> bool:
    factor = session.get(SecondFactor, user_id)
    return factor is not None and factor.confirmed_at is not None


def begin_setup(session: Session, user_id: int, now: datetime) -> str:
    """A new secret awaiting its first code; replaces an unconfirmed one, never a confirmed one."""
    factor = session.get(SecondFactor, user_id)
    if factor is not None and factor.confirmed_at is not None:
        raise SecondFactorRefused(message("Je tweede factor staat al aan."))
    secret = pyotp.random_base32()
    if factor is None:
        session.add(SecondFactor(user_id=user_id, secret=secret, created_at=now))
    else:
        factor.secret, factor.created_at = secret, now
    session.flush()
    return secret


def pending_secret(session: Session, user_id: int) -> str | None:
    """The secret being set up (for the QR code), or None."""
    factor = session.get(SecondFactor, user_id)
    return factor.secret if factor is not None and factor.confirmed_at is None else None


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def confirm_setup(session: Session, user_id: int, code: str, now: datetime) -> list[str]:
    """Turn the second factor on with a first correct code; returns the new recovery codes."""
    factor = session.get(SecondFactor, user_id)
    if factor is None or factor.confirmed_at is not None:
        raise SecondFactorRefused(message("Begin opnieuw met het instellen van je tweede factor."))
    if not _accept_totp(factor, code, now):
        raise SecondFactorRefused(message("Die code klopt niet. Probeer de nieuwste code."))
    factor.confirmed_at = now
    codes = replace_recovery_codes(session, user_id)
    record(session, EventKind.SECOND_FACTOR_ENABLED, user_id=user_id, actor_id=user_id)
    return codes


def enable_with_secret(session: Session, user_id: int, secret: str, now: datetime) -> list[str]:
    """Turn a second factor on with a secret handed out another way (the demo prints it)."""
    session.add(SecondFactor(user_id=user_id, secret=secret, created_at=now, confirmed_at=now))
    session.flush()
    codes = replace_recovery_codes(session, user_id)
    record(session, EventKind.SECOND_FACTOR_ENABLED, user_id=user_id)
    return codes


def secret_of(session: Session, user_id: int) -> str | None:
    """The secret in force (only for the demo, which prints it for its bureau login)."""
    factor = session.get(SecondFactor, user_id)
    return factor.secret if factor is not None and factor.confirmed_at is not None else None


def verify(session: Session, user_id: int, code: str, now: datetime) -> bool:
    """True for a fresh TOTP code or an unused recovery code (which is then used up)."""
    factor = session.scalar(
        select(SecondFactor).where(SecondFactor.user_id == user_id).with_for_update()
    )
    if factor is None or factor.confirmed_at is None:
        return False
    if _accept_totp(factor, code, now):
        session.flush()
        return True
    return _use_recovery_code(session, user_id, code, now)


def disable(session: Session, user_id: int, actor_id: int) -> None:
    """Turn the second factor off and forget its recovery codes."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    record(session, EventKind.SECOND_FACTOR_DISABLED, user_id=user_id, actor_id=actor_id)


def replace_recovery_codes(session: Session, user_id: int) -> list[str]:
    """New recovery codes; the old ones stop working. Returned once, stored only hashed."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_code_hash(code)) for code in codes)
    session.flush()
    return codes


def _accept_totp(factor: SecondFactor, code: str, now: datetime) -> bool:
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    current = totp.timecode(now)
    for offset in _DRIFT_STEPS:
        step = current + offset
        if factor.last_used_step is not None and step <= factor.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            factor.last_used_step = step
            return True
    return False


def _use_recovery_code(session: Session, user_id: int, code: str, now: datetime) -> bool:
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        return False
    record(session, EventKind.RECOVERY_CODE_USED, user_id=user_id, actor_id=user_id)
    return True


def _new_recovery_code() -> str:
    """Sixteen base-32 characters (80 bits), written in groups of four."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(raw[index : index + 4] for index in range(0, 16, 4))


def _code_hash(code: str) -> str:
    """Recovery codes are random enough (80 bits) that a plain SHA-256 keeps them safe."""
    normalised = "".join(character for character in code.lower() if character.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()
