"""A batch as a pain.008 file (``sepaxml``), checked against the ISO 20022 schema before use.

Both versions Dutch banks accept are offered: pain.008.001.02 (needs BICs) and .001.08. The
message and payment-information ids are the batch's own reference, so exporting the same
batch twice gives the same ids and the bank refuses a duplicate upload.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.resources import files

from lxml import etree
from sepaxml import SepaDD
from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed, message
from purchasing.models import Invoice, SepaMandate
from purchasing.money import cents_of
from purchasing.sepa.batches import get_batch
from purchasing.sepa.creditor import creditor_of

SCHEMAS = ("pain.008.001.02", "pain.008.001.08")
DEFAULT_SCHEMA = "pain.008.001.02"


def batch_xml(session: Session, batch_id: int, schema: str = DEFAULT_SCHEMA) -> bytes:
    """The batch's pain.008 document, schema-valid; marks the batch exported."""
    if schema not in SCHEMAS:
        raise ValidationFailed(message("Onbekende pain.008-versie."), field="schema")
    batch = get_batch(session, batch_id)
    creditor = creditor_of(session, batch.creditor_id)
    config = {
        "name": creditor.name,
        "IBAN": creditor.iban,
        "creditor_id": creditor.creditor_id,
        "currency": "EUR",
        "batch": True,
    }
    if creditor.bic:
        config["BIC"] = creditor.bic
    document = SepaDD(config, schema=schema, clean=True)
    for collection in batch.collections:
        mandate = session.get_one(SepaMandate, collection.mandate_id)
        invoice = session.get_one(Invoice, collection.invoice_id)
        payment = {
            "name": mandate.debtor_name,
            "IBAN": mandate.iban,
            "amount": cents_of(collection.amount),
            "type": collection.sequence_type,
            "collection_date": batch.collection_on,
            "mandate_id": mandate.reference,
            "mandate_date": mandate.signed_on,
            "description": f"Factuur {invoice.number} {invoice.payment_reference}",
            "endtoend_id": collection.end_to_end_id,
        }
        if mandate.bic:
            payment["BIC"] = mandate.bic
        document.add_payment(payment)
    xml = _with_fixed_ids(document.export(validate=False), batch.reference)
    check_against_schema(xml, schema)
    batch.exported_at = batch.exported_at or datetime.now(UTC)
    session.flush()
    return xml


def check_against_schema(xml: bytes, schema: str) -> None:
    """Validate with lxml against the XSD shipped inside ``sepaxml`` (no network)."""
    document = etree.fromstring(xml)
    validator = _schema(schema)
    if not validator.validate(document):
        raise ValidationFailed(
            message("Het incassobestand voldoet niet aan het schema: %(error)s."),
            error=str(validator.error_log)[:500],
        )


@cache
def _schema(name: str) -> etree.XMLSchema:
    source = files("sepaxml").joinpath("schemas", f"{name}.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(source))


def _with_fixed_ids(xml: bytes, reference: str) -> bytes:
    """Replace sepaxml's random message and payment-information ids by the batch's own."""
    document = etree.fromstring(xml)
    namespace = document.nsmap[None]
    message_id = document.find(f".//{{{namespace}}}GrpHdr/{{{namespace}}}MsgId")
    assert message_id is not None
    message_id.text = reference
    for info in document.iter(f"{{{namespace}}}PmtInf"):
        sequence = info.findtext(f".//{{{namespace}}}SeqTp")
        identifier = info.find(f"{{{namespace}}}PmtInfId")
        assert identifier is not None
        identifier.text = f"{reference}-{sequence}"
    return bytes(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))
