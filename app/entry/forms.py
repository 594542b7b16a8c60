"""Entry forms read into a ``NewTransaction``: money out, money in, a transfer, or every posting.

Each reader returns the transaction or the problems, keyed by the form field they belong to, so
the page can show each message next to its field. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app.account_picker import shown
from app.errors import translated
from app.extensions import db
from app.form_input import text
from app.i18n import typed_amount
from app.input_limits import whole_number
from ledger.amounts import parse_amount
from ledger.chart import DEFAULT_CURRENCY
from ledger.clock import today
from ledger.days import DAY_EXPECTED, parse_day
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import DomainError
from ledger.projects import project_name, project_of, with_project
from ledger.suggestions import AccountChoice, recent_names, resolve_account

KINDS = ("expense", "income", "transfer")
MONEY_ROOTS = ("Assets", "Liabilities")
POSTING_ROWS = 6

# Which field of a simple form answers for an account a posting names (``postings``).
_POSTING_FIELD = {"expense": "category", "income": "category", "transfer": "to_account"}


@dataclass(slots=True)
class EntryResult:
    """What a form said: the transaction, or the problems per field (never both)."""

    transaction: NewTransaction | None = None
    errors: dict[str, str] = field(default_factory=dict)


def read_simple(
    kind: str, form: Mapping[str, str], choices: list[AccountChoice], projects: Sequence[str] = ()
) -> EntryResult:
    """A money-out, money-in or transfer form: one amount between two accounts; ``projects``
    are the ones the books know (``ledger.projects.project_name``)."""
    result = EntryResult()
    day = _date(form, result)
    project = _project(form, projects, result)
    amount = _positive_amount(text(form, "amount"), "amount", result)
    money = _account(form, "money_account", choices, result)
    other = _account(form, "to_account" if kind == "transfer" else "category", choices, result)
    if result.errors or day is None or amount is None or money is None or other is None:
        return result
    # Money out: the cost goes up and the bank goes down. Money in and a transfer the other way.
    first, second = (other, money) if kind in ("expense", "transfer") else (money, other)
    result.transaction = NewTransaction(
        date=day,
        narration=text(form, "narration"),
        payee=text(form, "payee") or None,
        postings=(_posting(first, amount), _posting(second, -amount)),
        meta=with_project({}, project),
    )
    return result


def read_full(
    form: Mapping[str, str], choices: list[AccountChoice], projects: Sequence[str] = ()
) -> EntryResult:
    """Every posting typed out; one posting may leave its amount empty to take the remainder."""
    result = EntryResult()
    day = _date(form, result)
    project = _project(form, projects, result)
    rows: list[tuple[str, Decimal | None]] = []
    for index in range(_row_count(form)):
        account_text = text(form, f"account-{index}")
        amounts = [text(form, f"{side}-{index}") for side in SIDES]
        if not account_text and not any(amounts):
            continue
        name = _account(form, f"account-{index}", choices, result)
        number = _row_amount(form, index, result)
        if name is not None:
            rows.append((name, number))
    postings = _with_remainder(rows, result)
    if result.errors or day is None:
        return result
    result.transaction = NewTransaction(
        date=day,
        narration=text(form, "narration"),
        payee=text(form, "payee") or None,
        postings=postings,
        meta=with_project({}, project),
    )
    return result


SIDES = ("debit", "credit", "amount")  # "amount": one signed figure, as the CSV and API type it


def _row_amount(form: Mapping[str, str], index: int, result: EntryResult) -> Decimal | None:
    """Debit minus credit of one row (or its signed amount); None when the row leaves it open."""
    typed = {side: text(form, f"{side}-{index}") for side in SIDES}
    filled = [side for side, found in typed.items() if found]
    if not filled:
        return None
    if len(filled) > 1:
        result.errors[f"credit-{index}"] = _("Vul debet of credit in, niet allebei.")
        return None
    side = filled[0]
    number = _signed_amount(typed[side], f"{side}-{index}", result)
    if number is None:
        return None
    return -number if side == "credit" else number


def field_of(error: DomainError, kind: str) -> str:
    """The form field a refusal of the ledger belongs to; the form's top when none fits."""
    if error.field in ("date", "payee", "narration", "project"):
        return error.field
    if error.field == "postings":
        return _POSTING_FIELD.get(kind, "postings")
    return "form"


def posting_rows(
    transaction: NewTransaction | None, choices: Sequence[AccountChoice] = ()
) -> dict[str, str]:
    """A stored transaction as the full form's field values, for editing it.

    Each account shows as the account picker shows it (its label in the reader's language),
    given ``choices``.
    """
    if transaction is None:
        return {}
    values = {
        "date": transaction.date.isoformat(),
        "payee": transaction.payee or "",
        "narration": transaction.narration,
        "project": project_of(transaction.meta),
        "rows": str(max(POSTING_ROWS, len(transaction.postings) + 1)),
    }
    for index, posting in enumerate(transaction.postings):
        values[f"account-{index}"] = shown(choices, posting.account)
        number = posting.units.number
        side = "debit" if number >= 0 else "credit"
        values[f"{side}-{index}"] = typed_amount(abs(number))
    return values


def simple_kind(transaction: NewTransaction) -> str | None:
    """``expense`` or ``income`` when the simple form could have made ``transaction``, else None.

    Money out is a cost up and a balance account down; money in a balance account up and
    income (or another account) down: two euro postings, in the order the simple form writes.
    """
    if len(transaction.postings) != 2 or not is_plain_euro(transaction):
        return None
    first, second = transaction.postings
    if first.units.number <= 0 or first.units.number != -second.units.number:
        return None
    if _root(first.account) == "Expenses" and _root(second.account) in MONEY_ROOTS:
        return "expense"
    if _root(first.account) in MONEY_ROOTS and _root(second.account) == "Income":
        return "income"
    return None


def simple_values(
    kind: str, transaction: NewTransaction, choices: list[AccountChoice]
) -> dict[str, str]:
    """A transaction of ``simple_kind`` as the simple form's field values, for editing it."""
    first, second = transaction.postings
    money, other = (second, first) if kind == "expense" else (first, second)
    return {
        "date": transaction.date.isoformat(),
        "amount": typed_amount(first.units.number),
        "payee": transaction.payee or "",
        "narration": transaction.narration,
        "project": project_of(transaction.meta),
        "money_account": money.account,
        "category": shown(choices, other.account),
    }


def _root(account: str) -> str:
    return account.split(":", 1)[0]


def is_plain_euro(transaction: NewTransaction) -> bool:
    """True when the full form can show every posting: euros, no lots, prices or metadata."""
    return all(
        p.units.currency == DEFAULT_CURRENCY
        and p.cost is None
        and p.price is None
        and not p.meta
        and p.flag is None
        for p in transaction.postings
    )


def _row_count(form: Mapping[str, str]) -> int:
    count = whole_number(text(form, "rows"))
    return POSTING_ROWS if count is None else min(count, 100)


def _with_remainder(
    rows: list[tuple[str, Decimal | None]], result: EntryResult
) -> tuple[NewPosting, ...]:
    if len(rows) < 2:
        result.errors.setdefault("postings", _("Vul minstens twee regels in."))
        return ()
    blank = [index for index, (_name, number) in enumerate(rows) if number is None]
    if len(blank) > 1:
        result.errors.setdefault("postings", _("Laat hooguit één bedrag leeg."))
        return ()
    rest = -sum((number for _name, number in rows if number is not None), Decimal(0))
    return tuple(_posting(name, rest if number is None else number) for name, number in rows)


def _posting(account: str, number: Decimal) -> NewPosting:
    return NewPosting(account, Amount(number, DEFAULT_CURRENCY))


def _date(form: Mapping[str, str], result: EntryResult) -> date | None:
    # A booking's day may be typed without its year (``6-12``): bookings look back, and at the
    # turn of the year December is booked in January. Other days (a report's period, a policy's
    # start) are typed whole: there the year a person means may as well lie ahead.
    day = parse_day(text(form, "date"), today())
    if day is None:
        result.errors["date"] = _(DAY_EXPECTED)
    return day


def typed_projects(form: Mapping[str, str]) -> list[str]:
    """The books' recent projects when ``form`` names one, to write it as they do; read only
    then, so booking without a project costs no statement more."""
    return recent_names(db.session()).projects if text(form, "project") else []


def _project(form: Mapping[str, str], known: Sequence[str], result: EntryResult) -> str | None:
    try:
        return project_name(text(form, "project"), known)
    except DomainError as error:
        result.errors["project"] = translated(error)
        return None


def _positive_amount(typed: str, name: str, result: EntryResult) -> Decimal | None:
    number = _signed_amount(typed, name, result)
    if number is not None and number <= 0:
        result.errors[name] = _("Vul een bedrag groter dan nul in.")
        return None
    return number


def _signed_amount(typed: str, name: str, result: EntryResult) -> Decimal | None:
    try:
        return parse_amount(typed, field=name)
    except DomainError as error:
        result.errors[name] = translated(error)
        return None


def _account(
    form: Mapping[str, str], name: str, choices: list[AccountChoice], result: EntryResult
) -> str | None:
    typed = text(form, name)
    if not typed:
        result.errors[name] = _("Kies een rekening.")
        return None
    account = resolve_account(choices, typed)
    if account is None:
        result.errors[name] = _(
            "Kies een rekening uit de lijst; %(text)s kennen we niet.", text=typed
        )
    return account
