"""Column mappings of the CSV exports of Dutch banks, recognised by their header."""

from __future__ import annotations

from ledger.bank.csvfile import CsvMapping, read_rows

ING = CsvMapping(
    bank="ING",
    date="Datum",
    date_format="%Y%m%d",
    amount="Bedrag (EUR)",
    decimal_comma=True,
    direction="Af Bij",
    debit_values=("Af",),
    counterparty_name="Naam / Omschrijving",
    counterparty_iban="Tegenrekening",
    description=("Mededelingen",),
    account="Rekening",
    balance_after="Saldo na mutatie",
    delimiter=";",
)

RABOBANK = CsvMapping(
    bank="Rabobank",
    date="Datum",
    amount="Bedrag",
    decimal_comma=True,
    counterparty_name="Naam tegenpartij",
    counterparty_iban="Tegenrekening IBAN/BBAN",
    description=("Omschrijving-1", "Omschrijving-2", "Omschrijving-3"),
    account="IBAN/BBAN",
    reference="Volgnr",
    balance_after="Saldo na trn",
)

BUNQ = CsvMapping(
    bank="bunq",
    date="Date",
    amount="Amount",
    decimal_comma=True,
    counterparty_name="Name",
    counterparty_iban="Counterparty",
    description=("Description",),
    account="Account",
    delimiter=";",
)

PRESETS: dict[str, CsvMapping] = {"ing": ING, "rabobank": RABOBANK, "bunq": BUNQ}


def recognise(text: str) -> CsvMapping | None:
    """The preset whose columns the file's header has, if any."""
    first_line = text.split("\n", 1)[0]
    for preset in PRESETS.values():
        if preset.delimiter not in first_line:
            continue
        header = read_rows(first_line + "\n", preset.delimiter).header
        required = {preset.date, preset.amount, *preset.description, preset.counterparty_name}
        if required <= set(header):
            return preset
    return None
