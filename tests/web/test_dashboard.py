"""The dashboard: money at hand, this year against last, and what needs attention."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ledger.fiscal_year import fiscal_year_of
from tenants.provisioning import AMSTERDAM
from tenants.roles import Role


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
    start, _end = fiscal_year_of(datetime.now(AMSTERDAM).date(), 1)
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
    assert "€ 1.000,00" in chart


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
