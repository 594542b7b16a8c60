"""The CSV column mapping form: read from the posted fields, or from a known bank's preset."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.form_input import is_ticked, text
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
    preset = text(form, "preset")
    if preset in PRESETS:
        return PRESETS[preset]
    values = {name: text(form, name) for name in TEXT_FIELDS}
    delimiter = values["delimiter"]
    values["delimiter"] = "\t" if delimiter.lower() in ("tab", "\\t") else delimiter
    return CsvMapping(
        date=values["date"],
        amount=values["amount"],
        date_format=values["date_format"] or "%Y-%m-%d",
        delimiter=values["delimiter"] or ",",
        decimal_comma=is_ticked(form, "decimal_comma"),
        direction=values["direction"],
        debit_values=_list(text(form, "debit_values")),
        counterparty_name=values["counterparty_name"],
        counterparty_iban=values["counterparty_iban"],
        description=_list(text(form, "description")),
        account=values["account"],
        reference=values["reference"],
        balance_after=values["balance_after"],
        balance_before=values["balance_before"],
        payment_reference=values["payment_reference"],
        header=_list(text(form, "header")),
        skip_lines=_whole_number(text(form, "skip_lines")),
        split_codes=is_ticked(form, "split_codes"),
        split_labels=is_ticked(form, "split_labels"),
        currency=(values["currency"] or "EUR").upper(),
    )


def _list(typed: str) -> tuple[str, ...]:
    """Column names or values, one a line or separated by ``|``."""
    parts = typed.replace("|", "\n").splitlines()
    return tuple(part.strip() for part in parts if part.strip())


def _whole_number(typed: str) -> int:
    """A count typed in a form; what is no number counts as an impossible -1 (refused later)."""
    cleaned = typed.strip()
    if not cleaned:
        return 0
    number = whole_number(cleaned)
    return -1 if number is None else number
