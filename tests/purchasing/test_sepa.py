"""SEPA direct debit: creditor id, mandates, batches as schema-valid pain.008, settle and return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from ledger.entries import Amount
from purchasing.errors import ValidationFailed
from purchasing.invoices.payments import open_amount
from purchasing.invoices.queries import invoice_state
from purchasing.models import Booking, CollectionStatus, Invoice, SepaBatch, SepaCollection
from purchasing.sepa.batches import create_batch
from purchasing.sepa.creditor import creditor_identifier, is_valid_creditor_id, set_creditor
from purchasing.sepa.mandates import add_mandate, revoke_mandate
from purchasing.sepa.matching import BureauInvoices
from purchasing.sepa.pain008 import SCHEMAS, batch_xml, check_against_schema
from purchasing.sepa.settlement import return_collection, settle_collection
from tests.purchasing import billing
from tests.purchasing.billing import BUREAU_IBAN, MEMBER_IBAN, fee_invoice, make_member

billed_bureau = billing.billed_bureau
member = billing.member

TODAY = date(2026, 3, 12)
COLLECT_ON = date(2026, 4, 10)


@pytest.fixture
def creditor(session: Session, billed_bureau):
    set_creditor(
        session,
        billed_bureau.id,
        creditor_identifier("87654321"),
        "Stichting Servicebureau",
        BUREAU_IBAN,
    )
    session.commit()
    return billed_bureau


@pytest.fixture
def mandate_id(session: Session, member) -> int:
    mandate_id = add_mandate(
        session, member.id, f"SB-{member.id}-1", "Stichting De Linde", MEMBER_IBAN, date(2026, 1, 5)
    )
    session.commit()
    return mandate_id


@pytest.fixture
def invoice_id(session: Session, creditor, member) -> int:
    invoice_id = fee_invoice(creditor.id, member.id, session=session)
    session.commit()
    return invoice_id


def test_the_creditor_id_is_nl_check_digits_zzz_kvk_and_0000_and_its_check_digits_are_verified():
    assert creditor_identifier("87654321") == "NL32ZZZ876543210000"
    assert is_valid_creditor_id("NL32ZZZ876543210000")
    assert is_valid_creditor_id("DE98ZZZ09999999999")  # the Bundesbank's published example
    assert not is_valid_creditor_id("NL33ZZZ876543210000")


def test_a_creditor_id_with_wrong_check_digits_is_refused(session: Session, billed_bureau) -> None:
    with pytest.raises(ValidationFailed):
        set_creditor(session, billed_bureau.id, "NL33ZZZ876543210000", "Bureau", BUREAU_IBAN)


def test_a_mandate_on_an_invalid_iban_is_refused(session: Session, member) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_mandate(session, member.id, "SB-X", "De Linde", "NL02RABO0123456789", date(2026, 1, 5))
    assert refused.value.field == "iban"


def test_a_member_has_one_active_mandate_until_it_is_revoked(
    session: Session, member, mandate_id
) -> None:
    with pytest.raises(ValidationFailed):
        add_mandate(
            session, member.id, f"SB-{member.id}-2", "De Linde", MEMBER_IBAN, date(2026, 2, 1)
        )
    revoke_mandate(session, mandate_id, date(2026, 2, 1))
    assert add_mandate(
        session, member.id, f"SB-{member.id}-2", "De Linde", MEMBER_IBAN, date(2026, 2, 1)
    )


def test_a_batch_within_the_fourteen_day_pre_notification_is_refused(
    session: Session, creditor, mandate_id, invoice_id
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        create_batch(session, creditor.id, date(2026, 3, 25), TODAY)
    assert refused.value.field == "collection_on"


def test_a_batch_takes_due_invoices_of_members_with_a_mandate_first_as_frst_then_rcur(
    session: Session, creditor, member, make_org, mandate_id, invoice_id
) -> None:
    no_mandate = make_member(make_org, session, name="Zonder machtiging")
    fee_invoice(creditor.id, no_mandate.id, session=session)
    batch = session.get_one(SepaBatch, create_batch(session, creditor.id, COLLECT_ON, TODAY))
    assert [(c.invoice_id, c.sequence_type, c.amount) for c in batch.collections] == [
        (invoice_id, "FRST", Decimal("240.00"))
    ]
    assert batch.notified_on == TODAY and batch.total == Decimal("240.00")
    with pytest.raises(ValidationFailed):  # the invoice is in a pending collection already
        create_batch(session, creditor.id, COLLECT_ON, TODAY)
    settle_collection(session, batch.id, COLLECT_ON)
    fee_invoice(creditor.id, member.id, session=session, issued_on=date(2026, 3, 20))
    later = session.get_one(SepaBatch, create_batch(session, creditor.id, date(2026, 6, 1), TODAY))
    assert [c.sequence_type for c in later.collections] == ["RCUR"]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_batch_exports_as_pain_008_that_the_xsd_accepts(
    session: Session, creditor, mandate_id, invoice_id, schema: str
) -> None:
    batch_id = create_batch(session, creditor.id, COLLECT_ON, TODAY)
    xml = batch_xml(session, batch_id, schema)
    document = etree.fromstring(xml)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{schema}"}
    batch = session.get_one(SepaBatch, batch_id)
    assert document.findtext(".//p:GrpHdr/p:MsgId", namespaces=ns) == batch.reference
    assert document.findtext(".//p:PmtInfId", namespaces=ns) == f"{batch.reference}-FRST"
    assert document.findtext(".//p:MndtId", namespaces=ns).startswith("SB-")
    assert document.findtext(".//p:DtOfSgntr", namespaces=ns) == "2026-01-05"
    assert document.findtext(".//p:InstdAmt", namespaces=ns) == "240.00"
    assert document.findtext(".//p:ReqdColltnDt", namespaces=ns) == "2026-04-10"
    assert "NL32ZZZ876543210000" in xml.decode()
    assert batch.exported_at is not None
    broken = xml.replace(b'<InstdAmt Ccy="EUR">240.00', b'<InstdAmt Ccy="EUR">-240.00')
    assert broken != xml
    with pytest.raises(ValidationFailed):
        check_against_schema(broken, schema)


def test_settling_the_batch_pays_the_invoice_once_and_a_return_reopens_it(
    session: Session, creditor, mandate_id, invoice_id
) -> None:
    batch_id = create_batch(session, creditor.id, COLLECT_ON, TODAY)
    assert len(settle_collection(session, batch_id, COLLECT_ON)) == 1
    assert settle_collection(session, batch_id, COLLECT_ON) == []  # a second statement import
    assert invoice_state(session, invoice_id).is_settled
    collection = session.get_one(SepaBatch, batch_id).collections[0]
    return_collection(session, collection.end_to_end_id, "am04", date(2026, 4, 3))
    return_collection(session, collection.end_to_end_id, "AM04", date(2026, 4, 3))
    session.expire_all()
    assert open_amount(session, invoice_id) == Decimal("240.00")
    returned = session.get_one(SepaCollection, collection.id)
    assert returned.status == CollectionStatus.RETURNED and returned.return_reason == "AM04"


def test_a_debit_returned_before_settlement_is_left_out_of_the_settlement(
    session: Session, creditor, mandate_id, invoice_id
) -> None:
    batch_id = create_batch(session, creditor.id, COLLECT_ON, TODAY)
    collection = session.get_one(SepaBatch, batch_id).collections[0]
    return_collection(session, collection.end_to_end_id, "AC04", COLLECT_ON)
    assert settle_collection(session, batch_id, COLLECT_ON) == []
    assert open_amount(session, invoice_id) == Decimal("240.00")


def test_the_bank_matcher_finds_an_invoice_by_rf_reference_and_a_batch_by_its_reference(
    session: Session, creditor, mandate_id, invoice_id
) -> None:
    invoice = session.get_one(Invoice, invoice_id)
    matcher = BureauInvoices(session, creditor.id)
    found = matcher.open_invoice(invoice.payment_reference)
    assert found is not None and found.number == invoice.number
    assert found.open_amount == Amount(Decimal("240.00"), "EUR")
    batch_id = create_batch(session, creditor.id, COLLECT_ON, TODAY)
    reference = session.get_one(SepaBatch, batch_id).reference
    assert matcher.open_invoice(reference) is not None
    matcher.record_payment(reference, Amount(Decimal("240.00"), "EUR"), 999, COLLECT_ON)
    assert invoice_state(session, invoice_id).is_settled
    assert matcher.open_invoice(invoice.payment_reference) is None
    bureau_side = [
        b
        for b in session.query(Booking).filter(Booking.payment_id.is_not(None))
        if b.side == "bureau" and b.organisation_id == creditor.id
    ]
    assert [b.transaction_ids for b in bureau_side] == [[999]]
