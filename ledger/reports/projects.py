"""Income and expenses per project or cost centre, by a metadata key or by tag.

Subsidies are accounted per project. A posting's own metadata value wins over its
transaction's, so one transaction can split costs over projects. Unlike the balance reports
this reads the period's postings (the buckets know no projects), using the date index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from ledger.models import Account, Posting, Transaction
from ledger.projects import PROJECT_KEY
from ledger.reports.periods import Period
from ledger.reports.sections import Section, Units, account_labels, add_units, section

RESULT_TYPES = ("Income", "Expenses")
DEFAULT_KEY = PROJECT_KEY


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """One project's income and expenses over the period; ``net_income`` negative is a surplus."""

    project: str
    income: Section
    expenses: Section
    net_income: Units


@dataclass(frozen=True, slots=True)
class ProjectReport:
    """Every project seen in the period, by ``key`` (a metadata key, or ``#`` for tags)."""

    period: Period
    key: str
    projects: tuple[ProjectResult, ...]


def project_report(
    session: Session,
    period: Period,
    *,
    key: str = DEFAULT_KEY,
    labels: Mapping[str, str] | None = None,
) -> ProjectReport:
    """Results per value of the metadata ``key`` on the posting or else on its transaction;
    the accounts' ``labels`` (``account_labels``) are read unless given."""
    value = func.coalesce(Posting.meta[key].astext, Transaction.meta[key].astext)
    rows = session.execute(_sums(value.label("project"), period).where(value.is_not(None))).all()
    return ProjectReport(period, key, _results(session, rows, labels))


def tag_report(
    session: Session, period: Period, *, labels: Mapping[str, str] | None = None
) -> ProjectReport:
    """Results per tag; a transaction with two tags counts towards both."""
    tag = func.unnest(Transaction.tags).label("project")
    inner = (
        select(tag, Account.name.label("account"), Posting.currency, Posting.number)
        .join(Posting, Posting.transaction_id == Transaction.id)
        .join(Account, Account.id == Posting.account_id)
        .where(_in_period(period), Account.type.in_(RESULT_TYPES))
        .subquery()
    )
    rows = session.execute(
        select(
            inner.c.project, inner.c.account, inner.c.currency, func.sum(inner.c.number)
        ).group_by(inner.c.project, inner.c.account, inner.c.currency)
    ).all()
    return ProjectReport(period, "#", _results(session, rows, labels))


def _in_period(period: Period) -> ColumnElement[bool]:
    return Posting.date.between(period.start, period.end)


def _sums(project: ColumnElement[Any], period: Period) -> Select[Any]:
    return (
        select(project, Account.name, Posting.currency, func.sum(Posting.number))
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .join(Account, Account.id == Posting.account_id)
        .where(_in_period(period), Account.type.in_(RESULT_TYPES))
        .group_by(project, Account.name, Posting.currency)
    )


def _results(
    session: Session, rows: Iterable[Sequence[Any]], labels: Mapping[str, str] | None
) -> tuple[ProjectResult, ...]:
    by_project: dict[str, dict[str, dict[str, Decimal]]] = {}
    for project, account, currency, units in rows:
        if units != 0:
            by_project.setdefault(project, {}).setdefault(account, {})[currency] = units
    labels = account_labels(session) if labels is None else labels
    results = []
    for project, balances in sorted(by_project.items()):
        income = section("Income", balances, labels)
        expenses = section("Expenses", balances, labels)
        results.append(
            ProjectResult(project, income, expenses, add_units([income.totals, expenses.totals]))
        )
    return tuple(results)
