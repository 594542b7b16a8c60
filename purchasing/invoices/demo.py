"""Billing details of the demo organisations, so the demo bureau can issue its invoices."""

from __future__ import annotations

from sqlalchemy.orm import Session

from purchasing.invoices.parties import Party, set_billing_details
from purchasing.models import BillingDetails
from tenants.queries import organisation_by_slug

# By the slugs of ``tenants.demo.ORGANISATIONS``; made-up addresses and example numbers.
DEMO_BILLING = {
    "buurtbureau": Party(
        name="Servicebureau Buurtkracht U.A.",
        address="Wijkplein 1",
        postcode="1091 AB",
        city="Amsterdam",
        kvk_number="90000001",
        vat_number="NL859000102B01",
        iban="NL91ABNA0417164300",
        email="facturen@buurtkracht.example",
    ),
    "groene-schakel": Party(
        name="Stichting De Groene Schakel",
        address="Linnaeusstraat 12",
        postcode="1092 CK",
        city="Amsterdam",
        kvk_number="90000002",
        email="penningmeester@example.org",
    ),
    "speeltuin-klimboom": Party(
        name="Speeltuinvereniging De Klimboom",
        address="Speeltuinpad 3",
        postcode="1093 BN",
        city="Amsterdam",
        kvk_number="90000003",
        email="klimboom@example.org",
    ),
    "bewoners-oosterpark": Party(
        name="Bewonersinitiatief Oosterpark",
        address="Oosterpark 40",
        postcode="1091 AC",
        city="Amsterdam",
        email="oosterpark@example.org",
    ),
}


def fill_demo_billing(session: Session) -> int:
    """Give each demo organisation without billing details the demo's; returns how many.

    Details someone already entered (or changed) are left as they are. Commits per
    organisation, as ``set_billing_details`` does.
    """
    filled = 0
    for slug, party in DEMO_BILLING.items():
        organisation = organisation_by_slug(session, slug)
        if organisation is None or session.get(BillingDetails, organisation.id) is not None:
            continue
        set_billing_details(session, organisation.id, party, payment_days=14)
        filled += 1
    return filled
