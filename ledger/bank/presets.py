"""Column mappings of the CSV exports of Dutch banks, recognised by their header."""

from __future__ import annotations

from ledger.bank.csvfile import read_rows
from ledger.bank.csvmapping import CsvMapping

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
    split_labels=True,
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

# ABN AMRO's "TXT" export: tab-separated, no header row; the description carries the
# structured /TRTP/, /IBAN/, /NAME/, /REMI/ codes of MT940's :86: field.
ABN_AMRO = CsvMapping(
    bank="ABN AMRO",
    header=(
        "Rekeningnummer",
        "Muntsoort",
        "Transactiedatum",
        "Beginsaldo",
        "Eindsaldo",
        "Rentedatum",
        "Transactiebedrag",
        "Omschrijving",
    ),
    date="Transactiedatum",
    date_format="%Y%m%d",
    amount="Transactiebedrag",
    decimal_comma=True,
    description=("Omschrijving",),
    balance_after="Eindsaldo",
    split_codes=True,
    delimiter="\t",
)

# ASN Bank's CSV export: no header row, amounts with a decimal point, the balance before.
ASN = CsvMapping(
    bank="ASN",
    header=(
        "Boekingsdatum",
        "Opdrachtgeversrekening",
        "Tegenrekeningnummer",
        "Naam tegenrekening",
        "Adres",
        "Postcode",
        "Plaats",
        "Valutasoort rekening",
        "Saldo rekening voor mutatie",
        "Valutasoort mutatie",
        "Transactiebedrag",
        "Journaaldatum",
        "Valutadatum",
        "Interne transactiecode",
        "Globale transactiecode",
        "Volgnummer transactie",
        "Betalingskenmerk",
        "Omschrijving",
        "Afschriftnummer",
    ),
    date="Boekingsdatum",
    date_format="%d-%m-%Y",
    amount="Transactiebedrag",
    counterparty_name="Naam tegenrekening",
    counterparty_iban="Tegenrekeningnummer",
    description=("Omschrijving",),
    account="Opdrachtgeversrekening",
    reference="Volgnummer transactie",
    payment_reference="Betalingskenmerk",
    balance_before="Saldo rekening voor mutatie",
)

# Knab: one "KNAB EXPORT" line above the header; the direction is D or C.
KNAB = CsvMapping(
    bank="Knab",
    skip_lines=1,
    date="Transactiedatum",
    date_format="%d-%m-%Y",
    amount="Bedrag",
    decimal_comma=True,
    direction="CreditDebet",
    debit_values=("D",),
    counterparty_name="Tegenrekeninghouder",
    counterparty_iban="Tegenrekeningnummer",
    description=("Omschrijving",),
    account="Rekeningnummer",
    delimiter=";",
)

PRESETS: dict[str, CsvMapping] = {
    "ing": ING,
    "rabobank": RABOBANK,
    "bunq": BUNQ,
    "abnamro": ABN_AMRO,
    "asn": ASN,
    "knab": KNAB,
}


def recognise(text: str) -> CsvMapping | None:
    """The preset whose columns the file's header has, if any.

    Exports without a header row (ABN AMRO, ASN) cannot be recognised: they are read with
    the mapping saved for the bank account.
    """
    lines = text.split("\n", 3)
    for preset in PRESETS.values():
        if preset.header or len(lines) <= preset.skip_lines:
            continue
        first_line = lines[preset.skip_lines]
        if preset.delimiter not in first_line:
            continue
        header = read_rows(first_line + "\n", preset.delimiter).header
        required = {preset.date, preset.amount, *preset.description, preset.counterparty_name}
        if required <= set(header):
            return preset
    return None
