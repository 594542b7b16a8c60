"""Use cases on the chart of accounts: install a chart, open, rename and close accounts.

People know an account by its Dutch label ("Huur"), optionally an English one; the books know
it by its name (``Expenses:Rent``), which links and bank rules, budgets and exports hold on to.
So renaming changes the labels alone, and the name stays.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.chart import DEFAULT_CURRENCY, ChartAccount
from ledger.checks import CURRENCY, check_open_period
from ledger.errors import NotFound, ValidationFailed, message
from ledger.models import Account, BalanceBucket, Posting
from ledger.models.accounts import BookingMethod

# The methods an account may be opened with here; AVERAGE (which Beancount does not book yet)
# is kept only as a file brings it in.
BOOKING_METHODS = frozenset(BookingMethod) - {BookingMethod.AVERAGE}
ACCOUNT_NAME = re.compile(r"(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+")
# What the accounts table holds (``Account.name`` and ``Account.rgs_code``): longer is refused
# here, so that a person meets a message at the field instead of the database's error.
NAME_LONGEST = 200
RGS_CODE_LONGEST = 40
# Longer than any account's label in a chart of accounts; pickers and reports show it whole.
LABEL_LONGEST = 100


def install_chart(session: Session, chart: Iterable[ChartAccount], opened_on: date) -> int:
    """Open every account of ``chart`` on ``opened_on``; returns how many were opened.

    Runs inside the caller's transaction (provisioning installs the chart with the schema).
    """
    rows = [
        {
            "name": account.name,
            "type": account.type.value,
            "label_nl": account.label_nl,
            "label_en": account.label_en,
            "rgs_code": account.rgs_code,
            "currencies": [DEFAULT_CURRENCY],
            "opened_on": opened_on,
        }
        for account in chart
    ]
    if rows:
        session.execute(insert(Account), rows)
    return len(rows)


def child_account_name(session: Session, parent: str, label: str) -> str:
    """A free account name under ``parent`` made from ``label``: ``Expenses:Activities:Zomerkamp``.

    People name an account by its label; the name the books need (ASCII words joined by
    hyphens, each part starting with a capital) is derived from it, with ``-2``, ``-3``, ...
    added when the name is taken. A long label is cut so that the name, with its number, stays
    within ``NAME_LONGEST`` characters.
    """
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", plain)
    if not words:
        raise ValidationFailed(
            message("Geef de rekening een naam met letters of cijfers."), field="label_nl"
        )
    part = "-".join(words)
    part = f"{part[0].upper()}{part[1:]}"
    number = 1
    while True:
        suffix = f"-{number}" if number > 1 else ""
        room = NAME_LONGEST - len(parent) - len(":") - len(suffix)
        cut = part[: max(room, 0)].rstrip("-")
        if not cut:
            raise ValidationFailed(
                message("De naam van deze rekening is te lang om er een rekening onder te openen."),
                field="parent",
            )
        name = f"{parent}:{cut}{suffix}"
        if not session.scalar(select(exists().where(Account.name == name))):
            return name
        number += 1


def open_account_under(
    session: Session,
    parent: str,
    label_nl: str,
    actor_id: int | None,
    *,
    opened_on: date,
    label_en: str = "",
    rgs_code: str | None = None,
) -> str:
    """Open an account under ``parent`` named by its Dutch label; returns its full name.

    People pick an account by typing its label, so its labels must be new: one another account
    answers to already (``_check_labels_free``) would leave the picker guessing between the two.
    """
    label = account_label_text(label_nl, "label_nl")
    english = account_label_text(label_en, "label_en", required=False)
    _check_labels_free(session, [("label_nl", label), ("label_en", english)])
    name = child_account_name(session, parent, english or label)
    add_account(
        session,
        name,
        actor_id,
        opened_on=opened_on,
        label_nl=label,
        label_en=english,
        rgs_code=rgs_code,
    )
    return name


def open_named_account(
    session: Session,
    name: str,
    actor_id: int | None,
    *,
    opened_on: date,
    label_nl: str = "",
    label_en: str = "",
    rgs_code: str | None = None,
) -> int:
    """Open an account by the name the books give it (the advanced way: ``Expenses:Camp``),
    its labels held to the rules of ``open_account_under``; either may stay empty (the
    account then shows by its name)."""
    labels = [
        ("label_nl", account_label_text(label_nl, "label_nl", required=False)),
        ("label_en", account_label_text(label_en, "label_en", required=False)),
    ]
    _check_labels_free(session, labels)
    return add_account(
        session,
        name,
        actor_id,
        opened_on=opened_on,
        label_nl=labels[0][1],
        label_en=labels[1][1],
        rgs_code=rgs_code,
    )


def rename_account(
    session: Session, name: str, actor_id: int | None, *, label_nl: str, label_en: str
) -> bool:
    """Give account ``name`` new labels; False when they are the labels it has.

    A label that changes (other than in case) must be one no other account answers to
    (``open_account_under`` says why); the English one may be empty. The name does not change,
    so nothing that refers to the account does either. The change is kept in the audit trail,
    before and after.
    """
    account = session.scalar(select(Account).where(Account.name == name).with_for_update())
    if account is None:
        raise NotFound(message("Rekening %(name)s bestaat niet."), name=name)
    before = {"label_nl": account.label_nl, "label_en": account.label_en}
    after = {
        "label_nl": account_label_text(label_nl, "label_nl"),
        "label_en": account_label_text(label_en, "label_en", required=False),
    }
    if after == before:
        return False
    changed = [
        (field, label)
        for field, label in after.items()
        if label.casefold() != before[field].casefold()
    ]
    _check_labels_free(session, changed, account.id)
    session.execute(update(Account).where(Account.id == account.id).values(**after))
    record_change(session, actor_id, "rename", "account", account.id, before=before, after=after)
    session.flush()
    return True


def account_label_text(typed: str, field: str, *, required: bool = True) -> str:
    """A label as typed, its spaces made single; refused (on ``field``) when empty but
    ``required``, longer than ``LABEL_LONGEST`` or holding an invisible or control character."""
    label = " ".join(typed.split())
    if not label and required:
        raise ValidationFailed(message("Vul dit veld in."), field=field)
    if len(label) > LABEL_LONGEST:
        raise ValidationFailed(
            message("De naam van een rekening is hoogstens %(longest)s tekens lang."),
            field=field,
            longest=LABEL_LONGEST,
        )
    if not label.isprintable():
        raise ValidationFailed(
            message(
                "De naam van een rekening mag geen onzichtbare tekens of stuurtekens bevatten."
            ),
            field=field,
        )
    return label


def _check_labels_free(
    session: Session, labels: Sequence[tuple[str, str]], own_id: int | None = None
) -> None:
    """Refuse a label (``(field, label)``) another account answers to in the account picker:
    its Dutch or English label, its RGS code or its name, in any case (``str.casefold``, as the
    picker folds them). An empty label is no label."""
    wanted = [(field, label, label.casefold()) for field, label in labels if label]
    if not wanted:
        return
    rows = session.execute(
        select(Account.id, Account.name, Account.label_nl, Account.label_en, Account.rgs_code)
    )
    taken: set[str] = set()
    for account_id, *answers in rows:
        if account_id != own_id:
            taken.update(answer.casefold() for answer in answers if answer)
    for field, label, folded in wanted:
        if folded in taken:
            raise ValidationFailed(
                message("Er is al een rekening %(label)s; kies een andere naam."),
                field=field,
                label=label[:80],
            )


def add_account(
    session: Session,
    name: str,
    actor_id: int | None,
    *,
    opened_on: date,
    label_nl: str = "",
    label_en: str = "",
    currencies: Sequence[str] = (DEFAULT_CURRENCY,),
    rgs_code: str | None = None,
    booking: str | None = None,
) -> int:
    """Open a new account; returns its id.

    ``booking`` is how a sale held at cost picks its lots (Beancount's methods, e.g. FIFO);
    None follows the book's default, STRICT unless the book says otherwise.
    """
    if booking is not None and booking not in BOOKING_METHODS:
        raise ValidationFailed(
            message("Onbekende boekingsmethode %(booking)s."), field="booking", booking=booking
        )
    if len(name) > NAME_LONGEST:
        raise ValidationFailed(
            message("Een rekeningnaam is hoogstens %(longest)s tekens lang."),
            field="name",
            longest=NAME_LONGEST,
        )
    if not ACCOUNT_NAME.fullmatch(name):
        raise ValidationFailed(
            message("Ongeldige rekeningnaam %(name)s (bijvoorbeeld Expenses:Office:Postage)."),
            field="name",
            name=name,
        )
    if rgs_code is not None and len(rgs_code) > RGS_CODE_LONGEST:
        raise ValidationFailed(
            message("Een RGS-code is hoogstens %(longest)s tekens lang."),
            field="rgs_code",
            longest=RGS_CODE_LONGEST,
        )
    for currency in currencies:
        if not CURRENCY.fullmatch(currency):
            raise ValidationFailed(
                message("Ongeldige valuta: %(currency)s."), field="currencies", currency=currency
            )
    if session.scalar(select(exists().where(Account.name == name))):
        raise ValidationFailed(message("Rekening %(name)s bestaat al."), field="name", name=name)
    values = {
        "name": name,
        "type": name.split(":", 1)[0],
        "label_nl": label_nl,
        "label_en": label_en,
        "rgs_code": rgs_code,
        "currencies": list(currencies),
        "opened_on": opened_on,
        "booking": booking,
    }
    account_id = session.scalar(insert(Account).values(**values).returning(Account.id))
    record_change(
        session,
        actor_id,
        "open",
        "account",
        account_id,
        after={**values, "opened_on": opened_on.isoformat()},
    )
    session.flush()
    assert account_id is not None
    return int(account_id)


def close_account(session: Session, name: str, actor_id: int | None, *, on: date) -> None:
    """Close an account on ``on``: refused while it holds a balance or has later postings."""
    account = session.scalar(select(Account).where(Account.name == name).with_for_update())
    if account is None:
        raise NotFound(message("Rekening %(name)s bestaat niet."), name=name)
    check_open_period(session, on)
    if on < account.opened_on or account.closed_on is not None:
        raise ValidationFailed(
            message("Rekening %(name)s kan niet op %(date)s dicht."), name=name, date=on
        )
    later = session.scalar(
        select(exists().where(Posting.account_id == account.id, Posting.date > on))
    )
    balance = session.execute(
        select(BalanceBucket.currency, func.sum(BalanceBucket.units))
        .where(BalanceBucket.account_id == account.id)
        .group_by(BalanceBucket.currency)
    ).all()
    if later or any(units != 0 for _currency, units in balance):
        raise ValidationFailed(
            message("Rekening %(name)s heeft nog een saldo of latere boekingen."), name=name
        )
    session.execute(update(Account).where(Account.id == account.id).values(closed_on=on))
    record_change(
        session, actor_id, "close", "account", account.id, after={"closed_on": on.isoformat()}
    )
    session.flush()
