"""The dashboard: money at hand, this year against last, and what needs attention."""

from __future__ import annotations

import re
from datetime import timedelta

from markupsafe import escape
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.rules import RuleSpec, add_rule
from ledger.clock import today
from ledger.fiscal_year import fiscal_year_of
from ledger.validation import validate_book
from purchasing.models import Invoice
from tenants.binding import bind_session
from tenants.roles import Role
from tests.balance_checks import write_balance_check
from tests.bank.builders import camt_statement
from tests.purchasing import billing
from tests.purchasing.billing import fee_invoice

billed_bureau = billing.billed_bureau
member = billing.member
ING = "NL20INGB0001234567"


def _expense(client, slug, day, amount, category="Expenses:Office:Supplies"):
    response = client.post(
        f"/o/{slug}/entry/expense",
        data={
            "date": day.isoformat(),
            "amount": amount,
            "money_account": "Assets:Bank:Checking",
            "category": category,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]


def _income(client, slug, day, amount):
    response = client.post(
        f"/o/{slug}/entry/income",
        data={
            "date": day.isoformat(),
            "amount": amount,
            "money_account": "Assets:Bank:Checking",
            "category": "Income:Subsidies:Municipal",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]


def open_books_two_years_earlier(engine, org):
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f'UPDATE "{org.schema_name}".accounts SET opened_on = opened_on - 730'
        )


def test_the_dashboard_shows_balances_and_this_year_against_last(
    app, engine, make_org, make_user, login_as
):
    org = make_org()
    open_books_two_years_earlier(engine, org)
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    start, _end = fiscal_year_of(today(), 1)
    last_year = start - timedelta(days=40)
    _income(client, org.slug, start, "1.000,00")
    _expense(client, org.slug, start, "250,00")
    _expense(client, org.slug, last_year, "99,95")
    page = client.get(f"/o/{org.slug}/").get_data(as_text=True).replace("\xa0", " ")
    liquid = page.split('data-testid="liquid"')[1].split("</section>")[0]
    assert "€ 650,05" in liquid
    year = page.split('data-testid="year-table"')[1].split("</table>")[0]
    assert re.search(
        r"Inkomsten</th><td class=\"amount\">€ 1\.000,00</td><td class=\"amount\">€ 0,00", year
    )
    assert re.search(
        r"Uitgaven</th><td class=\"amount\">€ 250,00</td><td class=\"amount\">€ 99,95", year
    )
    recent = page.split('data-testid="recent"')[1].split("</section>")[0]
    assert len(re.findall(rf'href="/o/{org.slug}/transactions/\d+"', recent)) == 3
    assert "€ 1.000,00" in recent
    chart = page.split('data-testid="monthly-chart"')[1].split("</svg>")[0]
    assert chart.count('<rect class="bar income"') == 12
    assert chart.count('<rect class="bar expenses"') == 12
    assert "<title>jan: € 1.000,00</title>" in chart  # the month as the axis names it
    assert re.findall(r'text-anchor="middle">(\w+)</text>', chart) == [
        "jan",
        "feb",
        "mrt",
        "apr",
        "mei",
        "jun",
        "jul",
        "aug",
        "sep",
        "okt",
        "nov",
        "dec",
    ]


def test_the_dashboard_lists_waiting_bank_lines_and_findings_or_says_all_is_well(
    app, make_org, make_user, login_as
):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.VIEWER))
    page = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    attention = page.split('data-testid="attention"')[1].split("</section>")[0]
    assert "alles is bijgewerkt" in attention
    assert 'data-testid="quick-expense"' not in page


def test_the_dashboard_reads_in_english_when_chosen(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER, locale="en"))
    page = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    assert 'lang="en"' in page


def test_an_english_reader_reads_the_english_labels_of_the_accounts(
    app, engine, make_org, make_user, login_as
):
    """Pages whose rows name an account (the reconciliation, the bank rules) show its English
    label to an English reader; they showed the Dutch one next to a tile in English."""
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        add_bank_account(books, ING, None)  # on Assets:Bank:Checking
        add_rule(books, RuleSpec("Expenses:Housing:Rent", counterparty_name="Woonstichting"), None)
        books.commit()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER, locale="en"))
    page = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    row = page.split(f'data-testid="reconciliation-{ING}"')[1].split("</tr>")[0]
    assert "Current account" in row and "Rekening-courant" not in row
    rules = client.get(f"/o/{org.slug}/bank/rules").get_data(as_text=True)
    table = rules.split('data-testid="rules"')[1].split("</table>")[0]
    assert ">Rent</td>" in table and "Huur" not in table


def test_a_bank_account_without_a_balance_from_the_bank_is_not_called_reconciled(
    app, engine, make_org, make_user, login_as
):
    """It read "afgestemd" before any statement, with nothing checked against the books."""
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        add_bank_account(books, ING, None)
        books.commit()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))

    for url in (f"/o/{org.slug}/", f"/o/{org.slug}/bank"):
        page = client.get(url).get_data(as_text=True)
        row = page.split(f'data-testid="reconciliation-{ING}"')[1].split("</tr>")[0]
        assert "nog geen banksaldo om mee te vergelijken" in row and "afgestemd" not in row
        assert 'data-testid="difference-hint"' not in page  # no difference, no advice


def test_a_difference_with_the_bank_needs_attention_though_no_line_waits(
    app, engine, make_org, make_user, login_as
):
    """A statement whose balance the books do not have (here its opening balance, never
    booked): the reconciliation showed the difference while the summary above it read
    "Niets: alles is bijgewerkt"."""
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        add_bank_account(books, ING, None)
        import_statement(books, camt_statement(ING, 0), None)
        books.commit()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))

    page = client.get(f"/o/{org.slug}/").get_data(as_text=True).replace("\xa0", " ")

    attention = page.split('data-testid="attention"')[1].split("</section>")[0]
    assert "alles is bijgewerkt" not in attention and "wacht op boeking" not in attention
    # 1,000 euros at the bank at the start of 2 January; nothing in the books.
    said = "Rekening-courant bank: in de boeken € 1.000,00 minder dan bij de bank op 02-01-2024"
    assert said in attention
    assert f'href="/o/{org.slug}/bank"' in attention
    bank = client.get(f"/o/{org.slug}/bank").get_data(as_text=True)
    hint = bank.split('data-testid="difference-hint"')[1].split("</p>")[0]
    assert "een afschrift van een eerdere periode is nog niet ingelezen" in hint
    assert f'href="/o/{org.slug}/accounts/Assets:Bank:Checking?to=2024-01-02"' in hint


def _break_a_balance_assertion(books, account="Assets:Bank:Checking"):
    """What no service allows: an assertion that does not hold, written straight to the table."""
    write_balance_check(books, account, today(), "99.00")


def test_the_dashboard_lists_a_waiting_bank_line_a_finding_and_an_unpaid_bureau_invoice(
    app, engine, session, billed_bureau, member, make_user, login_as
):
    invoice = session.get_one(Invoice, fee_invoice(billed_bureau.id, member.id, session=session))
    session.commit()  # the test is the unit of work
    with Session(engine) as books:
        bind_session(books, member.tenant)
        add_bank_account(books, ING, None)
        import_statement(books, camt_statement(ING, 1), None)
        _break_a_balance_assertion(books)
        findings = validate_book(books)
        books.commit()
    client = app.test_client()
    login_as(client, make_user(org=member, role=Role.VIEWER))

    page = client.get(f"/o/{member.slug}/").get_data(as_text=True).replace("\xa0", " ")

    attention = page.split('data-testid="attention"')[1].split("</section>")[0]
    assert "alles is bijgewerkt" not in attention
    assert "1 banktransactie wacht op boeking" in attention
    assert f"Factuur {invoice.number} van het servicebureau staat open: € 240,00" in attention
    assert findings and f"Controle: {escape(findings[0].message)}" in attention
    reconciliation = page.split('data-testid="bank-reconciliation"')[1].split("</section>")[0]
    row = reconciliation.split(f'data-testid="reconciliation-{ING}"')[1].split("</tr>")[0]
    assert "Rekening-courant bank" in row and 'data-label="Te boeken">1</td>' in row


def test_the_dashboard_says_when_there_is_no_bank_account_to_reconcile(
    app, make_org, make_user, login_as
):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.VIEWER))

    page = client.get(f"/o/{org.slug}/").get_data(as_text=True)

    reconciliation = page.split('data-testid="bank-reconciliation"')[1].split("</section>")[0]
    assert "Nog geen bankrekeningen." in reconciliation
