"""Which format a statement file is in, and reading it into statements."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from ledger.bank.camt import parse_camt
from ledger.bank.csvfile import parse_csv, read_rows
from ledger.bank.csvmapping import CsvMapping
from ledger.bank.mt940 import is_mt940, parse_mt940
from ledger.bank.presets import recognise
from ledger.bank.statement import Progress, Statement, StatementFormat, StatementRefused
from ledger.errors import message

MAX_BYTES = 64 * 1024 * 1024


class UnknownFormat(StatementRefused):
    """Neither CAMT.053 nor MT940, and no CSV mapping fits the header."""


@dataclass(frozen=True, slots=True)
class ParsedFile:
    format: StatementFormat
    statements: tuple[Statement, ...]


def parse_statement_file(
    data: bytes,
    *,
    csv_mapping: CsvMapping | None = None,
    iban: str | None = None,
    on_progress: Progress | None = None,
) -> ParsedFile:
    """Read CAMT.053, MT940 or CSV; refuses what it cannot read whole.

    ``csv_mapping`` is the bank account's saved mapping (a known bank's header is recognised
    without one); ``iban`` is the account a CSV without an account column is for.
    """
    if len(data) > MAX_BYTES:
        raise StatementRefused(
            message("Het bestand is groter dan %(megabytes)s MB."), megabytes=MAX_BYTES // 2**20
        )
    if not data.strip():
        raise StatementRefused(message("Het bestand is leeg."))
    if _looks_like_xml(data):
        return ParsedFile(StatementFormat.CAMT_053, tuple(parse_camt(data, on_progress)))
    text = decode_text(data)
    if is_mt940(text):
        return ParsedFile(StatementFormat.MT940, tuple(parse_mt940(text, on_progress)))
    mapping = csv_mapping or recognise(text)
    if mapping is None:
        raise UnknownFormat(
            message("Onbekend bestandsformaat: lever CAMT.053, MT940 of CSV met een kolomindeling.")
        )
    account = iban or _csv_iban(text, mapping)
    return ParsedFile(StatementFormat.CSV, (parse_csv(text, mapping, account, on_progress),))


def _looks_like_xml(data: bytes) -> bool:
    """The file starts with ``<``, read in its own encoding (a UTF-16 BOM says nothing of XML:
    banks export MT940 and CSV in UTF-16 too)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = data[:400].decode("utf-16", errors="ignore")
        return head.lstrip("\ufeff").lstrip().startswith("<")
    return data[:200].lstrip(codecs.BOM_UTF8).lstrip().startswith(b"<")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 as older exports are."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text or "\ufffd" in text:
        raise StatementRefused(
            message("Het bestand is geen tekst of heeft een onbekende tekencodering.")
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _csv_iban(text: str, mapping: CsvMapping) -> str:
    rows = read_rows(text, mapping.delimiter, mapping.header, mapping.skip_lines).rows
    if not mapping.account or not rows:
        raise StatementRefused(
            message("Het CSV-bestand noemt geen rekening: kies de bankrekening bij het inlezen.")
        )
    return rows[0][mapping.account].replace(" ", "").upper()
