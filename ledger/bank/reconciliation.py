"""Reconciliation: the bank's balances against the books, per bank account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ledger.balances import subtree_balance
from ledger.bank.assertions import add_holding_assertion
from ledger.bank.models import BankAccount, BankBalance, BankLine, is_waiting
from ledger.models import Account
from ledger.statements import read


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Where one bank account stands: asserted up to a date, lines waiting, a difference."""

    bank_account_id: int
    iban: str
    account: str
    account_label: str  # the account's Dutch label, else its name: what a treasurer reads
    open_lines: int
    asserted_until: date | None
    bank_balance: Decimal | None
    bank_balance_date: date | None
    difference: Decimal | None
    difference_date: date | None

    @property
    def is_reconciled(self) -> bool:
        return self.open_lines == 0 and self.difference is None


def assert_balances(session: Session, bank_account_id: int, *, after: date | None = None) -> int:
    """Turn the bank's balances into balance assertions where every line before them is booked
    (or ignored: a line set aside is no longer waiting; pending lines are in no bank balance).

    Returns how many became assertions. A balance the books disagree with stays waiting and
    shows as a difference (a missing statement or a payment booked twice). Booking a line dated
    ``after`` can only change balances dated later, so only those are tried. Caller commits.
    """
    bank_account = session.get_one(BankAccount, bank_account_id)
    account = session.get_one(Account, bank_account.account_id)
    first_open = _first_open_line(session, bank_account_id)
    query = select(BankBalance).where(
        BankBalance.bank_account_id == bank_account_id, BankBalance.assertion_id.is_(None)
    )
    if after is not None:
        query = query.where(BankBalance.date > after)
    waiting = session.scalars(query.order_by(BankBalance.date).with_for_update()).all()
    added = 0
    for balance in waiting:
        if first_open is not None and first_open < balance.date:
            break
        balance.assertion_id = add_holding_assertion(
            session, account.id, account.name, balance.date, balance.number, balance.currency
        )
        added += balance.assertion_id is not None
    session.flush()
    return added


def reconcile(session: Session) -> int:
    """Try every bank account's waiting balances again (after a correction by hand)."""
    added = sum(
        assert_balances(session, bank_account_id)
        for bank_account_id in session.scalars(select(BankAccount.id)).all()
    )
    session.flush()
    return added


def reconciliations(session: Session) -> list[Reconciliation]:
    """Every bank account's reconciliation status, for the dashboard and the bank pages.

    Two statements whatever the number of bank accounts; one more per account only where
    the books disagree with a statement (the difference is worked out then).
    """
    accounts = read(session, _accounts_statement()).all()
    balances: dict[int, list[BankBalance]] = {}
    for balance in session.scalars(_BALANCES):
        balances.setdefault(balance.bank_account_id, []).append(balance)
    return [
        _reconciliation(
            session,
            bank_account_id,
            iban,
            (account, label or account),
            (lines or 0, first),
            balances.get(bank_account_id, []),
        )
        for bank_account_id, iban, account, label, lines, first in accounts
    ]


@cache
def _accounts_statement() -> Select[int, str, str, str | None, int | None, date | None]:
    """Every bank account with its ledger account and that account's label, and how many lines
    wait since when (NULL when none): built once."""
    waiting = (
        select(
            BankLine.bank_account_id,
            func.count().label("lines"),
            func.min(BankLine.date).label("first"),
        )
        .where(is_waiting())
        .group_by(BankLine.bank_account_id)
        .subquery("waiting")
    )
    return (
        select(
            BankAccount.id,
            BankAccount.iban,
            Account.name,
            Account.label_nl,
            waiting.c.lines,
            waiting.c.first,
        )
        .join(Account, Account.id == BankAccount.account_id)
        .outerjoin(waiting, waiting.c.bank_account_id == BankAccount.id)
        .order_by(BankAccount.iban)
    )


_BALANCES = select(BankBalance).order_by(BankBalance.date)


def _reconciliation(
    session: Session,
    bank_account_id: int,
    iban: str,
    account_and_label: tuple[str, str],
    open_lines: tuple[int, date | None],
    balances: list[BankBalance],
) -> Reconciliation:
    account, label = account_and_label
    count, first_open = open_lines
    asserted = [b.date for b in balances if b.assertion_id is not None]
    latest = balances[-1] if balances else None
    difference, difference_date = None, None
    for balance in balances:
        if balance.assertion_id is None and (first_open is None or balance.date <= first_open):
            actual = subtree_balance(session, account, balance.currency, balance.date)
            difference, difference_date = actual - balance.number, balance.date
            break
    return Reconciliation(
        bank_account_id=bank_account_id,
        iban=iban,
        account=account,
        account_label=label,
        open_lines=count,
        asserted_until=max(asserted) if asserted else None,
        bank_balance=latest.number if latest else None,
        bank_balance_date=latest.date if latest else None,
        difference=difference,
        difference_date=difference_date,
    )


def _first_open_line(session: Session, bank_account_id: int) -> date | None:
    return session.scalar(
        select(func.min(BankLine.date)).where(
            BankLine.bank_account_id == bank_account_id, is_waiting()
        )
    )
