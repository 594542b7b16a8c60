"""Reading statement files of several banks and formats into plain statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.bank.csvfile import parse_amount
from ledger.bank.details import split_details, split_ing_labels
from ledger.bank.formats import MAX_BYTES, parse_statement_file
from ledger.bank.presets import PRESETS
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
    assert [line.amount for line in statement.lines if not line.is_pending] == [
        Decimal("35.00"),
        Decimal("-120.00"),
        Decimal("-47.55"),
    ]
    first = statement.lines[0]
    assert (first.counterparty_name, first.counterparty_iban) == ("M. Bakker", "NL02ABNA0123456789")
    assert first.description == "Contributie 2024 lid 117"
    assert first.identity == "ref:IN24040100001"


def test_a_pending_camt_entry_is_kept_apart_as_pending():
    (statement,) = parsed("ing.camt053.xml").statements

    pending = [line for line in statement.lines if line.is_pending]
    assert [(line.bank_reference, line.amount) for line in pending] == [
        ("IN24040200004", Decimal("-99.99"))
    ]
    assert pending[0].identity == "pending:ref:IN24040200004"


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
        "BEA NR:ABC123 12.03.24/14.22 Bakkerij Utrecht"
    )


def test_a_full_86_line_wrapped_mid_word_is_joined_without_a_space():
    first = "/TRTP/SEPA BETALING/IBAN/NL44RABO0123456789/BIC/RABONL2U/NAME/Bak"
    assert len(first) == 65

    details = split_details(f"{first}\nkerij Utrecht/REMI/Brood voor de\nvrijwilligers/EREF/X1")

    assert details.name == "Bakkerij Utrecht"
    assert details.iban == "NL44RABO0123456789"
    assert details.description == "Brood voor de vrijwilligers"
    assert details.end_to_end_id == "X1"


def test_an_iban_wrapped_at_the_65th_character_stays_whole():
    first = "/TRTP/SEPA OVERBOEKING/BIC/RABONL2U/NAME/Wijkraad Oost/IBAN/NL44R"
    assert len(first) == 65

    details = split_details(f"{first}\nABO0123456789/REMI/Contributie")

    assert details.iban == "NL44RABO0123456789"
    assert details.name == "Wijkraad Oost"


def test_an_ing_csv_newest_first_is_read_oldest_first_with_balances_from_the_saldo_column():
    (statement,) = parsed("ing.csv").statements

    assert [line.amount for line in statement.lines] == [
        Decimal("-35.00"),
        Decimal("1500.00"),
        Decimal("-23.45"),
    ]
    assert statement.opening.amount == Decimal("500.00")
    assert statement.closing.amount == Decimal("1941.55")


def test_an_ing_csv_gives_the_omschrijving_as_description_and_keeps_a_card_payment_whole():
    """ING's "Mededelingen" holds labelled parts; the line's description was all of them."""
    (statement,) = parsed("ing.csv").statements

    described = [(line.description, line.counterparty_name) for line in statement.lines]
    assert described == [
        ("premie AVB september", "Verzekeraar Collectief NV"),
        ("Subsidie buurtfeest", "Gemeente Amsterdam"),
        ("Pasvolgnr: 001 03-09-2024 14:22 Transactie: 1A2B3C Term: AB12", "Albert Heijn 1234"),
    ]


def test_ing_labels_give_description_counterparty_and_payment_reference():
    text = (
        "Naam: Woonstichting Oost Omschrijving: Huur zaal: oktober IBAN: NL44RABO0123456789 "
        "Kenmerk: 2024-0815 Machtiging ID: M-17 Incassant ID: NL12ZZZ123456780000 "
        "Doorlopende incasso Valutadatum: 01-10-2024"
    )

    details = split_ing_labels(text)

    assert details is not None
    assert details.description == "Huur zaal: oktober"  # the payer's own colon splits nothing
    assert (details.name, details.iban) == ("Woonstichting Oost", "NL44RABO0123456789")
    assert details.payment_reference == "2024-0815"
    assert split_ing_labels("Pasvolgnr: 001 03-09-2024 14:22 Transactie: 1A2B3C") is None
    assert split_ing_labels("Terugstorting zonder kenmerken") is None


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
    with pytest.raises(StatementRefused, match="Onbekend bestandsformaat"):
        parse_statement_file(b"a,b,c\n1,2,3\n")


@pytest.mark.parametrize(
    ("name", "same_as", "format_name"),
    [
        ("utf16_bom.mt940", "ing.mt940", "mt940"),
        ("utf16_bom.csv", "ing.csv", "csv"),
        ("utf16_bom.camt053.xml", "rabobank.camt053.xml", "camt.053"),
    ],
)
def test_a_utf16_file_with_a_bom_is_read_in_its_own_format(name, same_as, format_name):
    utf16, utf8 = parsed(name), parsed(same_as)

    assert utf16.format == format_name
    assert utf16.statements == utf8.statements


def test_an_abn_amro_camt_statement_gives_its_creditor_reference_and_balances():
    (statement,) = parsed("abnamro.camt053.xml").statements

    paid, printing = statement.lines
    assert statement.iban == "NL91ABNA0417164300"
    assert (statement.opening.amount, statement.closing.amount) == (
        Decimal("1200.00"),
        Decimal("1369.45"),
    )
    assert paid.payment_reference == "RF18539007547034"
    assert printing.counterparty_name == "Drukkerij Het Zuiden"
    assert printing.end_to_end_id == "DRUK-24-118"


def test_an_asn_camt_statement_with_a_previous_day_opening_balance_is_read():
    (statement,) = parsed("asn.camt053.xml").statements

    (debit,) = statement.lines
    assert statement.opening.amount == Decimal("1000.00")
    assert (debit.amount, debit.end_to_end_id) == (Decimal("-47.50"), "ENERGIE-1224")
    assert debit.description == "Termijn december"


def test_a_bunq_camt_card_payment_without_details_keeps_its_entry_text():
    (statement,) = parsed("bunq.camt053.xml").statements

    (card,) = statement.lines
    assert card.description == "Betaalpas Bakkerij Utrecht"
    assert card.identity == "ref:BUNQ-88120"


def test_a_knab_camt_version_08_statement_reads_party_names_and_a_refund_reason():
    (statement,) = parsed("knab.camt053.xml").statements

    debit, refund = statement.lines
    assert debit.counterparty_name == "Stichting Servicebureau"
    assert (refund.return_reason, refund.end_to_end_id) == ("MD06", "SB-INC-0041")
    assert statement.closing.amount == Decimal("455.00")


@pytest.mark.parametrize(
    ("name", "preset", "iban", "amounts", "closing"),
    [
        ("abnamro.tab", "abnamro", "NL91ABNA0417164300", ["-49.95", "250.00"], "700.05"),
        ("asn.csv", "asn", "NL66ASNB0707070707", ["15.00", "-240.00"], "775.00"),
        ("knab.csv", "knab", "NL82KNAB0255551234", ["120.00", "-1250.00"], None),
    ],
)
def test_abn_amro_asn_and_knab_csv_exports_are_read_with_their_presets(
    name, preset, iban, amounts, closing
):
    (statement,) = parse_statement_file(
        statement_file(name), csv_mapping=PRESETS[preset], iban=iban
    ).statements

    assert [str(line.amount) for line in statement.lines] == amounts
    assert (str(statement.closing.amount) if statement.closing else None) == closing


def test_abn_amro_csv_descriptions_are_split_into_counterparty_and_remittance():
    (statement,) = parse_statement_file(
        statement_file("abnamro.tab"), csv_mapping=PRESETS["abnamro"], iban="NL91ABNA0417164300"
    ).statements

    printing, gift = statement.lines
    assert (printing.counterparty_name, printing.counterparty_iban) == (
        "Drukkerij Het Zuiden",
        "NL44RABO0123456789",
    )
    assert printing.description == "Folders open dag"
    assert gift.end_to_end_id == "VR-2024-07"
    assert statement.opening.amount == Decimal("500.00")


def test_a_knab_csv_is_recognised_by_the_header_below_its_preamble():
    parsed_file = parse_statement_file(statement_file("knab.csv"))

    assert parsed_file.statements[0].iban == "NL82KNAB0255551234"
    assert parsed_file.statements[0].lines[1].counterparty_name == "Stichting Buurthuis De Linde"


def test_an_asn_csv_gives_its_payment_reference_for_invoice_matching():
    (statement,) = parse_statement_file(
        statement_file("asn.csv"), csv_mapping=PRESETS["asn"], iban="NL66ASNB0707070707"
    ).statements

    assert statement.lines[1].payment_reference == "RF18539007547034"
    assert statement.opening.amount == Decimal("1000.00")


def test_de_volksbank_mt940_takes_the_counterparty_from_the_61_reference_and_the_line_below():
    result = parsed("asn.mt940")

    assert [len(s.lines) for s in result.statements] == [1, 0, 2]
    contribution = result.statements[2].lines[0]
    assert (contribution.counterparty_iban, contribution.counterparty_name) == (
        "NL91ABNA0417164300",
        "stichting servicebureau",
    )
    assert contribution.description == (
        "RF18539007547034 Contributie 2026 lidnummer 88 vereniging Wijkvereniging Oost"
    )
    assert contribution.payment_reference == "RF18539007547034"
    costs = result.statements[2].lines[1]
    assert (costs.counterparty_iban, costs.description) == (
        "",
        "Kosten gebruik betaalrekening inclusief 1 betaalpas",
    )


@pytest.mark.parametrize("name", ["sns.mt940", "regiobank.mt940"])
def test_sns_and_regiobank_write_the_same_mt940_as_asn(name):
    (statement,) = parsed(name).statements

    assert all(line.counterparty_iban and line.counterparty_name for line in statement.lines)
    assert not any(line.counterparty_iban in line.description for line in statement.lines)


def test_rabobanks_older_mt940_gives_the_counterparty_iban_below_the_61_line():
    text = (
        ":940:\n:20:940S130101\n:25:NL38RABO0300000001\n:28C:0\n:60F:C130101EUR1000,00\n"
        ":61:130102D000000000025,00N102EREF            \nNL02ABNA0123456789\n"
        ":86:/EREF/02-01-2013 12:00 0030000987654321/BENM//NAME/Drukkerij Oost/REMI/Flyers\n"
        ":62F:C130102EUR975,00\n"
    )

    (statement,) = parse_statement_file(text.encode()).statements

    (line,) = statement.lines
    assert (line.counterparty_iban, line.counterparty_name) == (
        "NL02ABNA0123456789",
        "Drukkerij Oost",
    )
