"""A replaced mandate's payment method, detached at the provider.

A member's new mandate replaces the one before (``services.sync_mandate``), and only the newest
is debited. The older payment method would stay attached to the member's customer at the
provider, where a debit under it is still possible: detaching it ends that mandate there too.

The provider is asked first and the mark written after, each mandate in its own unit of work:
a commit that fails leaves the mark out, the next run asks again, and the provider answers a
method already detached as done. A method the organisation's active mandate also uses is left
attached.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.payments.models import MandateStatus, PaymentMandate
from purchasing.payments.provider import PaymentProvider


class Detached(StrEnum):
    DETACHED = "detached"  # at the provider: nothing is debited under it again
    KEPT = "kept"  # the active mandate uses the same payment method: left attached


def mandates_to_detach(session: Session, provider_name: str) -> list[int]:
    """The replaced mandates whose payment method is still attached at the provider."""
    return list(
        session.scalars(
            select(PaymentMandate.id)
            .where(
                PaymentMandate.provider == provider_name,
                PaymentMandate.status == MandateStatus.REPLACED,
                PaymentMandate.payment_method_ref.is_not(None),
                PaymentMandate.detached_at.is_(None),
            )
            .order_by(PaymentMandate.id)
        )
    )


def detach_mandate(
    session: Session, provider: PaymentProvider, mandate_id: int, now: datetime
) -> Detached | None:
    """Detach one replaced mandate's payment method; None when there was nothing to do.

    The mandate is locked, so two runs at once detach it once. Raises ``ProviderError`` when
    the provider refuses or cannot be reached; the mandate then stays to be tried again.
    """
    mandate = session.scalar(
        select(PaymentMandate).where(PaymentMandate.id == mandate_id).with_for_update()
    )
    if (
        mandate is None
        or mandate.status != MandateStatus.REPLACED
        or mandate.payment_method_ref is None
        or mandate.detached_at is not None
    ):
        return None
    in_use = session.scalar(
        select(PaymentMandate.id).where(
            PaymentMandate.organisation_id == mandate.organisation_id,
            PaymentMandate.provider == mandate.provider,
            PaymentMandate.status == MandateStatus.ACTIVE,
            PaymentMandate.payment_method_ref == mandate.payment_method_ref,
        )
    )
    if in_use is None:
        provider.detach_payment_method(mandate.payment_method_ref)
    mandate.detached_at = now
    return Detached.DETACHED if in_use is None else Detached.KEPT
