"""Billing details are checked field by field before they reach their columns.

Each column of ``billing_details`` is narrow (postcode 16, country 2, VAT number 14, IBAN 34,
e-mail 254 characters): what does not fit, or is not the thing it claims to be, is refused at
its own field, and the bureau's form shows the page again with the reason there (422) instead
of an error page. What passes is kept as invoices print it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed
from purchasing.invoices.parties import Party, party_of, set_billing_details
from purchasing.models import BillingDetails
from tests.purchasing.billing import BUREAU_IBAN, MEMBER_PARTY

LONG_EMAIL = f"{'a' * 60}@{'b' * 60}.{'c' * 60}.{'d' * 60}.example.org"  # 260 characters

# (what is typed, the field the refusal names)
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"postcode": "1234 AB 5678 CD 90"}, "postcode"),  # 18 characters, for a Dutch address
    ({"postcode": "12345"}, "postcode"),  # not a Dutch postcode
    ({"country": "DE", "postcode": "D-12345-BERLIN-MITTE"}, "postcode"),  # 20 characters
    ({"country": "NLD"}, "country"),
    ({"country": "N1"}, "country"),
    ({"vat_number": "NL123456789B0123"}, "vat_number"),  # 16 characters
    ({"vat_number": "NL123456789B01"}, "vat_number"),  # fits, but its check digit is wrong
    ({"vat_number": "XX1234567890123456"}, "vat_number"),  # no country, too long
    ({"iban": f"{BUREAU_IBAN}{'0' * 20}"}, "iban"),  # 38 characters
    ({"iban": "NL91ABNA0417164301"}, "iban"),  # wrong check digits
    ({"email": LONG_EMAIL}, "email"),
    ({"email": "geen adres"}, "email"),
]


@pytest.mark.parametrize(("fields", "field"), REFUSED)
def test_details_that_do_not_fit_or_are_not_valid_are_refused_at_their_field(
    session: Session, make_org, fields: dict[str, Any], field: str
) -> None:
    org = make_org()
    with pytest.raises(ValidationFailed) as refused:
        set_billing_details(session, org.id, replace(MEMBER_PARTY, **fields))
    assert refused.value.field == field
    session.rollback()
    assert session.get(BillingDetails, org.id) is None


def test_what_passes_is_kept_as_the_invoice_prints_it(session: Session, make_org) -> None:
    org = make_org()
    typed = Party(
        name="  Stichting De Linde ",
        address="Lindelaan 4",
        postcode=" 3701aa ",
        city="Zeist",
        country="nl",
        vat_number="nl 8590.00102.b01",
        iban="nl91 abna 0417 1643 00",
        email="Penningmeester@DeLinde.example",
    )
    set_billing_details(session, org.id, typed)
    kept = party_of(session, org.id)
    assert (kept.name, kept.postcode, kept.country) == ("Stichting De Linde", "3701 AA", "NL")
    assert (kept.vat_number, kept.iban) == ("NL859000102B01", BUREAU_IBAN)
    assert kept.email == "Penningmeester@delinde.example"  # the domain in lower case


def test_a_dutch_vat_number_typed_without_its_country_code_gets_it(
    session: Session, make_org
) -> None:
    org = make_org()
    set_billing_details(session, org.id, replace(MEMBER_PARTY, vat_number="859000102B01"))
    assert party_of(session, org.id).vat_number == "NL859000102B01"


def test_a_foreign_address_keeps_its_own_postcode_and_a_vat_number_outside_the_eu(
    session: Session, make_org
) -> None:
    org = make_org()
    foreign = replace(MEMBER_PARTY, country="no", postcode="0150", vat_number="NO 123456789 MVA")
    set_billing_details(session, org.id, foreign)
    kept = party_of(session, org.id)
    assert (kept.country, kept.postcode, kept.vat_number) == ("NO", "0150", "NO123456789MVA")


def test_empty_optional_fields_stay_allowed(session: Session, make_org) -> None:
    org = make_org()
    bare = Party(name="Buurtinitiatief", postcode=" ", country="", vat_number="", iban="", email="")
    set_billing_details(session, org.id, bare)
    kept = party_of(session, org.id)
    assert (kept.postcode, kept.country) == ("", "NL")
    assert (kept.vat_number, kept.iban, kept.email) == (None, None, None)


# The bureau's form: a refusal is shown at its field, with what was typed, and nothing is kept.


@pytest.fixture
def staff(client, make_user, login_as):
    login_as(client, make_user(is_bureau_admin=True))
    return client


FORM = {
    "name": "Stichting De Linde",
    "address": "Lindelaan 4",
    "postcode": "3701 AA",
    "city": "Zeist",
    "country": "NL",
    "kvk_number": "",
    "vat_number": "",
    "iban": "",
    "email": "",
    "payment_days": "14",
}

# (field, what is typed, a word of the reason shown)
REFUSED_ON_THE_FORM = [
    ("postcode", "1234 AB 5678 CD 90", "postcode"),
    ("country", "NLD", "landcode"),
    ("vat_number", "NL123456789B0123", "btw-nummer"),
    ("iban", f"{BUREAU_IBAN}{'0' * 20}", "IBAN"),
    ("email", LONG_EMAIL, "e-mailadres"),
]


@pytest.mark.parametrize(("field", "typed", "reason"), REFUSED_ON_THE_FORM)
def test_the_form_shows_a_refused_detail_at_its_field_and_keeps_nothing(
    session: Session, staff, make_org, field: str, typed: str, reason: str
) -> None:
    org = make_org(name="Stichting De Linde")
    session.commit()
    response = staff.post(f"/bureau/billing/{org.id}", data={**FORM, field: typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'data-testid="error-{field}">', 1)[1].split("</p>", 1)[0]
    assert reason in error
    assert f'aria-describedby="{field}-error"' in page
    assert 'value="Lindelaan 4"' in page  # what was typed is kept
    session.commit()
    assert session.get(BillingDetails, org.id) is None


def test_the_form_keeps_details_that_pass_in_their_printed_form(
    session: Session, staff, make_org
) -> None:
    org = make_org(name="Stichting De Linde")
    session.commit()
    typed = {
        **FORM,
        "postcode": "3701aa",
        "vat_number": "nl859000102b01",
        "iban": "NL91 ABNA 0417 1643 00",
    }
    response = staff.post(f"/bureau/billing/{org.id}", data=typed)
    assert response.status_code == 302
    session.commit()
    row = session.get_one(BillingDetails, org.id)
    assert (row.postcode, row.vat_number, row.iban) == ("3701 AA", "NL859000102B01", BUREAU_IBAN)
    form = staff.get(f"/bureau/billing/{org.id}").get_data(as_text=True)
    assert 'value="NL91 ABNA 0417 1643 00"' in form  # shown again as people read it
