"""The audit trail's before and after in words: the fields that changed, as the reader writes them.

A transaction's snapshot (see ``ledger.rows.snapshot``) becomes date, payee, narration, tags and
one line per posting with its amount in the reader's number format; other records show their
fields as they are. An edit lists only what differs; a new record lists everything it holds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from app.account_picker import account_label
from app.i18n import day, money, number
from ledger.accounts import ACCOUNT_NAME

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIELD_NAMES = {
    "date": _l("Datum"),
    "payee": _l("Wie"),
    "narration": _l("Omschrijving"),
    "flag": _l("Status"),
    "tags": _l("Labels"),
    "links": _l("Koppelingen"),
    "postings": _l("Regels"),
    "meta": _l("Metadata"),
    "meta:project": _l("Project"),
    "project": _l("Project"),
    "source": _l("Bron"),
    "account": _l("Rekening"),
    "label_nl": _l("Naam (Nederlands)"),
    "label_en": _l("Naam (Engels)"),
    "rgs_code": _l("RGS-code"),
    "iban": _l("IBAN"),
    "imported": _l("Ingelezen regels"),
    "duplicates": _l("Dubbele regels overgeslagen"),
    "closed_on": _l("Gesloten op"),
    "opened_on": _l("Geopend op"),
    "starts_on": _l("Van"),
    "ends_on": _l("Tot en met"),
    "number": _l("Bedrag"),
    "amount": _l("Bedrag"),
    "is_closed": _l("Afgesloten"),
    "reason": _l("Reden"),
    "counterparty_iban": _l("IBAN tegenpartij"),
    "counterparty_name": _l("Naam bevat"),
    "description_contains": _l("Omschrijving bevat"),
    "amount_min": _l("Vanaf bedrag"),
    "amount_max": _l("Tot en met bedrag"),
}
META_PREFIX = "meta:"
# Fields that hold an amount in euros as text (a bank rule's bounds).
EURO_FIELDS = ("amount_min", "amount_max")


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str
    after: str


def changes(before: Any, after: Any) -> list[Change]:
    """The fields of ``before`` and ``after`` that differ, each as text (empty when absent)."""
    old, new = _fields(before), _fields(after)
    names = list(old) + [name for name in new if name not in old]
    return [
        Change(_field_name(name), old.get(name, ""), new.get(name, ""))
        for name in names
        if old.get(name, "") != new.get(name, "")
    ]


def _field_name(name: str) -> str:
    """A field's name for the reader; a metadata key without a name of its own as it is."""
    return str(FIELD_NAMES.get(name, name.removeprefix(META_PREFIX)))


def _fields(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {"": _text(value)}
    fields = {}
    for name, item in value.items():
        if name == "meta" and isinstance(item, dict):
            # Each metadata key is a field of its own: "Project: Moestuin", not a JSON object.
            fields.update({f"{META_PREFIX}{key}": _text(v) for key, v in item.items()})
        else:
            fields[name] = _field(name, item)
    return {name: text for name, text in fields.items() if text}


def _field(name: str, value: Any) -> str:
    if name == "postings" and isinstance(value, list):
        return "\n".join(_posting(p) for p in value if isinstance(p, dict))
    if name in ("tags", "links") and isinstance(value, list):
        sign = "#" if name == "tags" else "^"
        return " ".join(f"{sign}{item}" for item in value)
    if isinstance(value, str) and ACCOUNT_NAME.fullmatch(value):
        return account_label(value)  # the books' name is for the advanced view; people read labels
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return day(date.fromisoformat(value))
    if name in EURO_FIELDS and isinstance(value, str) and value:
        return _amount(value, "EUR")
    if name == "flag":
        return {"*": str(_l("geboekt")), "!": str(_l("nog te controleren"))}.get(value, value or "")
    return _text(value)


def _posting(posting: dict[str, Any]) -> str:
    units = posting.get("units") or ["", ""]
    name = str(posting.get("account", ""))
    return f"{account_label(name) if name else ''}: {_amount(str(units[0]), str(units[1]))}"


def _amount(text: str, currency: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return f"{text} {currency}".strip()
    if len(currency) == 3 and currency.isalpha():
        return money(value, currency)
    return f"{number(value)} {currency}"


def _text(value: Any) -> str:
    if value is None or value == {} or value == []:
        return ""
    if isinstance(value, bool):
        return str(_l("ja") if value else _l("nee"))
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
