"""Report sections: accounts of one root with their balances per currency, and their totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.balances import Balances
from ledger.models import Account
from ledger.statements import read

Units = dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class AccountLine:
    """One account and its units per currency (Beancount's signs: credit is negative)."""

    account: str
    label: str
    units: Units


@dataclass(frozen=True, slots=True)
class Section:
    """The accounts under one root (``Assets``, ``Income``...) and their total per currency."""

    root: str
    lines: tuple[AccountLine, ...]
    totals: Units = field(default_factory=dict)


def account_labels(session: Session, *, english: bool = False) -> dict[str, str]:
    """Each account's label, to show next to its name: its English one when asked and it has
    one, else its Dutch one (empty when it has neither)."""
    rows = read(session, _LABELS).all()
    return {name: (english and label_en) or label_nl or "" for name, label_nl, label_en in rows}


# Built once: every report reads it.
_LABELS = select(Account.name, Account.label_nl, Account.label_en)


def section(root: str, balances: Balances, labels: Mapping[str, str]) -> Section:
    """The accounts of ``balances`` under ``root``, in name order, with their totals."""
    lines = tuple(
        AccountLine(name, labels.get(name, ""), dict(sorted(units.items())))
        for name, units in sorted(balances.items())
        if name.split(":", 1)[0] == root
    )
    return Section(root, lines, add_units(line.units for line in lines))


def add_units(parts: Iterable[Mapping[str, Decimal]]) -> Units:
    """The sum per currency; currencies that sum to zero stay, so a total is never missing."""
    result: Units = {}
    for part in parts:
        for currency, number in part.items():
            result[currency] = result.get(currency, Decimal(0)) + number
    return dict(sorted(result.items()))


def only_roots(balances: Balances, roots: Iterable[str]) -> Balances:
    wanted = set(roots)
    return {name: units for name, units in balances.items() if name.split(":", 1)[0] in wanted}
