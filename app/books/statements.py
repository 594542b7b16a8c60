"""Reports as tables for the page: rows with this period's and the previous period's figures.

The books keep Beancount's signs (credit negative); the page shows liabilities, equity and
income as positive numbers, as a Dutch annual report does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.i18n import word as _
from ledger.reports.balance_sheet import BalanceSheet
from ledger.reports.income_statement import IncomeStatement
from ledger.reports.sections import Section, Units, add_units

CREDIT_ROOTS = ("Liabilities", "Equity", "Income")


@dataclass(frozen=True, slots=True)
class Row:
    """One account (or a total when ``account`` is None) in one currency, as shown."""

    account: str | None
    label: str
    currency: str
    amount: Decimal
    previous: Decimal | None = None


@dataclass(slots=True)
class Block:
    title: str
    rows: list[Row] = field(default_factory=list)


def balance_sheet_blocks(now: BalanceSheet, before: BalanceSheet | None) -> list[Block]:
    """Activa, eigen vermogen (with both results) and schulden, each with its total."""
    assets = _section_block(now.assets, before.assets if before else None, 1)
    equity = _section_block(now.equity, before.equity if before else None, -1, total=False)
    equity.rows += _units_rows(
        _("Resultaat voorgaande jaren"),
        now.retained_earnings,
        before.retained_earnings if before else None,
        -1,
    )
    equity.rows += _units_rows(
        _("Resultaat lopend jaar"), now.net_income, before.net_income if before else None, -1
    )
    equity.rows += _units_rows(
        _("Totaal eigen vermogen"), _equity_total(now) or {}, _equity_total(before), -1
    )
    liabilities = _section_block(now.liabilities, before.liabilities if before else None, -1)
    return [assets, equity, liabilities]


def income_statement_blocks(now: IncomeStatement, before: IncomeStatement | None) -> list[Block]:
    """Baten, lasten and the result (baten minus lasten)."""
    income = _section_block(now.income, before.income if before else None, -1)
    expenses = _section_block(now.expenses, before.expenses if before else None, 1)
    result = Block(_("Resultaat"))
    result.rows += _units_rows(
        _("Resultaat"), now.net_income, before.net_income if before else None, -1
    )
    return [income, expenses, result]


def root_title(root: str) -> str:
    """A section's title in the reader's language: Activa, Schulden, Eigen vermogen, ..."""
    titles = {
        "Assets": _("Activa"),
        "Liabilities": _("Schulden"),
        "Equity": _("Eigen vermogen"),
        "Income": _("Baten"),
        "Expenses": _("Lasten"),
    }
    return titles[root]


def display_sign(account: str) -> int:
    """-1 for accounts whose balance is normally a credit, so that the page shows it positive."""
    return -1 if account.split(":", 1)[0] in CREDIT_ROOTS else 1


def trial_balance_blocks(
    sections: Iterable[Section], before: Iterable[Section] | None = None
) -> list[Block]:
    """One block per root in Beancount's signs, with the earlier figures when given."""
    earlier = {s.root: s for s in before} if before is not None else None
    return [_section_block(s, earlier.get(s.root) if earlier else None, 1) for s in sections]


def _equity_total(sheet: BalanceSheet | None) -> Units | None:
    if sheet is None:
        return None
    return add_units([sheet.equity.totals, sheet.retained_earnings, sheet.net_income])


def _section_block(now: Section, before: Section | None, sign: int, *, total: bool = True) -> Block:
    title = root_title(now.root)
    block = Block(title)
    earlier = {line.account: line for line in before.lines} if before else {}
    current = {line.account: line for line in now.lines}
    for name in sorted(current.keys() | earlier.keys()):
        line = current.get(name) or earlier[name]
        old = earlier[name].units if name in earlier else ({} if before else None)
        block.rows += _units_rows(
            name, line.units if name in current else {}, old, sign, line.label
        )
    if total:
        total_title = _("Totaal %(section)s") % {"section": title.lower()}
        block.rows += _units_rows(total_title, now.totals, before.totals if before else None, sign)
    return block


def _units_rows(
    title: str,
    now: Mapping[str, Decimal],
    before: Mapping[str, Decimal] | None,
    sign: int,
    label: str | None = None,
) -> list[Row]:
    """One row per currency in either period; ``label`` None marks a total or result row."""
    currencies = sorted(now.keys() | (before or {}).keys()) or ["EUR"]
    return [
        Row(
            account=title if label is not None else None,
            label=label if label is not None else title,
            currency=currency,
            amount=_signed(now.get(currency, Decimal(0)), sign),
            previous=None if before is None else _signed(before.get(currency, Decimal(0)), sign),
        )
        for currency in currencies
    ]


def _signed(number: Decimal, sign: int) -> Decimal:
    """``number`` turned by ``sign``, without the ``-0,00`` that negating zero would show."""
    return -number if sign < 0 and number != 0 else number
