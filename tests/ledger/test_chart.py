"""Tests of the default chart of accounts."""

from __future__ import annotations

import dataclasses
import re

import pytest
from beancount import loader
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.chart import (
    DEFAULT_CHART,
    DEFAULT_CURRENCY,
    AccountType,
    ChartAccount,
    default_chart,
)
from ledger.models import Account

# Beancount's rule: a root type, then components that start with an uppercase letter or a digit
# and hold only letters, digits and hyphens. We keep names ASCII so they travel everywhere.
BEANCOUNT_ACCOUNT = re.compile(
    r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$"
)

# RGS codes: B (balance) or W (result), then blocks of one capital and two lowercase letters or
# digits, one block per level (WOvbOrs is level 3, BLimBanRba level 4).
RGS_CODE = re.compile(r"^[BW]([A-Z][a-z0-9]{2}){1,4}$")

NAMES = {account.name for account in DEFAULT_CHART}


# The RGS level-2 groups each account type may be filed under: balance-sheet accounts under the
# balance groups of their side, income and expenses under the result groups of theirs.
RGS_GROUPS = {
    AccountType.ASSETS: {"BIva", "BMva", "BFva", "BVrd", "BVor", "BEff", "BLim"},
    AccountType.LIABILITIES: {"BSch", "BVrz", "BLas"},
    AccountType.EQUITY: {"BEiv"},
    AccountType.INCOME: {"WOmz", "WOvb", "WFbe", "WLbe"},
    AccountType.EXPENSES: {"WPer", "WBed", "WAfs", "WKpr", "WFbe"},
}


@pytest.mark.parametrize("account", DEFAULT_CHART, ids=lambda account: account.name)
def test_every_account_has_an_rgs_code_in_a_group_of_its_type(account: ChartAccount) -> None:
    assert account.rgs_code is not None, "an accountant maps the chart by its RGS codes"
    assert account.rgs_code[:4] in RGS_GROUPS[account.type], account.rgs_code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Expenses:Volunteers:Allowances", "WBedOvp"),
        ("Expenses:Activities:Materials", "WBed"),
        ("Income:Funds:Grants", "WOvb"),
        ("Liabilities:Subsidies:Unspent", "BSchOpa"),
    ],
)
def test_an_account_without_a_confirmed_leaf_code_is_filed_under_its_rgs_group(
    name: str, code: str
) -> None:
    assert {a.name: a.rgs_code for a in DEFAULT_CHART}[name] == code


def test_a_new_organisation_gets_the_whole_chart_with_labels_codes_and_euros(
    books: Session,
) -> None:
    rows = books.execute(
        select(
            Account.name, Account.label_nl, Account.label_en, Account.rgs_code, Account.currencies
        )
    )

    stored = {name: (nl, en, code, currencies) for name, nl, en, code, currencies in rows}
    assert stored == {
        a.name: (a.label_nl, a.label_en, a.rgs_code, [DEFAULT_CURRENCY]) for a in default_chart()
    }


def test_the_chart_has_between_45_and_70_accounts() -> None:
    assert 45 <= len(DEFAULT_CHART) <= 70


def test_account_names_are_unique() -> None:
    assert len(NAMES) == len(DEFAULT_CHART)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_account_name_is_a_valid_ascii_beancount_name(name: str) -> None:
    assert name.isascii()
    assert BEANCOUNT_ACCOUNT.match(name), name


def test_beancount_opens_every_account_without_errors() -> None:
    source = "".join(
        f"2000-01-01 open {account.name} {DEFAULT_CURRENCY}\n" for account in DEFAULT_CHART
    )

    entries, errors, _options = loader.load_string(source)

    assert errors == []
    assert len(entries) == len(DEFAULT_CHART)


def test_all_five_account_types_are_present() -> None:
    assert {account.type for account in DEFAULT_CHART} == set(AccountType)


def test_the_account_type_comes_from_the_first_name_component() -> None:
    account = ChartAccount("Liabilities:Payables:Creditors", "Crediteuren", "Payables", None)

    assert account.type is AccountType.LIABILITIES


def test_accounts_are_listed_by_type_in_balance_sheet_order() -> None:
    order = list(AccountType)
    positions = [order.index(account.type) for account in DEFAULT_CHART]

    assert positions == sorted(positions)


@pytest.mark.parametrize("account", DEFAULT_CHART, ids=lambda account: account.name)
def test_every_account_has_a_dutch_and_an_english_label(account: ChartAccount) -> None:
    assert account.label_nl.strip()
    assert account.label_en.strip()


@pytest.mark.parametrize(
    "name",
    [
        "Assets:Bank:Checking",
        "Assets:Bank:Savings",
        "Assets:Cash",
        "Assets:Receivables:Debtors",
        "Assets:Receivables:Members",
        "Assets:Receivables:Subsidies",
        "Assets:Receivables:Bureau",
        "Assets:Prepaid:Expenses",
        "Assets:Accrued:Income",
        "Liabilities:Payables:Creditors",
        "Liabilities:Payables:Bureau",
        "Liabilities:Taxes:Payroll",
        "Liabilities:Accrued:Costs",
        "Liabilities:Subsidies:Unspent",
        "Equity:Reserves:General",
        "Equity:Reserves:Earmarked",
        "Equity:Funds:Earmarked",
        "Equity:Opening-Balances",
        "Income:Subsidies:Municipal",
        "Income:Donations:Gifts",
        "Income:Members:Dues",
        "Expenses:Staff:Salaries",
        "Expenses:Volunteers:Allowances",
        "Expenses:Housing:Rent",
        "Expenses:Bank:Fees",
        "Expenses:Depreciation:Equipment",
    ],
)
def test_a_required_account_is_present(name: str) -> None:
    assert name in NAMES


@pytest.mark.parametrize(
    "account",
    DEFAULT_CHART,
    ids=lambda account: account.name,
)
def test_every_rgs_code_looks_like_a_reference_code(account: ChartAccount) -> None:
    assert account.rgs_code is not None
    assert RGS_CODE.match(account.rgs_code), account.rgs_code


def test_chart_accounts_cannot_be_changed() -> None:
    account = DEFAULT_CHART[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        account.name = "Assets:Elsewhere"  # type: ignore[misc]
