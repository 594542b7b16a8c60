"""The bank's balances from a file's statements, as balances of the books at the start of a day.

A statement's opening and closing balances say what the bank held before and after its lines.
The books hold each line on its own date, so the two agree only where every line dated before a
day has been counted. Banks sometimes put a line on a statement whose date lies before the
statement's opening date (Rabobank books July's costs on the statement of 2 August, dated
30 July): the bank's opening balance leaves it out, the books count it on its date. Such a line
is added to this statement's opening balance and to every balance of the statements before it
(in the file's order, or kept from earlier files) that falls after its date; a line dated
after its statement's closing date is taken out of the balances before its date alike. A
balance that contradicts another refuses the file.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.bank.models import BankBalance
from ledger.bank.statement import Statement, StatementLine, StatementRefused
from ledger.entries import Amount
from ledger.errors import message


@dataclass(slots=True)
class DayBalance:
    """The balance at the start of ``day`` as the books will hold it."""

    day: date
    amount: Decimal
    currency: str


def early_lines(statement: Statement) -> list[StatementLine]:
    """The booked lines dated before the statement's opening date (outside its period)."""
    if statement.opening is None:
        return []
    opened = statement.opening.date
    return [line for line in statement.lines if not line.is_pending and line.date < opened]


def book_balances(statements: Sequence[Statement]) -> list[DayBalance]:
    """Every statement's opening and closing balance, in the file's order, as book balances.

    The bank's balance after the k-th statement counts every line of the statements up to it;
    the books at the start of day D count every line dated before D. So the book balance is
    the bank's, less the lines counted so far, plus the file's lines dated before D: exact
    whichever statement a line came on, early or late. The opening is placed at the start of
    the day after the opening date, or of the statement's first line if that is earlier (banks
    differ in which day they print); the closing at the start of the day after its date.
    Pending lines are in no balance of the bank.
    """
    booked = [[line for line in s.lines if not line.is_pending] for s in statements]
    dated = sorted((line.date, line.amount) for lines in booked for line in lines)
    days = [day for day, _ in dated]
    before = [Decimal(0)]
    for _, amount in dated:
        before.append(before[-1] + amount)

    def in_books_before(day: date) -> Decimal:
        return before[bisect_left(days, day)]

    balances: list[DayBalance] = []
    counted = Decimal(0)  # the lines of the statements read so far
    for statement, lines in zip(statements, booked, strict=True):
        if statement.opening is not None:
            opening = statement.opening
            own = [line.date for line in lines if line.date >= opening.date]
            day = min([opening.date + timedelta(days=1), *own])
            amount = opening.amount - counted + in_books_before(day)
            balances.append(DayBalance(day, amount, opening.currency))
        counted += sum((line.amount for line in lines), Decimal(0))
        if statement.closing is not None:
            closing = statement.closing
            day = closing.date + timedelta(days=1)
            amount = closing.amount - counted + in_books_before(day)
            balances.append(DayBalance(day, amount, closing.currency))
    return balances


def keep_balances(
    session: Session,
    statements: Sequence[Statement],
    bank_account_id: int,
    import_id: int,
    new_identities: Collection[str] = (),
) -> None:
    """Keep the file's balances per day; refuse the file where two of them disagree.

    ``new_identities`` are the lines this import added: an early line among them also moves
    the balances kept from earlier files that fall after its date (once, when it is new).
    """
    for statement in statements:
        for line in early_lines(statement):
            if line.identity in new_identities:
                _shift_kept(session, bank_account_id, import_id, line)
    kept: dict[tuple[date, str], Decimal] = {}
    for balance in book_balances(statements):
        key = (balance.day, balance.currency)
        if key in kept and kept[key] != balance.amount:
            _refuse(balance, kept[key])
        kept[key] = balance.amount
    for (day, currency), amount in kept.items():
        _keep(session, bank_account_id, import_id, DayBalance(day, amount, currency))
    session.flush()


def _shift_kept(
    session: Session, bank_account_id: int, import_id: int, line: StatementLine
) -> None:
    session.execute(
        update(BankBalance)
        .where(
            BankBalance.bank_account_id == bank_account_id,
            BankBalance.import_id != import_id,
            BankBalance.currency == line.currency,
            BankBalance.date > line.date,
            BankBalance.assertion_id.is_(None),
        )
        .values(number=BankBalance.number + line.amount)
    )


def _keep(session: Session, bank_account_id: int, import_id: int, balance: DayBalance) -> None:
    known = session.scalar(
        select(BankBalance).where(
            BankBalance.bank_account_id == bank_account_id,
            BankBalance.date == balance.day,
            BankBalance.currency == balance.currency,
        )
    )
    if known is None:
        session.add(
            BankBalance(
                bank_account_id=bank_account_id,
                date=balance.day,
                number=balance.amount,
                currency=balance.currency,
                import_id=import_id,
            )
        )
    elif known.number != balance.amount:
        _refuse(balance, known.number)


def _refuse(balance: DayBalance, known: Decimal) -> None:
    raise StatementRefused(
        message(
            "Het saldo aan het begin van %(date)s is %(number)s volgens dit afschrift"
            " maar %(known)s volgens een ander afschrift."
        ),
        date=balance.day,
        number=Amount(balance.amount, balance.currency),
        known=Amount(known, balance.currency),
    )
