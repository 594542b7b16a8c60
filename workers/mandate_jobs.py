"""Detaching replaced mandates at the payment provider, every hour.

Thin and safe to run twice: each mandate is its own unit of work and is marked once detached
(``purchasing.payments.detaching``). A refusal (the provider away, a method it does not know) is
counted and leaves that mandate for the next run; the others go on. Registered on rq's cron
scheduler by ``workers.scheduler``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rq.cron import CronJob, CronScheduler

from purchasing.payments.detaching import detach_mandate, mandates_to_detach
from purchasing.payments.provider import ProviderError
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.queues import DEFAULT

DETACH_EVERY = 60 * 60  # seconds
DETACH = "detach-replaced-mandates"

log = logging.getLogger(__name__)


def detach_replaced_mandates_job() -> dict[str, int]:
    """Detach every replaced mandate's payment method; returns the counts."""
    counts = {"detached": 0, "kept": 0, "refused": 0}
    provider = runtime.current().payment_provider
    if provider is None:
        return counts
    engine = runtime.engine()
    with unit_of_work(engine) as session:
        mandate_ids = mandates_to_detach(session, provider.name)
    for mandate_id in mandate_ids:
        try:
            with unit_of_work(engine) as session:
                done = detach_mandate(session, provider, mandate_id, datetime.now(UTC))
        except ProviderError as error:
            log.warning("mandate %s not detached at the provider: %s", mandate_id, error)
            counts["refused"] += 1
            continue
        if done is not None:
            counts[done.value] += 1
    return counts


def schedule_mandate_detaching(scheduler: CronScheduler) -> CronJob:
    """Register the hourly detaching on rq's cron scheduler."""
    return scheduler.register(
        detach_replaced_mandates_job,
        DEFAULT,
        interval=DETACH_EVERY,
        job_timeout=600,
        result_ttl=3600,
        name=DETACH,
    )
