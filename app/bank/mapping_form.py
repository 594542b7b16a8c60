"""The CSV column mapping form: read from the posted fields, or from a known bank's preset."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.input_limits import whole_number
from ledger.bank.csvmapping import CsvMapping
from ledger.bank.presets import PRESETS

TEXT_FIELDS = (
    "date",
    "amount",
    "date_format",
    "delimiter",
    "direction",
    "counterparty_name",
    "counterparty_iban",
    "account",
    "reference",
    "balance_after",
    "balance_before",
    "payment_reference",
    "currency",
)


def mapping_from_form(form: MultiDict[str, str]) -> CsvMapping:
    """The mapping the person filled in; a chosen preset wins over the fields."""
    preset = form.get("preset", "")
    if preset in PRESETS:
        return PRESETS[preset]
    values = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    delimiter = form.get("delimiter", "")
    values["delimiter"] = "\t" if delimiter.strip().lower() in ("tab", "\\t") else delimiter.strip()
    return CsvMapping(
        date=values["date"],
        amount=values["amount"],
        date_format=values["date_format"] or "%Y-%m-%d",
        delimiter=values["delimiter"] or ",",
        decimal_comma=form.get("decimal_comma") == "on",
        direction=values["direction"],
        debit_values=_list(form.get("debit_values", "")),
        counterparty_name=values["counterparty_name"],
        counterparty_iban=values["counterparty_iban"],
        description=_list(form.get("description", "")),
        account=values["account"],
        reference=values["reference"],
        balance_after=values["balance_after"],
        balance_before=values["balance_before"],
        payment_reference=values["payment_reference"],
        header=_list(form.get("header", "")),
        skip_lines=_whole_number(form.get("skip_lines", "")),
        split_codes=form.get("split_codes") == "on",
        currency=(values["currency"] or "EUR").upper(),
    )


def _list(text: str) -> tuple[str, ...]:
    """Column names or values, one a line or separated by ``|``."""
    parts = text.replace("|", "\n").splitlines()
    return tuple(part.strip() for part in parts if part.strip())


def _whole_number(text: str) -> int:
    """A count typed in a form; what is no number counts as an impossible -1 (refused later)."""
    cleaned = text.strip()
    if not cleaned:
        return 0
    number = whole_number(cleaned)
    return -1 if number is None else number
