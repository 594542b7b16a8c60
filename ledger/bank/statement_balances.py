"""The bank's balances from a statement, kept per day; a contradiction refuses the file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.bank.models import BankBalance
from ledger.bank.statement import Statement, StatementRefused
from ledger.errors import message


def keep_balances(
    session: Session, statement: Statement, bank_account_id: int, import_id: int
) -> None:
    """Keep the opening and closing balance as the balance at the start of a day.

    The opening is the balance before the first line: at the start of the day after the
    opening date, or of the first line's day if that is earlier (banks differ in which day
    they print). The closing balance is the balance at the end of its day.
    """
    days = [line.date for line in statement.lines]
    for balance, day in (
        (
            statement.opening,
            _opening_day(statement.opening.date, days) if statement.opening else None,
        ),
        (
            statement.closing,
            _closing_day(statement.closing.date, days) if statement.closing else None,
        ),
    ):
        if balance is None or day is None:
            continue
        known = session.scalar(
            select(BankBalance).where(
                BankBalance.bank_account_id == bank_account_id,
                BankBalance.date == day,
                BankBalance.currency == balance.currency,
            )
        )
        if known is None:
            session.add(
                BankBalance(
                    bank_account_id=bank_account_id,
                    date=day,
                    number=balance.amount,
                    currency=balance.currency,
                    import_id=import_id,
                )
            )
        elif known.number != balance.amount:
            raise StatementRefused(
                message(
                    "Het saldo aan het begin van %(date)s is %(number)s volgens dit afschrift"
                    " maar %(known)s volgens een eerder ingelezen afschrift."
                ),
                date=day.isoformat(),
                number=str(balance.amount),
                known=str(known.number),
            )
    session.flush()


def _opening_day(day: date, line_days: Sequence[date]) -> date:
    return min([day + timedelta(days=1), *line_days])


def _closing_day(day: date, line_days: Sequence[date]) -> date:
    return max([day, *line_days]) + timedelta(days=1)
