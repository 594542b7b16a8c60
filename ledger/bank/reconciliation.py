"""Reconciliation: the bank's balances against the books, per bank account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, func, or_, select, true
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
    label_nl: str  # the account's labels: what a treasurer reads (empty when it has none)
    label_en: str
    open_lines: int
    asserted_until: date | None
    bank_balance: Decimal | None
    bank_balance_date: date | None
    difference: Decimal | None
    difference_date: date | None

    @property
    def is_reconciled(self) -> bool:
        """Every line booked and the bank's balances held by the books: at least one checked.

        Without a balance from the bank (no statement yet, or files that carry none) there is
        nothing the books were checked against, however many lines are booked.
        """
        return self.open_lines == 0 and self.difference is None and self.asserted_until is not None


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

    One statement whatever the number of bank accounts and of the bank's balances over the
    years (each account's latest, its last asserted and its first waiting one are picked in
    the database); one more per account only where the books disagree with a statement (the
    difference is worked out then).
    """
    return [_reconciliation(session, row) for row in read(session, _statement()).all()]


@cache
def _statement() -> Select[Any]:
    """Every bank account with its ledger account and that account's label, how many lines
    wait since when (NULL when none), and the bank's balances that tell where it stands: built
    once."""
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
    of_this_account = BankBalance.bank_account_id == BankAccount.id
    latest = (
        select(BankBalance.number, BankBalance.date)
        .where(of_this_account)
        .order_by(BankBalance.date.desc(), BankBalance.id.desc())
        .limit(1)
        .lateral("latest")
    )
    asserted_until = (
        select(func.max(BankBalance.date))
        .where(of_this_account, BankBalance.assertion_id.is_not(None))
        .scalar_subquery()
    )
    # The first balance not yet asserted that no waiting line comes before: the books must
    # agree with it, so where they do not, that is the difference to show.
    disputed = (
        select(BankBalance.number, BankBalance.currency, BankBalance.date)
        .where(
            of_this_account,
            BankBalance.assertion_id.is_(None),
            or_(waiting.c.first.is_(None), BankBalance.date <= waiting.c.first),
        )
        .order_by(BankBalance.date, BankBalance.id)
        .limit(1)
        .lateral("disputed")
    )
    return (
        select(
            BankAccount.id.label("bank_account_id"),
            BankAccount.iban,
            Account.name.label("account"),
            Account.label_nl,
            Account.label_en,
            func.coalesce(waiting.c.lines, 0).label("open_lines"),
            asserted_until.label("asserted_until"),
            latest.c.number.label("bank_balance"),
            latest.c.date.label("bank_balance_date"),
            disputed.c.number.label("disputed_number"),
            disputed.c.currency.label("disputed_currency"),
            disputed.c.date.label("disputed_date"),
        )
        .join(Account, Account.id == BankAccount.account_id)
        .outerjoin(waiting, waiting.c.bank_account_id == BankAccount.id)
        .outerjoin(latest, true())
        .outerjoin(disputed, true())
        .order_by(BankAccount.iban)
    )


def _reconciliation(session: Session, row: Row[Any]) -> Reconciliation:
    difference = None
    if row.disputed_date is not None:
        actual = subtree_balance(session, row.account, row.disputed_currency, row.disputed_date)
        difference = actual - row.disputed_number
    return Reconciliation(
        bank_account_id=row.bank_account_id,
        iban=row.iban,
        account=row.account,
        label_nl=row.label_nl or "",
        label_en=row.label_en or "",
        open_lines=row.open_lines,
        asserted_until=row.asserted_until,
        bank_balance=row.bank_balance,
        bank_balance_date=row.bank_balance_date,
        difference=difference,
        difference_date=row.disputed_date,
    )


def _first_open_line(session: Session, bank_account_id: int) -> date | None:
    return session.scalar(
        select(func.min(BankLine.date)).where(
            BankLine.bank_account_id == bank_account_id, is_waiting()
        )
    )
