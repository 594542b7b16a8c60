"""IBANs printed for people: in groups of four, as banks and invoices print them."""

from __future__ import annotations

from ledger.ibans import printed_iban


def test_an_iban_is_printed_in_groups_of_four_and_one_that_does_not_validate_as_it_is():
    assert printed_iban("NL91ABNA0417164300") == "NL91 ABNA 0417 1643 00"
    assert printed_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    assert printed_iban("NL91ABNA0417164301") == "NL91ABNA0417164301"  # check digits wrong
    assert printed_iban("") == ""
