"""Reports as plain data for files: JSON objects and CSV rows, amounts as decimal strings.

Every JSON report has ``report`` (its kind) and ``balances``: each account's units per currency,
summed over lots, as decimal strings. Numbers are never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ledger.balances import Balances
from ledger.reports.balance_sheet import BalanceSheet
from ledger.reports.income_statement import IncomeStatement
from ledger.reports.sections import Section
from ledger.reports.trial_balance import TrialBalance

Report = BalanceSheet | IncomeStatement | TrialBalance
CSV_HEADER = ("account", "label", "currency", "amount")
# A spreadsheet reads a cell that starts with one of these as a formula (``=HYPERLINK(...)``;
# ``+``, ``-`` and ``@`` start one too); a leading control character (tab, CR) is mangled.
_FORMULA_STARTS = frozenset("=+-@")


def spreadsheet_cell(value: object) -> object:
    """``value`` as a spreadsheet shows it as text, never as a formula.

    Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP's advice for CSV
    injection); numbers are left as they are, so a negative amount stays a number. Payees
    and descriptions on bank lines are written by whoever pays the organisation.
    """
    if isinstance(value, str) and value and (value[0] in _FORMULA_STARTS or value[0] < " "):
        return "'" + value
    return value


def report_kind(report: Report) -> str:
    if isinstance(report, BalanceSheet):
        return "balance-sheet"
    if isinstance(report, IncomeStatement):
        return "income-statement"
    return "trial-balance"


def report_json(report: Report) -> dict[str, Any]:
    """One JSON-ready object: ``report``, its dates, ``balances``, totals and results."""
    data: dict[str, Any] = {"report": report_kind(report)}
    if isinstance(report, BalanceSheet):
        data |= {"date": report.on.isoformat(), "year_start": report.year_start.isoformat()}
        data["totals"] = _totals([report.assets, report.liabilities, report.equity])
        data["retained_earnings"] = units_json(report.retained_earnings)
        data["net_income"] = units_json(report.net_income)
    elif isinstance(report, IncomeStatement):
        data |= {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
        data["totals"] = _totals([report.income, report.expenses])
        data["net_income"] = units_json(report.net_income)
    else:
        if report.start is None:
            data["date"] = report.end.isoformat()
        else:
            data |= {"from": report.start.isoformat(), "to": report.end.isoformat()}
        data["totals"] = units_json(report.totals)
    data["balances"] = balances_json(report.balances)
    return data


def balances_json(balances: Balances) -> dict[str, dict[str, str]]:
    return {name: units_json(units) for name, units in sorted(balances.items())}


def units_json(units: Mapping[str, Decimal]) -> dict[str, str]:
    return {currency: str(number) for currency, number in sorted(units.items())}


def report_rows(report: Report) -> list[tuple[str, str, str, Decimal]]:
    """One row per account and currency, then a total row per section and currency."""
    return [row for part in report_sections(report) for row in _section_rows(part)]


def report_sections(report: Report) -> tuple[Section, ...]:
    if isinstance(report, BalanceSheet):
        return (report.assets, report.liabilities, report.equity)
    if isinstance(report, IncomeStatement):
        return (report.income, report.expenses)
    return report.sections


def _section_rows(section: Section) -> Iterable[tuple[str, str, str, Decimal]]:
    for line in section.lines:
        for currency, number in line.units.items():
            yield (line.account, line.label, currency, number)
    for currency, number in section.totals.items():
        yield (section.root, "total", currency, number)


def _totals(sections: Iterable[Section]) -> dict[str, dict[str, str]]:
    return {s.root: units_json(s.totals) for s in sections}
