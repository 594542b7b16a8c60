"""The booking outbox driver: each side of an invoice or payment posted in its own books, once.

A side is posted in two units of work, one inside the other: the public one holds the outbox
row locked (``purchasing.invoices.bookings.claim_booking``) while the organisation's own one
posts the entries and commits; then the row is marked and committed. A crash in between
leaves the row pending, and the next pass finds the transactions by their keys and only marks
it (see that module). Called by jobs, and by web views once their request has committed.

A run books its sides while it is still issuing: ``BookingPipeline`` posts them on a few
threads of the job, each side in units of work of its own. Posting waits mostly on
PostgreSQL, so a few threads keep both the database and the job busy (three did better than
two in paired runs on two cores, see bench/RESULTS.md); the sides of different organisations
never wait for each other, and those of one organisation (the bureau's) take turns on its
accounts' locks, which are always taken in the same order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from types import TracebackType

from sqlalchemy import Engine

from ledger.errors import DomainError
from purchasing.invoices.bookings import (
    BookingRound,
    bookings_of_invoice,
    bookings_of_payments,
    claim_booking,
    mark_booked,
    mark_failed,
    pending_bookings,
    post_entries,
)
from tenants.unit_of_work import unit_of_work


def book_pending(
    engine: Engine,
    *,
    booking_ids: Sequence[int] | None = None,
    retry_failed: bool = True,
    today: date | None = None,
) -> BookingRound:
    """Post every pending side (or those of ``booking_ids``); safe to run twice, or at once.

    Releases due by ``today`` (the clock's by default) of what the sides defer are posted
    with them; later ones are left to the scheduled job (``workers.release_jobs``).
    """
    with unit_of_work(engine) as session:
        ids = pending_bookings(session, booking_ids, retry_failed=retry_failed)
    counts = {"booked": 0, "failed": 0, "skipped": 0}
    for booking_id in ids:
        counts[book(engine, booking_id, today=today)] += 1
    return BookingRound(**counts)


def book_invoice(engine: Engine, invoice_id: int, *, today: date | None = None) -> BookingRound:
    """Post both sides of one invoice and of its payments now (for the CLI and tests)."""
    with unit_of_work(engine) as session:
        ids = bookings_of_invoice(session, invoice_id)
    return book_pending(engine, booking_ids=ids, today=today)


def book_payments(engine: Engine, payment_ids: Sequence[int]) -> BookingRound:
    """Post both sides of these payments now; what fails stays in the outbox for the driver."""
    if not payment_ids:
        return BookingRound(0, 0, 0)
    with unit_of_work(engine) as session:
        ids = bookings_of_payments(session, payment_ids)
    return book_pending(engine, booking_ids=ids, retry_failed=False)


def book(engine: Engine, booking_id: int, *, today: date | None = None) -> str:
    """Post one side; returns ``booked``, ``failed`` or ``skipped`` (done, or someone has it)."""
    with unit_of_work(engine) as public:
        claim = claim_booking(public, booking_id)
        if claim is None:
            return "skipped"
        try:
            with unit_of_work(engine, claim.tenant) as books:
                transaction_ids = post_entries(books, claim.entries, claim.currency, today)
        except DomainError as error:
            mark_failed(public, claim, error)
            return "failed"
        mark_booked(public, claim, transaction_ids)
        return "booked"


class BookingPipeline:
    """Posts outbox rows on ``threads`` threads as they are handed in; each row at most once.

    Leaving the ``with`` block waits for every side; an unexpected error (not a refusal,
    which ``book`` records on the row) is raised there, after the other sides are done.
    """

    def __init__(self, engine: Engine, threads: int = 3, *, today: date | None = None) -> None:
        self._engine, self._today = engine, today
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="booking")
        self._handed_in: set[int] = set()
        self._futures: list[Future[str]] = []

    def __enter__(self) -> BookingPipeline:
        return self

    def submit(self, booking_ids: Iterable[int]) -> None:
        for booking_id in booking_ids:
            if booking_id not in self._handed_in:
                self._handed_in.add(booking_id)
                self._futures.append(
                    self._executor.submit(book, self._engine, booking_id, today=self._today)
                )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._executor.shutdown(wait=True, cancel_futures=kind is not None)

    def outcome(self) -> BookingRound:
        """What the handed-in sides came to (call after the ``with`` block)."""
        counts = Counter(future.result() for future in self._futures)
        return BookingRound(counts["booked"], counts["failed"], counts["skipped"])
