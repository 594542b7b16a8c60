"""What an entry form offers while someone types: the chart of accounts and earlier payees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ledger.models import Account, Transaction

RECENT_TRANSACTIONS = 2000


@dataclass(frozen=True, slots=True)
class AccountChoice:
    """An account as a person finds it: by name, Dutch or English label, or RGS code."""

    name: str
    type: str
    label_nl: str
    label_en: str
    rgs_code: str | None

    def matches(self, text: str) -> bool:
        """True when ``text`` is this account's name, a label or its RGS code (any case)."""
        wanted = text.strip().casefold()
        return wanted in {
            self.name.casefold(),
            self.label_nl.casefold(),
            self.label_en.casefold(),
            (self.rgs_code or "").casefold(),
        }


def account_choices(session: Session, on: date) -> list[AccountChoice]:
    """Accounts open on ``on``, by name: what a posting dated then may use."""
    rows = session.scalars(
        select(Account)
        .where(
            Account.opened_on <= on,
            or_(Account.closed_on.is_(None), Account.closed_on >= on),
        )
        .order_by(Account.name)
    )
    return [AccountChoice(a.name, a.type, a.label_nl, a.label_en, a.rgs_code) for a in rows]


def resolve_account(choices: list[AccountChoice], text: str) -> str | None:
    """The one account ``text`` names (by name, label or RGS code), or None if none or several."""
    found = {c.name for c in choices if c.matches(text)}
    return found.pop() if len(found) == 1 else None


def recent_payees(session: Session, limit: int = 200) -> list[str]:
    """Payees of the latest transactions, most recent first: suggestions for the next one.

    Only the newest transactions are read, so the cost stays flat however long the books get.
    """
    recent = (
        select(Transaction.id, Transaction.payee)
        .where(Transaction.payee.is_not(None), Transaction.payee != "")
        .order_by(Transaction.id.desc())
        .limit(RECENT_TRANSACTIONS)
        .subquery()
    )
    rows = session.execute(
        select(recent.c.payee)
        .group_by(recent.c.payee)
        .order_by(func.max(recent.c.id).desc())
        .limit(limit)
    )
    return [payee for (payee,) in rows]


def account_labels(session: Session, names: Iterable[str]) -> dict[str, AccountChoice]:
    """The named accounts with their labels, open or closed (for showing stored postings)."""
    rows = session.scalars(select(Account).where(Account.name.in_(set(names))))
    return {a.name: AccountChoice(a.name, a.type, a.label_nl, a.label_en, a.rgs_code) for a in rows}
