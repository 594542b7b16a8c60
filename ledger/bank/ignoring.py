"""Use cases: set a bank line aside with a reason, and take it back into the inbox.

A line that should not be booked (dated before the books open, a private payment, a duplicate
of a payment that came in by another route) leaves the inbox and the to-do count but is never
deleted: it stays visible under "Genegeerd", and both steps are in the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.bank.models import BankAccount, BankLine, is_waiting
from ledger.bank.wording import day_text
from ledger.errors import NotFound, ValidationFailed, message
from ledger.models import Account

MAX_REASON = 500
# The reason written on lines set aside because the books start later; stored as it is read.
BEFORE_START = "Valt vóór de start van de boekhouding ({day})."


def ignore_line(session: Session, line_id: int, reason: str, actor_id: int | None) -> None:
    """Set an unbooked line aside; ``reason`` is required (who reads the books later asks why)."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed(
            message("Geef een reden waarom de regel niet geboekt wordt."), field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            message("De reden is langer dan %(count)s tekens."), field="reason", count=MAX_REASON
        )
    line = _locked(session, line_id)
    if line.booked_at is not None:
        raise ValidationFailed(message("Bankregel %(id)s is al geboekt."), id=line.id)
    if line.ignored_at is not None:
        raise ValidationFailed(message("Bankregel %(id)s is al genegeerd."), id=line.id)
    line.ignored_at, line.ignored_by, line.ignored_reason = datetime.now(UTC), actor_id, reason
    record_change(session, actor_id, "ignore", "bank_line", line.id, after={"reason": reason})
    session.flush()


def ignore_before_start(session: Session, actor_id: int | None) -> int:
    """Set aside every waiting line dated before its bank account's books open; returns how many.

    Such a line can never be booked (what happened before is in the opening balance), and a
    first statement file often reaches back further than the books: one step for all of them,
    each with the reason written out and its own row in the audit trail.
    """
    rows = session.execute(
        select(BankLine, Account.opened_on)
        .join(BankAccount, BankAccount.id == BankLine.bank_account_id)
        .join(Account, Account.id == BankAccount.account_id)
        .where(is_waiting(), BankLine.date < Account.opened_on)
        .order_by(BankLine.id)
        .with_for_update(of=BankLine)
    ).all()
    now = datetime.now(UTC)
    for line, opened_on in rows:
        reason = BEFORE_START.format(day=day_text(opened_on))
        line.ignored_at, line.ignored_by, line.ignored_reason = now, actor_id, reason
        record_change(session, actor_id, "ignore", "bank_line", line.id, after={"reason": reason})
    session.flush()
    return len(rows)


def restore_line(session: Session, line_id: int, actor_id: int | None) -> None:
    """Take an ignored line back into the inbox; the reason it had stays in the audit trail."""
    line = _locked(session, line_id)
    if line.ignored_at is None:
        raise ValidationFailed(message("Bankregel %(id)s is niet genegeerd."), id=line.id)
    before = {"reason": line.ignored_reason}
    line.ignored_at, line.ignored_by, line.ignored_reason = None, None, ""
    record_change(session, actor_id, "restore", "bank_line", line.id, before=before)
    session.flush()


def _locked(session: Session, line_id: int) -> BankLine:
    line = session.scalar(select(BankLine).where(BankLine.id == line_id).with_for_update())
    if line is None:
        raise NotFound(message("Bankregel %(id)s bestaat niet."), id=line_id)
    return line
