"""A second factor: TOTP codes from an authenticator app (pyotp), and single-use recovery codes.

Setting up takes two steps: ``begin_setup`` makes a secret (shown as a QR code), and
``confirm_setup`` turns it on once the person types a correct code, returning the recovery
codes to write down (only their hashes are kept). A TOTP code is accepted for the 30-second
step before and after the server's clock too, and never twice: ``last_used_step`` remembers the
newest step used, so a code overheard or replayed within its minute is refused.

Confirming takes the factor's row lock, so two sends of the confirming form take turns. The
recovery codes of a confirmation made from a login are derived from that login's token (kept
by the browser only; the server keeps its hash) and the factor's secret: a second send of the
same form by the same login a moment later (a double click) finds the factor on, derives the
same codes and shows those, instead of being refused and the codes never seen
(``confirm_from_login``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ledger.errors import DomainError, message
from tenants.security_log import record
from tenants.security_models import EventKind, RecoveryCode, SecondFactor

ISSUER = "Servicebureau"
RECOVERY_CODE_COUNT = 10
_DRIFT_STEPS = (0, -1, 1)
# How long after confirming a second send of the same form still shows the same codes: a
# double click or a retry, not a later visit.
CONFIRMED_AGAIN_WITHIN = timedelta(minutes=2)


class SecondFactorRefused(DomainError):
    """A code that is wrong, used before, or for a second factor that is not set up."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The recovery codes to show; ``again`` when this send repeats its login's confirmation."""

    codes: list[str]
    again: bool = False


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
    """Turn the second factor on with a first correct code; returns new random recovery codes."""
    return confirm_from_login(session, user_id, code, now, None).codes


def confirm_from_login(
    session: Session, user_id: int, code: str, now: datetime, login_token: str | None
) -> Confirmation:
    """Turn the second factor on from a login, or repeat that login's confirmation just made.

    The row lock makes a second send wait for the first to commit, so one code step is
    accepted once. A send that then finds the factor on gets the codes again only with the
    same code, within ``CONFIRMED_AGAIN_WITHIN``, and from the login that confirmed it (its
    token derives exactly the codes stored, all still unused); anything else is refused.
    """
    factor = session.scalar(
        select(SecondFactor)
        .where(SecondFactor.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if factor is None:
        raise SecondFactorRefused(message("Begin opnieuw met het instellen van je tweede factor."))
    if factor.confirmed_at is not None:
        again = _confirmed_by(session, factor, code, now, login_token)
        if again is None:
            raise SecondFactorRefused(message("Je tweede factor staat al aan."))
        return Confirmation(again, again=True)
    if not _accept_totp(factor, code, now):
        raise SecondFactorRefused(message("Die code klopt niet. Probeer de nieuwste code."))
    factor.confirmed_at = now
    if login_token is None:
        codes = replace_recovery_codes(session, user_id)
    else:
        codes = _store_recovery_codes(session, user_id, _login_codes(factor, login_token))
    record(session, EventKind.SECOND_FACTOR_ENABLED, user_id=user_id, actor_id=user_id)
    return Confirmation(codes)


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
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    return _store_recovery_codes(session, user_id, codes)


def are_the_recovery_codes(session: Session, user_id: int, codes: list[str]) -> bool:
    """Whether ``codes`` are exactly the user's recovery codes, none used: worth showing."""
    unused = set(
        session.scalars(
            select(RecoveryCode.code_hash).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        )
    )
    return len(codes) == RECOVERY_CODE_COUNT and unused == {_code_hash(code) for code in codes}


def _store_recovery_codes(session: Session, user_id: int, codes: list[str]) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_code_hash(code)) for code in codes)
    session.flush()
    return codes


def _confirmed_by(
    session: Session, factor: SecondFactor, code: str, now: datetime, login_token: str | None
) -> list[str] | None:
    """The codes of a confirmation this send repeats (see ``confirm_from_login``), or None."""
    if login_token is None or factor.confirmed_at is None or factor.last_used_step is None:
        return None
    if now - factor.confirmed_at > CONFIRMED_AGAIN_WITHIN:
        return None
    digits = "".join(code.split())
    confirming = pyotp.TOTP(factor.secret).generate_otp(factor.last_used_step)
    if not hmac.compare_digest(confirming, digits):
        return None
    codes = _login_codes(factor, login_token)
    return codes if are_the_recovery_codes(session, factor.user_id, codes) else None


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
    return _written(secrets.token_bytes(10))


def _login_codes(factor: SecondFactor, login_token: str) -> list[str]:
    """The recovery codes of confirming ``factor`` from one login, the same on every send.

    Keyed by the login's token (256 random bits the server never stores, only their hash, and
    replaced by the confirmation), so nobody without that token can derive them; bound to the
    factor's secret, so a new set-up gets new codes (whoever can read that secret holds the
    second factor already).
    """
    key = login_token.encode()
    return [
        _written(hmac.digest(key, f"recovery:{factor.secret}:{index}".encode(), "sha256")[:10])
        for index in range(RECOVERY_CODE_COUNT)
    ]


def _written(raw: bytes) -> str:
    """Ten bytes as sixteen base-32 characters, in groups of four."""
    text = base64.b32encode(raw).decode().lower()
    return "-".join(text[index : index + 4] for index in range(0, 16, 4))


def _code_hash(code: str) -> str:
    """Recovery codes are random enough (80 bits) that a plain SHA-256 keeps them safe."""
    normalised = "".join(character for character in code.lower() if character.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()
