"""The words of the e-mails about invoices (Dutch: the bureau and its members are Dutch)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.ibans import printed_iban
from purchasing.documents.formatting import day, euro
from purchasing.models import Invoice, InvoiceKind, SepaBatch, SepaCollection, SepaMandate


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def invoice_text(invoice: Invoice) -> MailText:
    supplier = invoice.supplier["name"]
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return MailText(
            f"Creditnota {invoice.number} van {supplier}",
            f"Beste {invoice.customer['name']},\n\nBijgaand vindt u creditnota {invoice.number} "
            f"van {euro(invoice.total)}.\n\nMet vriendelijke groet,\n{supplier}\n",
        )
    return MailText(
        f"Factuur {invoice.number} van {supplier}",
        f"Beste {invoice.customer['name']},\n\nBijgaand vindt u factuur {invoice.number} van "
        f"{euro(invoice.total)}. Wij verzoeken u het bedrag uiterlijk {day(invoice.due_on)} "
        f"over te maken onder vermelding van betalingskenmerk {invoice.payment_reference}"
        f"{_iban(invoice)}.\n\nMet vriendelijke groet,\n{supplier}\n",
    )


REMINDER_SUBJECTS = {
    1: "Herinnering: factuur {number}",
    2: "Tweede herinnering: factuur {number}",
    3: "Aanmaning: factuur {number}",
}


def reminder_text(invoice: Invoice, level: int, open_amount: Decimal) -> MailText:
    supplier = invoice.supplier["name"]
    closing = (
        "Betaalt u niet binnen 14 dagen, dan kunnen wij incassokosten in rekening brengen."
        if level >= 3
        else "Heeft u inmiddels betaald? Dan kunt u deze herinnering als niet verzonden beschouwen."
    )
    return MailText(
        REMINDER_SUBJECTS[level].format(number=invoice.number),
        f"Beste {invoice.customer['name']},\n\nVolgens onze administratie staat van factuur "
        f"{invoice.number} van {day(invoice.issued_on)} nog {euro(open_amount)} open; de "
        f"vervaldatum was {day(invoice.due_on)}. Wilt u dit bedrag overmaken onder vermelding "
        f"van betalingskenmerk {invoice.payment_reference}{_iban(invoice)}?\n\n{closing}\n\n"
        f"Met vriendelijke groet,\n{supplier}\n",
    )


def prenotification_text(
    invoice: Invoice,
    collection: SepaCollection,
    batch: SepaBatch,
    mandate: SepaMandate,
    creditor_id: str,
) -> MailText:
    supplier = invoice.supplier["name"]
    return MailText(
        f"Aankondiging incasso factuur {invoice.number}",
        f"Beste {invoice.customer['name']},\n\nOp of rond {day(batch.collection_on)} schrijven wij "
        f"{euro(collection.amount)} af van rekening {printed_iban(mandate.iban)} "
        f"voor factuur {invoice.number}.\n"
        f"Machtigingskenmerk: {mandate.reference}\nIncassant-ID: {creditor_id}\n\n"
        f"Met vriendelijke groet,\n{supplier}\n",
    )


def _iban(invoice: Invoice) -> str:
    iban = invoice.supplier.get("iban")
    return f" op {printed_iban(iban)}" if iban else ""
