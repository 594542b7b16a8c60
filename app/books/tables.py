"""Reports as they are shown, laid out as one table for the Excel and PDF downloads.

Amounts carry the page's signs (liabilities, equity and income positive); an amount cell is a
``Decimal`` and stays one, so a spreadsheet can add it up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from app.books.statements import Block, display_sign
from app.i18n import day
from ledger.reports.budgets import BudgetReport
from ledger.reports.periods import Period
from ledger.reports.projects import ProjectReport, ProjectResult
from ledger.reports.sections import AccountLine

Cell = str | Decimal | None


@dataclass(frozen=True, slots=True)
class TableRow:
    cells: tuple[Cell, ...]
    is_total: bool = False
    is_heading: bool = False


@dataclass(slots=True)
class Table:
    """A title, a line saying which date or period, the column heads and the rows."""

    title: str
    subtitle: str
    columns: tuple[str, ...]
    rows: list[TableRow] = field(default_factory=list)

    @property
    def amount_columns(self) -> range:
        """Columns from the fourth on hold amounts (account, label and currency come first)."""
        return range(3, len(self.columns))


def period_text(period: Period) -> str:
    text = _("Van %(start)s tot en met %(end)s", start=day(period.start), end=day(period.end))
    return str(text)


def blocks_table(
    title: str, subtitle: str, blocks: Iterable[Block], columns: Sequence[str]
) -> Table:
    """A balance sheet or income statement: each block's heading, its accounts and totals."""
    table = Table(title, subtitle, (_("Rekening"), _("Omschrijving"), _("Valuta"), *columns))
    with_previous = len(columns) > 1
    for block in blocks:
        table.rows.append(TableRow((block.title,), is_heading=True))
        for row in block.rows:
            amounts: tuple[Cell, ...] = (
                (row.amount, row.previous) if with_previous else (row.amount,)
            )
            table.rows.append(
                TableRow(
                    (row.account or "", row.label, row.currency, *amounts),
                    is_total=row.account is None,
                )
            )
    return table


DebitCredit = Mapping[str, tuple[Decimal, Decimal]]


def trial_balance_table(
    title: str,
    subtitle: str,
    blocks: Iterable[Block],
    now_title: str,
    previous_title: str | None,
    totals: DebitCredit | None = None,
    previous_totals: DebitCredit | None = None,
) -> Table:
    """Every account with its debit or credit, and those of the period compared with; then
    the debit and credit totals per currency."""
    columns = [f"{_('Debet')} {now_title}", f"{_('Credit')} {now_title}"]
    if previous_title:
        columns += [f"{_('Debet')} {previous_title}", f"{_('Credit')} {previous_title}"]
    table = Table(title, subtitle, (_("Rekening"), _("Omschrijving"), _("Valuta"), *columns))
    for block in blocks:
        table.rows.append(TableRow((block.title,), is_heading=True))
        for row in block.rows:
            cells = _debit_credit(row.amount)
            if previous_title:
                cells += _debit_credit(row.previous or Decimal(0))
            table.rows.append(
                TableRow(
                    (row.account or "", row.label, row.currency, *cells),
                    is_total=row.account is None,
                )
            )
    for currency, (debit, credit) in (totals or {}).items():
        cells = [debit, credit]
        if previous_title:
            cells += list((previous_totals or {}).get(currency, (None, None)))
        label = _("Totaal debet en credit (%(currency)s)", currency=currency)
        table.rows.append(TableRow(("", label, currency, *cells), is_total=True))
    return table


def projects_table(title: str, report: ProjectReport, before: ProjectReport | None) -> Table:
    """Each project's income and expenses and its result, with the previous period's."""
    columns = [period_text(report.period)]
    if before is not None:
        columns.append(period_text(before.period))
    table = Table(title, columns[0], (_("Rekening"), _("Omschrijving"), _("Valuta"), *columns))
    earlier = {result.project: result for result in before.projects} if before else {}
    names = sorted({r.project for r in report.projects} | earlier.keys())
    current = {result.project: result for result in report.projects}
    for name in names:
        table.rows.append(TableRow((name,), is_heading=True))
        table.rows += _project_rows(current.get(name), earlier.get(name), before is not None)
    return table


def budget_table(title: str, report: BudgetReport, before: BudgetReport | None) -> Table:
    """Planned, actual and the difference per account, and last period's actual."""
    columns = [_("Begroot"), _("Werkelijk"), _("Verschil")]
    if before is not None:
        columns.append(_("Werkelijk vorige periode"))
    table = Table(
        title,
        period_text(report.period),
        (_("Rekening"), _("Omschrijving"), _("Valuta"), *columns),
    )
    earlier = (
        {(line.account, line.currency): line.actual for line in before.lines} if before else {}
    )
    for line in report.lines:
        sign = display_sign(line.account)
        cells: list[Cell] = [_turn(n, sign) for n in (line.budget, line.actual, line.difference)]
        if before is not None:
            cells.append(_turn(earlier.get((line.account, line.currency), Decimal(0)), sign))
        table.rows.append(TableRow((line.account, line.label, line.currency, *cells)))
    return table


def _project_rows(
    now: ProjectResult | None, before: ProjectResult | None, compare: bool
) -> list[TableRow]:
    rows: list[TableRow] = []
    for root, sign in (("income", -1), ("expenses", 1)):
        lines_now = {(line.account, c): (line.label, n) for line, c, n in _lines(now, root)}
        lines_before = {(line.account, c): (line.label, n) for line, c, n in _lines(before, root)}
        for key in sorted(lines_now.keys() | lines_before.keys()):
            label = (lines_now.get(key) or lines_before[key])[0]
            cells: list[Cell] = [_turn(lines_now.get(key, ("", Decimal(0)))[1], sign)]
            if compare:
                cells.append(_turn(lines_before.get(key, ("", Decimal(0)))[1], sign))
            rows.append(TableRow((key[0], label, key[1], *cells)))
    results_now = now.net_income if now else {}
    results_before = before.net_income if before else {}
    for currency in sorted(results_now.keys() | results_before.keys()):
        cells = [_turn(results_now.get(currency, Decimal(0)), -1)]
        if compare:
            cells.append(_turn(results_before.get(currency, Decimal(0)), -1))
        rows.append(TableRow(("", _("Resultaat"), currency, *cells), is_total=True))
    return rows


def _lines(result: ProjectResult | None, root: str) -> Iterable[tuple[AccountLine, str, Decimal]]:
    if result is None:
        return []
    section = result.income if root == "income" else result.expenses
    return [(line, c, n) for line in section.lines for c, n in line.units.items()]


def _debit_credit(number: Decimal) -> list[Cell]:
    return [number, None] if number >= 0 else [None, -number]


def _turn(number: Decimal, sign: int) -> Decimal:
    """``number`` turned by ``sign``, without the ``-0,00`` that negating zero would show."""
    return -number if sign < 0 and number != 0 else number
