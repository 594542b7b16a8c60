"""Reading statement files of several banks and formats into plain statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.bank.csvfile import parse_amount
from ledger.bank.details import split_details
from ledger.bank.formats import MAX_BYTES, parse_statement_file
from ledger.bank.statement import StatementRefused
from tests.bank.conftest import statement_file


def parsed(name: str):
    return parse_statement_file(statement_file(name))


def test_an_ing_camt_statement_gives_its_booked_entries_and_balances():
    result = parsed("ing.camt053.xml")

    (statement,) = result.statements
    assert result.format == "camt.053"
    assert statement.iban == "NL20INGB0001234567"
    assert statement.opening.amount == Decimal("2500.00")
    assert statement.closing.amount == Decimal("2367.45")
    assert [line.amount for line in statement.lines] == [
        Decimal("35.00"),
        Decimal("-120.00"),
        Decimal("-47.55"),
    ]
    first = statement.lines[0]
    assert (first.counterparty_name, first.counterparty_iban) == ("M. Bakker", "NL02ABNA0123456789")
    assert first.description == "Contributie 2024 lid 117"
    assert first.identity == "ref:IN24040100001"


def test_a_pending_camt_entry_is_left_out_until_the_bank_books_it():
    (statement,) = parsed("ing.camt053.xml").statements

    assert "IN24040200004" not in {line.bank_reference for line in statement.lines}


def test_a_structured_creditor_reference_in_camt_becomes_the_payment_reference():
    (statement,) = parsed("ing.camt053.xml").statements

    assert statement.lines[2].payment_reference == "5000 0000 0000 0412"


def test_a_later_camt_version_with_party_names_and_status_codes_is_read_too():
    (statement,) = parsed("rabobank.camt053.xml").statements

    assert statement.opening.amount == Decimal("-15.20")
    (line,) = statement.lines
    assert line.counterparty_name == "Gemeente Groningen"
    assert line.description == "Subsidie groen in de wijk 2024 beschikking 2024-017"


def test_a_camt_return_carries_its_reason_code_and_a_batch_is_one_line():
    (statement,) = parsed("triodos.camt053.xml").statements

    batch, returned, _cash = statement.lines
    assert batch.amount == Decimal("60.00")
    assert batch.description == "Incasso contributie juni"
    assert (returned.amount, returned.return_reason) == (Decimal("-30.00"), "MD06")


def test_ing_mt940_structured_codes_are_split_into_counterparty_and_references():
    (statement,) = parsed("ing.mt940").statements

    fee, payment, debit = statement.lines
    assert (fee.counterparty_iban, fee.counterparty_name) == (
        "NL44RABO0123456789",
        "Gemeente Utrecht",
    )
    assert fee.end_to_end_id == "20240301-0001"
    assert payment.payment_reference == "1234567890123456"
    assert debit.description == "Factuur maart internet"
    assert statement.opening.date == date(2024, 2, 29)


def test_abn_amro_mt940_with_wrapped_86_lines_and_iban_name_codes_is_read():
    (statement,) = parsed("abnamro.mt940").statements

    printing, gift = statement.lines
    assert statement.iban == "NL91ABNA0417164300"
    assert printing.counterparty_name == "Drukkerij Het Zuiden"
    assert printing.description == "Folders open dag factuur 24-118"
    assert printing.end_to_end_id == ""
    assert gift.counterparty_name == "Stichting Vrienden van de Wijk"
    assert gift.end_to_end_id == "VR-2024-07"


def test_rabobank_mt940_creditor_reference_is_found_in_the_remittance_field():
    (statement,) = parsed("rabobank.mt940").statements

    assert statement.lines[2].payment_reference == "RF18539007547034"
    assert statement.lines[0].counterparty_iban == "NL02ABNA0123456789"


def test_the_dutch_86_codes_split_without_a_library():
    details = split_details(
        "/TRTP/SEPA Incasso algemeen doorlopend/CSID/NL71ZZZ000000000000/NAME/Energie B.V."
        "/MARF/123/REMI/Termijn november/IBAN/NL44RABO0123456789/BIC/RABONL2U/EREF/E-1"
    )

    assert details.name == "Energie B.V."
    assert details.iban == "NL44RABO0123456789"
    assert details.description == "Termijn november"
    assert details.end_to_end_id == "E-1"


def test_unstructured_86_text_is_kept_whole_as_description():
    assert split_details("BEA   NR:ABC123 12.03.24/14.22 Bakkerij\nUtrecht").description == (
        "BEA NR:ABC123 12.03.24/14.22 BakkerijUtrecht"
    )


def test_an_ing_csv_newest_first_is_read_oldest_first_with_balances_from_the_saldo_column():
    (statement,) = parsed("ing.csv").statements

    assert [line.amount for line in statement.lines] == [
        Decimal("-35.00"),
        Decimal("1500.00"),
        Decimal("-23.45"),
    ]
    assert statement.opening.amount == Decimal("500.00")
    assert statement.closing.amount == Decimal("1941.55")


def test_rabobank_csv_lines_that_look_alike_stay_apart_by_their_sequence_number():
    (statement,) = parsed("rabobank.csv").statements

    identities = [line.identity for line in statement.lines]
    assert identities == [
        "ref:000000000000007001",
        "ref:000000000000007002",
        "ref:000000000000007003",
    ]


def test_a_bunq_csv_in_windows_1252_keeps_its_accents():
    (statement,) = parsed("bunq_cp1252.csv").statements

    assert statement.lines[0].counterparty_name == "Café De Kroeg"


def test_two_identical_payments_on_one_day_without_reference_get_different_identities():
    text = statement_file("bunq.csv").decode() + (
        '"2024-11-05";"2024-11-05";"125,00";"NL32BUNQ2012345678";"NL02ABNA0123456789";'
        '"Fonds Wijkinitiatieven";"Bijdrage koffieochtend"\n'
    )
    (statement,) = parse_statement_file(text.encode()).statements

    assert len({line.identity for line in statement.lines}) == 3


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [("1.234,56", True, "1234.56"), ("-0,01", True, "-0.01"), ("1,234.56", False, "1234.56")],
)
def test_bank_amounts_are_read_as_exact_decimals(text, decimal_comma, expected):
    assert parse_amount(text, decimal_comma) == Decimal(expected)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion_laughs.camt053.xml", "geen geldige XML|DTD"),
        ("external_entity.camt053.xml", "DTD"),
        ("truncated.camt053.xml", "geen geldige XML"),
        ("truncated.mt940", ":62F: ontbreekt"),
        ("utf16_no_bom.mt940", "tekencodering"),
        ("binary.mt940", "tekencodering"),
        ("pain008.xml", "geen CAMT.053"),
    ],
)
def test_malformed_and_hostile_files_are_refused_with_a_reason(name, reason):
    with pytest.raises(StatementRefused, match=reason):
        parsed(name)


def test_an_external_entity_is_never_read_into_the_statement():
    with pytest.raises(StatementRefused) as refusal:
        parsed("external_entity.camt053.xml")

    assert "root:" not in str(refusal.value)


def test_a_text_node_beyond_lxmls_limit_is_refused_instead_of_read():
    huge = statement_file("ing.camt053.xml").replace(
        b"<Id>0240401000000001</Id>", b"<Id>" + b"9" * (11 * 1024 * 1024) + b"</Id>", 1
    )

    with pytest.raises(StatementRefused, match="geen geldige XML"):
        parse_statement_file(huge)


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read():
    with pytest.raises(StatementRefused, match="groter dan"):
        parse_statement_file(b" " * (MAX_BYTES + 1))


def test_an_unknown_csv_without_a_mapping_is_refused():
    with pytest.raises(StatementRefused, match="onbekend bestandsformaat"):
        parse_statement_file(b"a,b,c\n1,2,3\n")
