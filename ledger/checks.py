"""Beancount's rules, applied to one write at a time so a write never re-reads the history.

Each check reads only what the write touches (its accounts, the periods around its date, the
balance assertions after it on those accounts) and raises a ``ValidationFailed`` subclass
before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, NoReturn

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Select,
    String,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Session

from ledger import beans
from ledger.balances import Effect
from ledger.entries import AccountRef, Amount, Meta, NewTransaction
from ledger.errors import NotFound, PeriodClosed, ValidationFailed, message
from ledger.models import Account, AccountingPeriod, BalanceAssertion, BookOption

META_KEY = re.compile(r"[a-z][a-zA-Z0-9\-_]+")
TAG = re.compile(r"[A-Za-z0-9\-_/.]+")
CURRENCY = re.compile(r"[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]|[A-Z]")
USER_FLAGS = frozenset("*!")
# Beancount computes in 28 significant digits: a number of fifteen whole digits still leaves
# room for the decimals of prices and lots, and is far beyond what any organisation holds.
MAX_UNITS = Decimal(10) ** 15


class UnbalancedTransaction(ValidationFailed):
    """The postings do not sum to zero within Beancount's tolerance."""


class AccountNotOpen(ValidationFailed):
    """An account that does not exist, is not yet open, or is closed on the date."""


class CurrencyNotAllowed(ValidationFailed):
    """The account was opened for other currencies only."""


class BalanceAssertionBroken(ValidationFailed):
    """A later balance assertion would no longer hold."""


@dataclass(frozen=True, slots=True)
class AssertionUpdate:
    """The new difference of one balance assertion after a write."""

    id: int
    difference: Decimal


def check_open_period(session: Session, day: date) -> None:
    """Refuse any write dated inside a closed accounting period."""
    if session.scalar(_closed_period(day)) is not None:
        _refuse_closed_period(day)


def _closed_period(day: date | ColumnElement[date]) -> Select[int]:
    # FOR SHARE: a period being closed at this moment is waited for, then seen closed.
    return (
        select(AccountingPeriod.id)
        .where(
            AccountingPeriod.closed_at.is_not(None),
            AccountingPeriod.starts_on <= day,
            AccountingPeriod.ends_on >= day,
        )
        .with_for_update(read=True)
        .limit(1)
    )


def _refuse_closed_period(day: date) -> NoReturn:
    raise PeriodClosed(
        message("De periode van %(date)s is afgesloten; boek een correctie in een open periode."),
        field="date",
        date=day,
    )


def check_text(value: str, field: str) -> None:
    if "\x00" in value:
        raise ValidationFailed(message("Tekst mag geen nul-teken bevatten."), field=field)


def check_shape(transaction: NewTransaction) -> None:
    """Flags, tags, links, currencies, metadata keys and text that Beancount can carry."""
    if transaction.flag not in USER_FLAGS:
        raise ValidationFailed(
            message("Ongeldige markering %(flag)s."), field="flag", flag=transaction.flag
        )
    if len(transaction.postings) < 2:
        raise UnbalancedTransaction(
            message("Een boeking heeft minstens twee regels."), field="postings"
        )
    check_text(transaction.narration, "narration")
    check_text(transaction.payee or "", "payee")
    for word in transaction.tags | transaction.links:
        if not TAG.fullmatch(word):
            raise ValidationFailed(
                message("Ongeldig label of koppeling: %(word)s."), field="tags", word=word
            )
    check_meta(transaction.meta)
    for posting in transaction.postings:
        check_meta(posting.meta)
        check_number(posting.units.number)
        for currency in (
            posting.units.currency,
            posting.cost and posting.cost.currency,
            posting.price and posting.price.currency,
        ):
            if currency and not CURRENCY.fullmatch(currency):
                raise ValidationFailed(
                    message("Ongeldige valuta: %(currency)s."), field="currency", currency=currency
                )


def check_number(number: Decimal) -> None:
    """Refuse a posting's number that is not finite or too large for the books to carry."""
    if not number.is_finite() or abs(number) >= MAX_UNITS:
        raise ValidationFailed(
            message("Ongeldig bedrag: %(amount)s."), field="amount", amount=str(number)[:40]
        )


def check_meta(meta: Meta) -> None:
    for key, value in meta.items():
        if not META_KEY.fullmatch(key):
            raise ValidationFailed(
                message("Ongeldige naam voor een gegeven: %(key)s."), field="meta", key=key
            )
        if isinstance(value, str):
            check_text(value, "meta")


@dataclass(frozen=True, slots=True)
class OpenAccount:
    """What a write needs of one of its accounts."""

    id: int
    name: str
    currencies: tuple[str, ...]
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True, slots=True)
class WriteContext:
    """What a write reads before anything else: the book's options and its accounts."""

    options: dict[str, Any]
    accounts: dict[str, OpenAccount]


def write_context(session: Session, names: Iterable[str], day: date) -> WriteContext:
    """The options and the named accounts, locked, in one round trip (a write's first read).

    Refuses a date in a closed period, then an account that is not open on ``day``, as
    ``check_open_period`` and ``open_accounts`` do. The accounts stay locked until the end of
    the transaction, as ``roll_up.lock_accounts`` does.
    """
    wanted = set(names)
    rows = session.execute(_write_context(), {"names": sorted(wanted), "day": day}).all()
    if not rows:
        check_open_period(session, day)
    elif rows[0].closed_period is not None:
        _refuse_closed_period(day)
    accounts = {row.name: _open_account(row) for row in rows}
    _require_open(accounts, wanted, day)
    return WriteContext(dict(rows[0].options or {}) if rows else {}, accounts)


@cache
def _write_context() -> Select[Any]:
    """``write_context``'s statement, with ``names`` and ``day``: built once, as every write
    runs it."""
    options = select(func.jsonb_object_agg(BookOption.name, BookOption.value))
    return (
        select(
            *_ACCOUNT_COLUMNS,
            _closed_period(bindparam("day", type_=Date)).scalar_subquery().label("closed_period"),
            options.scalar_subquery().label("options"),
        )
        .where(Account.name == any_(bindparam("names", type_=ARRAY(String))))
        .order_by(Account.id)
        .with_for_update(of=Account, key_share=True)
    )


def open_accounts(
    session: Session, names: Iterable[str], day: date, *, lock: bool = False
) -> dict[str, OpenAccount]:
    """The named accounts, each open on ``day``; refuses unknown, not yet open or closed ones.

    ``lock`` keeps them locked for the rest of the transaction, as ``roll_up.lock_accounts``.
    """
    wanted = set(names)
    query = select(*_ACCOUNT_COLUMNS).where(Account.name.in_(wanted))
    if lock:
        query = query.order_by(Account.id).with_for_update(key_share=True)
    found = {row.name: _open_account(row) for row in session.execute(query)}
    _require_open(found, wanted, day)
    return found


_ACCOUNT_COLUMNS = (
    Account.id,
    Account.name,
    Account.currencies,
    Account.opened_on,
    Account.closed_on,
)


def _open_account(row: Any) -> OpenAccount:
    return OpenAccount(row.id, row.name, tuple(row.currencies or ()), row.opened_on, row.closed_on)


def _require_open(found: Mapping[str, OpenAccount], wanted: set[str], day: date) -> None:
    for name in sorted(wanted):
        account = found.get(name)
        if account is None:
            raise AccountNotOpen(
                message("Rekening %(account)s bestaat niet."), field="postings", account=name
            )
        if day < account.opened_on or (account.closed_on is not None and day > account.closed_on):
            raise AccountNotOpen(
                message("Rekening %(account)s is op %(date)s niet open."),
                field="postings",
                account=AccountRef(name),
                date=day,
            )


def account_ids(session: Session, names: Iterable[str], *, lock: bool = False) -> dict[str, int]:
    """Ids of the named accounts, open or not (for undoing what a stored transaction did).

    ``lock`` as for ``open_accounts``.
    """
    query = select(Account.name, Account.id).where(Account.name.in_(set(names)))
    if lock:
        query = query.order_by(Account.id).with_for_update(key_share=True)
    return {name: ident for name, ident in session.execute(query)}


def check_currencies(transaction: NewTransaction, accounts: Mapping[str, OpenAccount]) -> None:
    for posting in transaction.postings:
        allowed = accounts[posting.account].currencies
        if allowed and posting.units.currency not in allowed:
            raise CurrencyNotAllowed(
                message("Rekening %(account)s kent geen %(currency)s."),
                field="postings",
                account=AccountRef(posting.account),
                currency=posting.units.currency,
            )


def check_balanced(transaction: NewTransaction, options: Mapping[str, Any]) -> None:
    residual = beans.unbalanced_residual(transaction.postings, options)
    if residual:
        left = tuple(Amount(number, currency) for currency, number in sorted(residual.items()))
        raise UnbalancedTransaction(
            message("De boeking is niet in evenwicht: er blijft %(residual)s over."),
            field="postings",
            residual=left,
        )


def check_later_assertions(
    session: Session, effects: Sequence[Effect], options: Mapping[str, Any]
) -> list[AssertionUpdate]:
    """The assertions after the effects, on their accounts or parents, with new differences.

    Each assertion keeps its current difference, so this reads only the assertions touched and
    locks them (FOR UPDATE) so two concurrent writes cannot each pass alone and break it together.
    """
    if not effects:
        return []
    names = {parent for effect in effects for parent in _self_and_parents(effect.account)}
    parameters = {
        "names": sorted(names),
        "currencies": sorted({e.currency for e in effects}),
        "after": min(e.date for e in effects),
    }
    rows = session.execute(_later_assertions(), parameters).all()
    updates = []
    for assertion in rows:
        name = assertion.name
        delta = sum(
            (e.units for e in effects if _affects(e, name, assertion.currency, assertion.date)),
            Decimal(0),
        )
        if delta == 0:
            continue
        difference = assertion.difference + delta
        tolerance = beans.balance_tolerance(assertion.number, assertion.tolerance, options)
        if abs(difference) > tolerance:
            raise BalanceAssertionBroken(
                message(
                    "De saldocontrole van %(account)s op %(date)s (%(expected)s)"
                    " klopt dan niet meer: het saldo wordt %(actual)s."
                ),
                field="postings",
                account=AccountRef(name),
                date=assertion.date,
                expected=Amount(assertion.number, assertion.currency),
                actual=Amount(assertion.number + difference, assertion.currency),
            )
        updates.append(AssertionUpdate(assertion.id, difference))
    return updates


@cache
def _later_assertions() -> Select[int, date, Decimal, str, Decimal | None, Decimal, str]:
    """``check_later_assertions``' statement, with ``names``, ``currencies`` and ``after``: the
    assertions it may change, locked. Built once."""
    return (
        select(
            BalanceAssertion.id,
            BalanceAssertion.date,
            BalanceAssertion.number,
            BalanceAssertion.currency,
            BalanceAssertion.tolerance,
            BalanceAssertion.difference,
            Account.name,
        )
        .join(Account, Account.id == BalanceAssertion.account_id)
        .where(
            Account.name == any_(bindparam("names", type_=ARRAY(String))),
            BalanceAssertion.currency == any_(bindparam("currencies", type_=ARRAY(String))),
            BalanceAssertion.date > bindparam("after", type_=Date),
        )
        .with_for_update(of=BalanceAssertion)
    )


def _affects(effect: Effect, account: str, currency: str, day: date) -> bool:
    in_tree = effect.account == account or effect.account.startswith(account + ":")
    return in_tree and effect.currency == currency and effect.date < day


def _self_and_parents(account: str) -> list[str]:
    parts = account.split(":")
    return [":".join(parts[:i]) for i in range(1, len(parts) + 1)]


def require(found: object, what: str, ident: object) -> None:
    if found is None:
        raise NotFound(message("Er bestaat geen %(what)s %(id)s."), what=what, id=str(ident))
