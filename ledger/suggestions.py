"""What an entry form offers while someone types: the chart of accounts, earlier payees and
projects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from types import MappingProxyType

from sqlalchemy import Date, Integer, Select, and_, bindparam, case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from ledger.chart import AccountType
from ledger.errors import ValidationFailed, message
from ledger.models import Account, Transaction
from ledger.projects import PROJECT_KEY
from ledger.statements import read

RECENT_TRANSACTIONS = 2000


@dataclass(frozen=True, slots=True)
class AccountChoice:
    """An account as a person finds it: by name, Dutch or English label, or RGS code."""

    name: str
    type: str
    label_nl: str
    label_en: str
    rgs_code: str | None

    @property
    def coded_label(self) -> str:
        """``Label (RGS code)``: what tells apart two accounts with the same Dutch label."""
        return f"{self.label_nl} ({self.rgs_code})" if self.label_nl and self.rgs_code else ""

    @property
    def coded_label_en(self) -> str:
        """``coded_label`` with the English label, for a reader of English."""
        return f"{self.label_en} ({self.rgs_code})" if self.label_en and self.rgs_code else ""

    def matches(self, text: str) -> bool:
        """True when ``text`` is this account's name, a label or its RGS code (any case)."""
        wanted = text.strip().casefold()
        return bool(wanted) and wanted in {
            self.name.casefold(),
            self.label_nl.casefold(),
            self.label_en.casefold(),
            (self.rgs_code or "").casefold(),
            self.coded_label.casefold(),
            self.coded_label_en.casefold(),
        }


def account_choices(session: Session, on: date) -> list[AccountChoice]:
    """Accounts open on ``on``, by name: what a posting dated then may use."""
    rows = read(session, _choices_statement(), {"on": on}).all()
    return [AccountChoice(*row) for row in rows]


# The columns of an ``AccountChoice``, in the order of its fields.
CHOICE_COLUMNS = (Account.name, Account.type, Account.label_nl, Account.label_en, Account.rgs_code)


@cache
def _choices_statement() -> Select[str, AccountType, str, str, str | None]:
    """``account_choices``'s statement, built once (every entry form runs it); with ``on``."""
    on = bindparam("on", type_=Date)
    return (
        select(*CHOICE_COLUMNS)
        .where(Account.opened_on <= on, or_(Account.closed_on.is_(None), Account.closed_on >= on))
        .order_by(Account.name)
    )


def resolve_account(choices: Sequence[AccountChoice], text: str) -> str | None:
    """The one account ``text`` names (by name, label or RGS code), or None if none or several."""
    found = {c.name for c in choices if c.matches(text)}
    return found.pop() if len(found) == 1 else None


def picker_texts(choices: Sequence[AccountChoice], *, english: bool = False) -> Mapping[str, str]:
    """What the account picker shows for each account: its Dutch label when that names it alone
    (with ``english``, its English label first, the Dutch one where it has none).

    A label that another account also answers to would be refused as ambiguous when typed
    back, so such an account shows ``Label (RGS code)`` when that is unique, and its full name
    only when nothing else tells it apart (or it has no label).

    Worked out once per chart and kept (it depends on the choices alone): every form, the
    journal and the bank inbox ask it for the same chart, some once per field.
    """
    return _picker_texts(tuple(choices), english)


@lru_cache(maxsize=512)
def _picker_texts(choices: tuple[AccountChoice, ...], english: bool) -> Mapping[str, str]:
    named: dict[str, set[str]] = {}
    for c in choices:
        keys = (c.name, c.label_nl, c.label_en, c.rgs_code or "", c.coded_label, c.coded_label_en)
        for key in keys:
            if key:
                named.setdefault(key.casefold(), set()).add(c.name)
    texts = {}
    for c in choices:
        dutch = (c.label_nl, c.coded_label)
        wanted = (c.label_en, c.coded_label_en, *dutch) if english else dutch
        unique = [t for t in wanted if t and named[t.casefold()] == {c.name}]
        texts[c.name] = unique[0] if unique else c.name
    return MappingProxyType(texts)


def picker_text(choices: Sequence[AccountChoice], name: str, *, english: bool = False) -> str:
    """What the account picker shows for the account ``name`` (see ``picker_texts``)."""
    return picker_texts(choices, english=english).get(name, name)


def chosen_account(
    choices: Sequence[AccountChoice], text: str, *, field: str, types: Sequence[str] = ()
) -> str:
    """The one account ``text`` names among ``choices`` of ``types`` (all when empty).

    ``text`` is what a person typed or picked: a Dutch or English label, an RGS code or the
    account's full name. Refused, naming ``field``, when it is empty, names no account, names
    several, or names an account of another type than the form takes.
    """
    typed = text.strip()
    if not typed:
        raise ValidationFailed(message("Kies een rekening."), field=field)
    allowed = [c for c in choices if not types or c.type in types]
    found = resolve_account(allowed, typed)
    if found is not None:
        return found
    if any(c.matches(typed) for c in allowed):
        raise ValidationFailed(
            message("%(text)s past bij meer dan één rekening; kies er een uit de lijst."),
            field=field,
            text=typed[:80],
        )
    if any(c.matches(typed) for c in choices):
        raise ValidationFailed(
            message("%(text)s kan hier niet gekozen worden; kies een rekening uit de lijst."),
            field=field,
            text=typed[:80],
        )
    raise ValidationFailed(
        message("Kies een rekening uit de lijst; %(text)s kennen we niet."),
        field=field,
        text=typed[:80],
    )


# The five roots by their Dutch and English words, as parents a new account can go under.
ROOT_LABELS = {
    "Assets": ("Activa", "Assets"),
    "Liabilities": ("Schulden", "Liabilities"),
    "Equity": ("Eigen vermogen", "Equity"),
    "Income": ("Baten", "Income"),
    "Expenses": ("Lasten", "Expenses"),
}


def parent_choices(choices: Sequence[AccountChoice]) -> list[AccountChoice]:
    """What a new account can go under: the five roots, then every account."""
    roots = [AccountChoice(root, root, nl, en, None) for root, (nl, en) in ROOT_LABELS.items()]
    return [*roots, *choices]


@dataclass(frozen=True, slots=True)
class RecentNames:
    """The payees and the projects of the latest transactions, each most recent first."""

    payees: list[str]
    projects: list[str]


def recent_names(session: Session, limit: int = 200) -> RecentNames:
    """Payees and projects of the latest transactions: suggestions for the next one.

    Only the newest transactions are read, so the cost stays flat however long the books get;
    one statement and one pass over them answer both (``GROUPING SETS``), so an entry form
    costs no more for offering projects.
    """
    rows = read(session, _names_statement(), {"limit": limit}).all()
    return RecentNames(
        payees=[payee for by_project, payee, _project in rows if payee and not by_project],
        projects=[project for by_project, _payee, project in rows if project and by_project],
    )


@cache
def _names_statement() -> Select[int, str | None, str | None]:
    """``recent_names``'s statement, built once; run with ``limit`` (of each).

    A row per payee and per project (``by_project`` 1), the most recently used first.
    """
    project = Transaction.meta[PROJECT_KEY]
    recent = (
        select(
            Transaction.id,
            Transaction.payee,
            case((func.jsonb_typeof(project) == "string", project.astext)).label("project"),
        )
        .where(
            or_(
                and_(Transaction.payee.is_not(None), Transaction.payee != ""),
                Transaction.meta.has_key(PROJECT_KEY),
            )
        )
        .order_by(Transaction.id.desc())
        .limit(RECENT_TRANSACTIONS)
        .subquery()
    )
    by_project = func.grouping(recent.c.payee)
    named = or_(
        and_(by_project == 0, recent.c.payee.is_not(None), recent.c.payee != ""),
        and_(by_project == 1, recent.c.project.is_not(None), recent.c.project != ""),
    )
    rank = func.row_number().over(partition_by=by_project, order_by=func.max(recent.c.id).desc())
    grouped = (
        select(by_project.label("by_project"), recent.c.payee, recent.c.project, rank.label("rank"))
        .group_by(func.grouping_sets(tuple_(recent.c.payee), tuple_(recent.c.project)))
        .having(named)
        .subquery()
    )
    return (
        select(grouped.c.by_project, grouped.c.payee, grouped.c.project)
        .where(grouped.c.rank <= bindparam("limit", type_=Integer))
        .order_by(grouped.c.by_project, grouped.c.rank)
    )


def choices_named(session: Session, names: Iterable[str]) -> dict[str, AccountChoice]:
    """The named accounts with their labels, open or closed (for showing stored postings)."""
    rows = session.execute(_labels_statement(), {"names": list(set(names))})
    return {row.name: AccountChoice(*row) for row in rows}


@cache
def _labels_statement() -> Select[str, AccountType, str, str, str | None]:
    """``choices_named``'s statement, built once; run with ``names`` (a list)."""
    return select(*CHOICE_COLUMNS).where(Account.name.in_(bindparam("names", expanding=True)))
