"""Metadata values to JSON and back, keeping their Beancount type (number, date, amount).

A plain JSON string is text; other types are one-key objects: ``{"decimal": "1.50"}``,
``{"date": "2024-01-31"}``, ``{"amount": ["1.50", "EUR"]}``, ``{"account": "Assets:Cash"}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.entries import AccountRef, Amount, Meta, MetaValue


def encode_value(value: MetaValue) -> Any:
    """One metadata value as JSON."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Amount):
        return {"amount": [str(value.number), value.currency]}
    if isinstance(value, AccountRef):
        return {"account": value.name}
    raise TypeError(f"not a metadata value: {value!r}")


def decode_value(value: Any) -> MetaValue:
    """The inverse of ``encode_value``."""
    if value is None or isinstance(value, bool | str):
        return value
    if "decimal" in value:
        return Decimal(value["decimal"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    if "amount" in value:
        number, currency = value["amount"]
        return Amount(Decimal(number), currency)
    return AccountRef(value["account"])


def encode_meta(meta: Meta) -> dict[str, Any]:
    return {key: encode_value(value) for key, value in meta.items()}


def decode_meta(meta: Mapping[str, Any] | None) -> dict[str, MetaValue]:
    return {key: decode_value(value) for key, value in (meta or {}).items()}


def encode_values(values: Iterable[MetaValue]) -> list[Any]:
    return [encode_value(value) for value in values]


def decode_values(values: Iterable[Any]) -> tuple[MetaValue, ...]:
    return tuple(decode_value(value) for value in values)
