"""How a bank's CSV export is read: which column holds what, saved per bank account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from ledger.errors import ValidationFailed, message

TUPLES = ("description", "debit_values", "header")


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Which column holds what. Column names are the header's; amounts may use a decimal comma.

    ``direction`` with ``debit_values`` is for banks that give an unsigned amount and a separate
    "Af"/"Bij" column; ``balance_after`` (the balance after each line) gives the statement's
    opening and closing balances (or ``balance_before``, the balance before each line).
    A file without a header row names its columns in ``header``; ``skip_lines`` skips a
    preamble above the header (Knab's "KNAB EXPORT"). ``split_codes`` reads the structured
    ``/NAME/``, ``/IBAN/``, ``/REMI/`` codes some banks put in the description (ABN AMRO);
    ``split_labels`` reads ING's ``Naam: … Omschrijving: … IBAN: … Kenmerk: …`` instead.
    """

    date: str
    amount: str
    date_format: str = "%Y-%m-%d"
    delimiter: str = ","
    decimal_comma: bool = False
    direction: str = ""
    debit_values: tuple[str, ...] = ()
    counterparty_name: str = ""
    counterparty_iban: str = ""
    description: tuple[str, ...] = ()
    account: str = ""
    reference: str = ""
    balance_after: str = ""
    currency: str = "EUR"
    bank: str = ""
    header: tuple[str, ...] = ()
    skip_lines: int = 0
    balance_before: str = ""
    payment_reference: str = ""
    split_codes: bool = False
    split_labels: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CsvMapping:
        known = {name: value[name] for name in cls.__dataclass_fields__ if name in value}
        for name in TUPLES:
            if name in known:
                known[name] = tuple(known[name])
        return cls(**known)


def check_mapping(mapping: CsvMapping) -> CsvMapping:
    """Refuse a mapping that could never read a file: no date or amount column, a bad date
    format or delimiter, a direction column without the values that mean money going out."""
    if not mapping.date.strip() or not mapping.amount.strip():
        raise ValidationFailed(message("Een kolomindeling noemt minstens de datum en het bedrag."))
    if len(mapping.delimiter) != 1 or mapping.delimiter in '"\r\n':
        raise ValidationFailed(message("Het scheidingsteken is één teken, zoals ; of ,."))
    if "%" not in mapping.date_format:
        raise ValidationFailed(
            message("Ongeldig datumformaat %(format)s."), format=mapping.date_format[:40]
        )
    try:
        datetime.strptime(date(2024, 12, 31).strftime(mapping.date_format), mapping.date_format)  # noqa: DTZ007
    except ValueError as error:
        raise ValidationFailed(
            message("Ongeldig datumformaat %(format)s."), format=mapping.date_format[:40]
        ) from error
    if mapping.direction and not mapping.debit_values:
        raise ValidationFailed(message("Noem bij een af/bij-kolom de waarden die 'af' betekenen."))
    if not 0 <= mapping.skip_lines <= 20:
        raise ValidationFailed(message("Hoogstens 20 regels overslaan."))
    if len(mapping.currency) != 3 or not mapping.currency.isalpha():
        raise ValidationFailed(
            message("Ongeldige valuta %(currency)s."), currency=mapping.currency[:8]
        )
    return mapping
