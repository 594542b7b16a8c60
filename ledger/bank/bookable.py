"""Why a line in the inbox cannot be booked as it is, with what to do about it.

The inbox shows the reason on the line and does not pre-tick it, so a batch of proposals
books without refusals: a line the bank has not booked yet, one dated before the books open
or in a closed period, one that looks booked already by hand, one whose proposed account is
not open on its date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Numeric, any_, bindparam, select
from sqlalchemy.orm import Session

from ledger.bank.models import BankAccount, BankLine
from ledger.entries import AccountRef, Amount
from ledger.errors import message
from ledger.models import Account, AccountingPeriod, Posting
from ledger.statements import read


@dataclass(frozen=True, slots=True)
class Hint:
    """A Dutch sentence (a message id) with its parameters, as domain errors carry them."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    kind: str = ""  # "pending", "before_start", "closed_period", "duplicate", "account"

    @property
    def stops_any_booking(self) -> bool:
        """Whether no account the person picks lets the line be booked (a possible duplicate
        may still be booked, a wrong account be replaced)."""
        return self.kind in ("pending", "before_start", "closed_period")


@dataclass(frozen=True, slots=True)
class _Context:
    opened_on: dict[int, date]  # bank account id -> its ledger account's opening day
    closed: list[tuple[date, date]]
    accounts: dict[str, tuple[date, date | None]]
    booked_by_hand: dict[tuple[int, date, Decimal], int]


def blockers(
    session: Session,
    lines: Sequence[BankLine],
    proposed: Mapping[int, str],
    paying: Collection[int] = (),
) -> dict[int, Hint]:
    """For each line that cannot be booked now (by line id), why and what to do.

    ``proposed`` maps line ids to the account a rule or invoice proposes for them; ``paying``
    are the lines that pay an open invoice, whose payment may rightly be booked already (the
    line is then linked to it, not booked twice). A handful of queries for the whole page,
    whatever the number of lines.
    """
    if not lines:
        return {}
    context = _context(session, lines, proposed.values())
    found = {}
    for line in lines:
        hint = _blocker(line, proposed.get(line.id), context, line.id in paying)
        if hint is not None:
            found[line.id] = hint
    return found


def _blocker(
    line: BankLine, account: str | None, context: _Context, is_paying: bool
) -> Hint | None:
    if line.is_pending:
        return Hint(
            message(
                "In behandeling bij de bank: de regel is te boeken zodra de bank hem boekt"
                " (hij komt dan met het volgende afschrift)."
            ),
            kind="pending",
        )
    opened_on = context.opened_on.get(line.bank_account_id)
    if opened_on is not None and line.date < opened_on:
        return Hint(
            message(
                "Deze regel valt vóór de start van de boekhouding (%(start)s) en kan niet"
                " geboekt worden. Negeer de regel: wat vóór die datum gebeurde, staat in de"
                " beginbalans."
            ),
            {"start": opened_on},
            kind="before_start",
        )
    for starts_on, ends_on in context.closed:
        if starts_on <= line.date <= ends_on:
            return Hint(
                message(
                    "Deze regel valt in de afgesloten periode %(start)s t/m %(end)s. Negeer de"
                    " regel, of laat de eigenaar de periode heropenen."
                ),
                {"start": starts_on, "end": ends_on},
                kind="closed_period",
            )
    by_hand = context.booked_by_hand.get((line.bank_account_id, line.date, line.amount))
    if by_hand is not None and not is_paying:
        return Hint(
            message(
                "Mogelijk dubbel: op %(date)s staat al een boeking van %(amount)s op deze"
                " bankrekening (boeking %(id)s). Negeer de regel als het dezelfde betaling is."
            ),
            {"date": line.date, "amount": Amount(line.amount, line.currency), "id": by_hand},
            kind="duplicate",
        )
    if account is not None:
        return _account_blocker(account, line.date, context)
    return None


def _account_blocker(account: str, day: date, context: _Context) -> Hint | None:
    span = context.accounts.get(account)
    if span is None:
        return Hint(
            message("De voorgestelde rekening %(name)s bestaat niet."),
            {"name": AccountRef(account)},
            "account",
        )
    opened_on, closed_on = span
    if day < opened_on or (closed_on is not None and day > closed_on):
        return Hint(
            message("De voorgestelde rekening %(name)s is niet open op %(date)s: kies een andere."),
            {"name": AccountRef(account), "date": day},
            kind="account",
        )
    return None


def _context(session: Session, lines: Sequence[BankLine], names: Any) -> _Context:
    ledger_accounts = {row.id: row.opened_on for row in read(session, _OPENED).all()}
    closed = [(row.starts_on, row.ends_on) for row in read(session, _CLOSED).all()]
    wanted = set(names)
    accounts = (
        {
            row.name: (row.opened_on, row.closed_on)
            for row in session.execute(_SPANS, {"names": list(wanted)})
        }
        if wanted  # no proposal, no account to look up
        else {}
    )
    return _Context(ledger_accounts, closed, accounts, _booked_by_hand(session, lines))


# Built once: the inbox runs them on every request.
_OPENED = select(BankAccount.id, Account.opened_on).join(
    Account, Account.id == BankAccount.account_id
)
_CLOSED = select(AccountingPeriod.starts_on, AccountingPeriod.ends_on).where(
    AccountingPeriod.closed_at.is_not(None)
)
_SPANS = select(Account.name, Account.opened_on, Account.closed_on).where(
    Account.name.in_(bindparam("names", expanding=True))
)


def _booked_by_hand(
    session: Session, lines: Sequence[BankLine]
) -> dict[tuple[int, date, Decimal], int]:
    """Postings on a bank account's ledger account that no bank line booked, by day and amount:
    a line with the same day and amount was most likely booked by hand already.

    Only postings of the lines' amounts are read: an inbox whose lines span a year would
    otherwise bring every bank posting of that year.
    """
    days = [line.date for line in lines]
    amounts = sorted({line.amount for line in lines})
    parameters = {"first": min(days), "last": max(days), "amounts": amounts}
    rows = read(session, _BY_HAND, parameters).all()
    return {(row[0], row[1], row[2]): row[3] for row in rows}


_BY_HAND = (
    select(BankAccount.id, Posting.date, Posting.number, Posting.transaction_id)
    .join(Posting, Posting.account_id == BankAccount.account_id)
    .where(
        Posting.date >= bindparam("first"),
        Posting.date <= bindparam("last"),
        Posting.number == any_(bindparam("amounts", type_=ARRAY(Numeric))),
        Posting.transaction_id.not_in(
            select(BankLine.transaction_id).where(BankLine.transaction_id.is_not(None))
        ),
    )
)
