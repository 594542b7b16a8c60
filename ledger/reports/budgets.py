"""Budget against actual: amounts planned per account and period, set against the books.

Budgets are plans, not entries: setting one changes no balance, so it is not a ledger posting
and is not exported. Actuals come from the balance buckets, like the income statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.balances import balances_between
from ledger.errors import NotFound, ValidationFailed, message
from ledger.models import Account, Budget
from ledger.reports.periods import Period
from ledger.reports.sections import account_labels


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One account and currency: planned, actual and actual minus planned (Beancount's signs)."""

    account: str
    label: str
    currency: str
    budget: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return self.actual - self.budget


@dataclass(frozen=True, slots=True)
class BudgetReport:
    period: Period
    lines: tuple[BudgetLine, ...]


def set_budget(
    session: Session,
    account: str,
    period: Period,
    number: Decimal,
    currency: str,
    actor_id: int | None,
) -> None:
    """Plan ``number currency`` for ``account`` over ``period``, replacing an earlier plan."""
    account_id = session.scalar(select(Account.id).where(Account.name == account))
    if account_id is None:
        raise NotFound(message("Rekening %(name)s bestaat niet."), name=account)
    if not number.is_finite():
        raise ValidationFailed(message("Ongeldig bedrag."), field="number")
    values = {
        "account_id": account_id,
        "starts_on": period.start,
        "ends_on": period.end,
        "currency": currency,
        "number": number,
    }
    statement = pg_insert(Budget).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "starts_on", "ends_on", "currency"],
            set_={"number": statement.excluded.number},
        )
    )
    after = {**values, "starts_on": period.start.isoformat(), "ends_on": period.end.isoformat()}
    record_change(
        session, actor_id, "budget", "account", account_id, after={**after, "number": str(number)}
    )
    session.flush()


def budget_report(
    session: Session,
    period: Period,
    *,
    accounts: Sequence[tuple[str, str]] = (),
    labels: Mapping[str, str] | None = None,
) -> BudgetReport:
    """Every budget lying within ``period``, summed per account, against the period's actuals.

    ``accounts`` (account and currency pairs) are shown too when nothing was planned for them,
    as a plan of zero, so that an earlier period can be set beside this one line by line.
    The accounts' ``labels`` (``account_labels``) are read unless given.
    """
    planned = session.execute(
        select(Account.name, Budget.currency, func.sum(Budget.number))
        .join(Account, Account.id == Budget.account_id)
        .where(Budget.starts_on >= period.start, Budget.ends_on <= period.end)
        .group_by(Account.name, Budget.currency)
        .order_by(Account.name, Budget.currency)
    ).all()
    actual = balances_between(session, period.start, period.end)
    labels = account_labels(session) if labels is None else labels
    rows = [(name, labels.get(name, ""), currency, total) for name, currency, total in planned]
    seen = {(name, currency) for name, _label, currency, _total in rows}
    extra = [pair for pair in accounts if pair not in seen]
    rows += [(n, labels[n], c, Decimal(0)) for n, c in extra if n in labels]
    lines = tuple(
        BudgetLine(name, label, currency, total, actual.get(name, {}).get(currency, Decimal(0)))
        for name, label, currency, total in sorted(rows)
    )
    return BudgetReport(period, lines)
