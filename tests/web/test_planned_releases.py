"""A deferral account's page shows what is still to fall free, month by month, and what has.

A fee for next year issued in December is prepaid in the member's books; its account page
lists the twelve releases into the fee expense, in Dutch words and formats, and marks the one
posted since as booked on its day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from lxml import html
from sqlalchemy.orm import Session

from ledger.releases import post_due_releases
from purchasing.invoices import accounts
from purchasing.invoices.documents import NewInvoice, NewLine, issue_invoice
from purchasing.models import InvoicePurpose, LineKind
from tenants.binding import bind_session
from tenants.roles import Role
from tests.purchasing import billing
from tests.purchasing.billing import EXEMPT
from tests.web.test_dutch_formats import mistakes, visible_text
from workers.bookings import book_invoice

billed_bureau = billing.billed_bureau
member = billing.member


@pytest.fixture
def next_year_fee(session: Session, engine: Any, billed_bureau: Any, member: Any) -> int:
    invoice_id = issue_invoice(
        session,
        NewInvoice(
            supplier_id=billed_bureau.id,
            customer_id=member.id,
            purpose=InvoicePurpose.MEMBERSHIP_FEE,
            issued_on=date(2026, 12, 10),
            supply_from=date(2027, 1, 1),
            supply_until=date(2027, 12, 31),
            lines=[
                NewLine(LineKind.FEE, "Contributie 2027", Decimal("1234.56"), vat_exemption=EXEMPT)
            ],
        ),
    )
    session.commit()
    assert book_invoice(engine, invoice_id, today=date(2026, 12, 10)).booked == 2
    return invoice_id


def release_rows(page: str) -> list[list[str]]:
    section = html.fromstring(page).get_element_by_id("releases-title").getparent()
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in section.xpath(".//tbody/tr")
    ]


def test_the_prepaid_account_shows_each_month_still_to_fall_free_and_the_one_posted(
    app: Any, make_user: Any, login_as: Any, engine: Any, member: Any, next_year_fee: int
) -> None:
    with Session(engine) as books:
        bind_session(books, member.tenant)
        assert post_due_releases(books, date(2027, 1, 1)).posted == 1
        books.commit()
    client = app.test_client()
    login_as(client, make_user(org=member, role=Role.OWNER))

    response = client.get(f"/o/{member.slug}/accounts/{accounts.PREPAID_FEES}?from=2027-01-01")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = release_rows(page)
    assert len(rows) == 12
    january, february = rows[0], rows[1]
    assert january[0] == "januari 2027" and february[0] == "februari 2027"
    assert january[1].startswith("€") and "," in january[1]
    assert sum(
        Decimal(r[1].lstrip("€\xa0 ").replace(".", "").replace(",", ".")) for r in rows
    ) == Decimal("1234.56")
    assert january[2] == "Contributies en abonnementen"
    assert "factuur" in january[3]
    assert january[4] == "geboekt op 01-01-2027"
    assert february[4] == "gepland op 01-02-2027"
    assert mistakes(visible_text(page)) == []


def test_an_account_without_releases_has_no_such_section(
    app: Any, make_user: Any, login_as: Any, member: Any, next_year_fee: int
) -> None:
    client = app.test_client()
    login_as(client, make_user(org=member, role=Role.OWNER))

    page = client.get(f"/o/{member.slug}/accounts/{accounts.PAYABLE}").get_data(as_text=True)

    assert "Nog vrij te vallen" not in page and "1.234,56" in page
