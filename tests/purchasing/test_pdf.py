"""The invoice PDF: every field Dutch law asks for is on it, as text a reader can extract."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.orm import Session

from purchasing.documents.formatting import euro, percent
from purchasing.documents.pdf import invoice_pdf, pdf_filename
from purchasing.invoices.documents import NewLine, credit_invoice
from purchasing.models import Invoice, LineKind
from tests.purchasing import billing
from tests.purchasing.billing import EXEMPT, fee_invoice, premium_invoice

billed_bureau = billing.billed_bureau
member = billing.member


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_amounts_print_the_dutch_way_with_thousands_dots_and_decimal_comma() -> None:
    assert euro(Decimal("1234.5")) == "€ 1.234,50"
    assert euro(Decimal("-65.10")) == "€ -65,10"
    assert percent(Decimal("21.00")) == "21%" and percent(Decimal("5.50")) == "5,5%"


def test_a_fee_invoice_pdf_shows_number_dates_both_parties_lines_exemption_and_payment_terms(
    session: Session, billed_bureau, member
) -> None:
    invoice = session.get_one(
        Invoice, fee_invoice(billed_bureau.id, member.id, "1240.00", session=session)
    )
    pdf = invoice_pdf(session, invoice.id)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in (
        "Factuur",
        invoice.number,
        "10-03-2026",  # invoice date
        "01-01-2026 t/m 31-12-2026",  # supply period
        "09-04-2026",  # due: 30 days
        "Stichting Servicebureau",
        "Marktstraat 1",
        "1234 AB Utrecht",
        "KvK-nummer: 87654321",
        "Btw-nummer: NL000099998B57",
        "Stichting De Linde",
        "Lindelaan 4",
        "3701 AA Zeist",
        "Contributie 2026",
        "€ 1.240,00",
        EXEMPT,
        invoice.payment_reference,
        "NL91 ABNA 0417 1643 00",  # printed in groups of four
    ):
        assert expected in text, expected


def test_a_premium_invoice_shows_premium_tax_on_its_own_and_not_as_vat(
    session: Session, billed_bureau, member
) -> None:
    invoice_id = premium_invoice(session, billed_bureau.id, member.id)
    text = text_of(invoice_pdf(session, invoice_id))
    assert "Assurantiebelasting 21% (geen btw) € 65,10" in text
    assert "Subtotaal vrijgesteld van btw € 310,00" in text
    assert "Totaal € 375,10" in text
    assert "Btw 21%" not in text


def test_a_taxed_line_shows_its_rate_base_and_vat(session: Session, billed_bureau, member) -> None:
    taxed = NewLine(LineKind.FEE, "Advies", Decimal("100.00"), vat_percent=Decimal("21"))
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session, lines=[taxed])
    text = text_of(invoice_pdf(session, invoice_id))
    assert "Subtotaal 21% btw € 100,00" in text
    assert "Btw 21% € 21,00" in text
    assert "Totaal € 121,00" in text


def test_a_credit_note_pdf_names_the_invoice_it_credits(
    session: Session, billed_bureau, member
) -> None:
    original = session.get_one(Invoice, fee_invoice(billed_bureau.id, member.id, session=session))
    note = session.get_one(
        Invoice, credit_invoice(session, original.id, date(2026, 4, 1), "Opgezegd")
    )
    text = text_of(invoice_pdf(session, note.id))
    assert "Creditnota" in text and note.number in text
    assert f"Creditnota op factuur {original.number} van 10-03-2026" in text
    assert "€ -240,00" in text and "Opgezegd" in text
    assert pdf_filename(note) == f"creditnota-{note.number}.pdf"


def test_the_first_page_renders_to_an_image(
    session: Session, billed_bureau, member, tmp_path: Path
) -> None:
    invoice_id = premium_invoice(session, billed_bureau.id, member.id)
    source = tmp_path / "invoice.pdf"
    source.write_bytes(invoice_pdf(session, invoice_id))
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None, "poppler-utils is needed to look at the rendered page"
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", source, tmp_path / "page"], check=True
    )
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 5000
