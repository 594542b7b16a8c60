"""Tests of the default chart of accounts."""

from __future__ import annotations

import dataclasses
import re

import pytest
from beancount import loader

from ledger.chart import (
    DEFAULT_CHART,
    DEFAULT_CURRENCY,
    AccountType,
    ChartAccount,
    default_chart,
)

# Beancount's rule: a root type, then components that start with an uppercase letter or a digit
# and hold only letters, digits and hyphens. We keep names ASCII so they travel everywhere.
BEANCOUNT_ACCOUNT = re.compile(
    r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$"
)

# RGS codes: B (balance) or W (result), then blocks of one capital and two lowercase letters or
# digits, one block per level (WOvbOrs is level 3, BLimBanRba level 4).
RGS_CODE = re.compile(r"^[BW]([A-Z][a-z0-9]{2}){1,4}$")

NAMES = {account.name for account in DEFAULT_CHART}


def test_default_chart_returns_the_default_chart() -> None:
    assert default_chart() is DEFAULT_CHART


def test_the_default_currency_is_the_euro() -> None:
    assert DEFAULT_CURRENCY == "EUR"


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
    [account for account in DEFAULT_CHART if account.rgs_code is not None],
    ids=lambda account: account.name,
)
def test_an_rgs_code_when_present_looks_like_a_reference_code(account: ChartAccount) -> None:
    assert account.rgs_code is not None
    assert RGS_CODE.match(account.rgs_code), account.rgs_code


@pytest.mark.parametrize("account", DEFAULT_CHART, ids=lambda account: account.name)
def test_an_rgs_code_matches_the_balance_or_result_side(account: ChartAccount) -> None:
    if account.rgs_code is None:
        return
    on_balance_sheet = account.type in {
        AccountType.ASSETS,
        AccountType.LIABILITIES,
        AccountType.EQUITY,
    }

    assert account.rgs_code.startswith("B" if on_balance_sheet else "W")


def test_chart_accounts_cannot_be_changed() -> None:
    account = DEFAULT_CHART[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        account.name = "Assets:Elsewhere"  # type: ignore[misc]
