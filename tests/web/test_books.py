"""Reports, journal, account ledger and export in the browser, for a viewer, in Dutch formats."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from beancount import loader
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.clock import today
from ledger.fiscal_year import fiscal_year_of, set_fiscal_year_start_month
from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.roles import Role
from tests.web.test_dutch_formats import DAY_FIELD, visible_text

BOOK = """
2023-01-01 open Assets:Bank EUR
  label_nl: "Bankrekening"
2023-01-01 open Liabilities:Payable EUR
2023-01-01 open Equity:Opening EUR
2023-01-01 open Income:Subsidy EUR
  label_nl: "Subsidies"
2023-01-01 open Expenses:Rent EUR
  label_nl: "Huur"

2023-01-02 * "Beginbalans"
  Assets:Bank 1000.00 EUR
  Equity:Opening

2023-03-01 * "Gemeente" "Subsidie 2023"
  Assets:Bank 800.00 EUR
  Income:Subsidy

2024-03-01 * "Gemeente" "Subsidie 2024" #buurthuis
  Assets:Bank 1234.56 EUR
  Income:Subsidy

2024-04-01 * "Verhuurder" "Huur april <script>"
  Expenses:Rent 300.00 EUR
  Liabilities:Payable
"""


@pytest.fixture
def viewer_of(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Callable[..., None],
) -> Callable[[str], tuple[Any, FlaskClient]]:
    """A new organisation with ``book`` imported, and a client logged in as its viewer."""

    def make(book: str) -> tuple[Any, FlaskClient]:
        org = make_org()
        with Session(engine) as session:
            bind_session(session, org.tenant)
            import_book(session, book, actor_id=None)
            session.commit()
        client = app.test_client()
        login_as(client, make_user(org=org, role=Role.VIEWER))
        return org, client

    return make


@pytest.fixture
def viewer(viewer_of: Callable[[str], tuple[Any, FlaskClient]]) -> tuple[Any, FlaskClient]:
    """An organisation with a few posted transactions, and a client logged in as its viewer."""
    return viewer_of(BOOK)


def day_nl(value: date) -> str:
    """A day as the Dutch pages write it: ``1 jul 2026``."""
    months = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
    return f"{value.day} {months[value.month - 1]} {value.year}"


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_balance_sheet_shows_dutch_figures_and_last_years_column(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/balance-sheet?date=2024-12-31")

    assert "Balans per 31 dec 2024" in html
    assert "€\xa03.034,56" in html  # the bank now
    assert "€\xa01.800,00" in html  # the bank at the end of 2023, the comparison column
    assert "€\xa0934,56" in html  # this year's result: 1.234,56 subsidy minus 300,00 rent
    assert "Resultaat voorgaande jaren" in html and "Bankrekening" in html


@pytest.mark.parametrize(
    ("locale", "sheet_titles", "income_titles"),
    [
        (
            "nl",
            ["Activa", "Totaal activa", "Eigen vermogen", "Resultaat lopend jaar", "Schulden"],
            ["Baten", "Totaal baten", "Lasten", "Totaal lasten", "Resultaat", "Dit boekjaar"],
        ),
        (
            "en",
            ["Assets", "Total assets", "Equity", "Result of the current year", "Liabilities"],
            ["Income", "Total income", "Expenses", "Total expenses", "Result", "Last month"],
        ),
    ],
)
def test_the_reports_sections_totals_and_presets_are_in_the_readers_language(
    viewer: Any, locale: str, sheet_titles: list[str], income_titles: list[str]
) -> None:
    org, client = viewer
    client.post("/locale", data={"locale": locale, "next": "/"})

    sheet = visible_text(page(client, f"/o/{org.slug}/reports/balance-sheet?date=2024-12-31"))
    income = visible_text(
        page(client, f"/o/{org.slug}/reports/income-statement?from=2024-01-01&to=2024-12-31")
    )

    assert [title for title in sheet_titles if title not in sheet] == []
    assert [title for title in income_titles if title not in income] == []


def test_the_income_statement_compares_with_the_previous_year(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/income-statement?from=2024-01-01&to=2024-12-31")

    assert "Staat van baten en lasten" in html
    assert "€\xa01.234,56" in html and "€\xa0800,00" in html
    assert "Huur" in html and "€\xa0300,00" in html
    assert "01-01-2023 – 31-12-2023" in visible_text(html)  # the column title may wrap at the dash


def test_the_trial_balance_puts_credit_balances_in_the_credit_column_beside_last_year(
    viewer: Any,
) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/trial-balance?date=2024-04-30")

    row = html.split("Subsidies", 1)[1].split("</tr>", 1)[0]
    cells = [cell.split(">", 1)[1].split("</td", 1)[0] for cell in row.split("<td")[1:]]
    # debit and credit now, then debit and credit at the end of the previous fiscal year
    assert cells == ["", "€\xa02.034,56", "", "€\xa0800,00"]


def test_a_trial_balance_over_a_period_compares_with_the_period_before(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/trial-balance?from=2024-01-01&to=2024-12-31")

    row = html.split("Subsidies", 1)[1].split("</tr>", 1)[0]
    assert "€\xa01.234,56" in row and "€\xa0800,00" in row
    assert "01-01-2023 – 31-12-2023" in visible_text(html)  # the column title may wrap at the dash


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("balance-sheet?date=2024-12-31", ["Assets:Bank", "Bankrekening", "EUR", "3034.56"]),
        ("trial-balance?date=2024-12-31", ["Liabilities:Payable", "", "EUR", "-300.00"]),
        (
            "income-statement?from=2024-01-01&to=2024-12-31",
            ["Income:Subsidy", "Subsidies", "EUR", "-1234.56"],
        ),
    ],
)
def test_each_report_downloads_as_csv_with_exact_amounts(
    viewer: Any, query: str, expected: list[str]
) -> None:
    org, client = viewer

    response = client.get(f"/o/{org.slug}/reports/{query}&format=csv")

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert rows[0] == ["rekening", "omschrijving", "valuta", "bedrag"]
    assert expected in rows


def test_the_journal_filters_by_text_and_escapes_what_people_typed(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/journal?q=huur")
    everything = page(client, f"/o/{org.slug}/journal")

    assert "Huur april &lt;script&gt;" in html
    assert "Subsidie 2024" not in html
    assert "Subsidie 2024" in everything and "01-03-2024" in everything


def test_the_journal_finds_a_payment_by_its_amount_as_a_treasurer_types_it(viewer: Any) -> None:
    org, client = viewer

    found = page(client, f"/o/{org.slug}/journal?q=1.234,56")
    on_the_account = page(client, f"/o/{org.slug}/accounts/Assets:Bank?from=2023-01-01&q=800")

    assert 'placeholder="wie, omschrijving of bedrag"' in found
    assert "Subsidie 2024" in found and "Huur april" not in found and "Subsidie 2023" not in found
    ledger = on_the_account.split('data-testid="account-ledger"', 1)[1].split("</table>", 1)[0]
    assert "Subsidie 2023" in ledger and "Subsidie 2024" not in ledger


HOSTILE_BOOK = """
2024-01-01 open Assets:Bank EUR
  label_nl: "Bank <b>&</b> \\"kas\\""
2024-01-01 open Expenses:Rent EUR
2024-02-01 * "Verhuurder <i>" "Huur 'maart' & \\"april\\"" #buurt-huis
  Expenses:Rent 10.00 EUR
  Assets:Bank
"""


def test_every_text_of_the_journal_is_escaped_where_it_is_shown(
    viewer_of: Callable[[str], tuple[Any, FlaskClient]],
) -> None:
    org, client = viewer_of(HOSTILE_BOOK)

    html = page(client, f"/o/{org.slug}/journal")

    table = html.split('data-testid="journal"', 1)[1].split("</table>", 1)[0]
    assert "<b>" not in table and "<i>" not in table
    assert "Bank &lt;b&gt;&amp;&lt;/b&gt; &#34;kas&#34;" in table.replace("&quot;", "&#34;")
    assert "<strong>Verhuurder &lt;i&gt;</strong> · Huur &#x27;maart&#x27; &amp; " in table
    assert f'<a class="tag" href="/o/{org.slug}/journal?tag=buurt-huis">#buurt-huis</a>' in table
    assert "€\xa010,00" in table
    assert visible_text(table).count("Bank <b>&</b>") == 1  # the label, shown as typed
    for report in ("balance-sheet?date=2024-12-31", "trial-balance?date=2024-12-31"):
        shown = page(client, f"/o/{org.slug}/reports/{report}").split("<main", 1)[1]
        assert "<b>" not in shown, report
        assert visible_text(shown).count('Bank <b>&</b> "kas"') == 1, report


def test_the_journal_pages_with_a_key(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/journal?before=2024-03-01_1")

    assert "Beginbalans" in html and "Huur april" not in html


def test_the_account_ledger_shows_a_running_balance(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/accounts/Assets:Bank?from=2023-03-01")

    assert "Bankrekening" in html and "Beginsaldo" in html
    assert html.index("€\xa01.800,00") < html.index("€\xa03.034,56")


def test_an_unknown_account_is_not_found(viewer: Any) -> None:
    org, client = viewer

    assert client.get(f"/o/{org.slug}/accounts/Assets:Nowhere").status_code == 404


def test_the_export_downloads_a_file_beancount_loads_without_errors(viewer: Any) -> None:
    org, client = viewer

    response = client.get(f"/o/{org.slug}/export.beancount")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{org.slug}.beancount"'
    _entries, errors, _options = loader.load_string(response.get_data(as_text=True))
    assert errors == []


def test_a_report_reads_a_day_typed_day_first(viewer: Any) -> None:
    org, client = viewer

    for typed in ("31-12-2024", "31/12/2024", "2024-12-31"):
        html = page(client, f"/o/{org.slug}/reports/balance-sheet?date={typed}")
        assert 'name="date" type="text" inputmode="decimal"' in html
        assert 'value="31-12-2024"' in html  # the field shows the day the Dutch way


def test_a_day_that_does_not_exist_is_refused_with_what_was_typed(viewer: Any) -> None:
    org, client = viewer

    for query in ("date=31-13-2024", "date=12/31/2024", "date=morgen"):
        refused = client.get(f"/o/{org.slug}/reports/balance-sheet?{query}")
        assert refused.status_code == 422
        typed = query.removeprefix("date=")
        assert f"Dit is geen datum: ‘{typed}’. Vul een datum in als 31-12-2026." in refused.text
        again = f'href="/o/{org.slug}/reports/balance-sheet" data-testid="choose-again"'
        assert again in refused.text
    reversed_period = client.get(
        f"/o/{org.slug}/accounts/Assets:Bank?from=02-01-2024&to=01-01-2024"
    )
    assert reversed_period.status_code == 422
    assert "De periode eindigt voor ze begint." in reversed_period.text


def test_someone_from_another_organisation_cannot_read_the_reports(
    viewer: Any,
    app: Flask,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Any,
) -> None:
    org, _client = viewer
    stranger = app.test_client()
    login_as(stranger, make_user(org=make_org(), role=Role.OWNER))

    for path in ("reports/balance-sheet", "journal", "accounts/Assets:Bank", "export.beancount"):
        assert stranger.get(f"/o/{org.slug}/{path}").status_code == 404


def test_results_per_tag_show_the_project_and_its_result(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/projects?from=2024-01-01&to=2024-12-31&key=%23")

    section = html.split('data-testid="project-buurthuis"', 1)[1].split("</table>", 1)[0]
    assert "Subsidies" in section and "€\xa01.234,56" in section


def test_a_bookkeeper_sets_a_budget_typed_the_dutch_way_and_sees_it_against_actual(
    viewer: Any, app: Flask, make_user: Callable[..., Any], login_as: Any
) -> None:
    org, reader = viewer
    bookkeeper = app.test_client()
    login_as(bookkeeper, make_user(org=org, role=Role.BOOKKEEPER))
    budget = {"account": "Income:Subsidy", "from": "2024-01-01", "to": "2024-12-31"}

    refused = reader.post(f"/o/{org.slug}/reports/budget", data={**budget, "amount": "1"})
    saved = bookkeeper.post(f"/o/{org.slug}/reports/budget", data={**budget, "amount": "1.500,00"})
    html = page(reader, f"/o/{org.slug}/reports/budget?from=2024-01-01&to=2024-12-31")

    assert refused.status_code == 403 and saved.status_code == 302
    row = html.split('data-testid="budget"', 1)[1].split("</tr>", 2)[1]
    assert "€\xa01.500,00" in row and "€\xa01.234,56" in row and "€\xa0-265,44" in row


@pytest.fixture
def july_books(viewer: Any, engine: Engine) -> tuple[Any, FlaskClient]:
    """The same books, with a fiscal year that starts on 1 July."""
    org, client = viewer
    with Session(engine) as session:
        bind_session(session, org.tenant)
        set_fiscal_year_start_month(session, 7, actor_id=None)
        session.commit()
    return org, client


def test_a_balance_sheet_splits_the_result_at_the_start_of_a_july_fiscal_year(
    july_books: Any,
) -> None:
    org, client = july_books

    html = page(client, f"/o/{org.slug}/reports/balance-sheet?date=2023-12-31")

    # The 2023 subsidy (March) falls in the fiscal year 2022/23: an earlier year's result.
    earlier = html.split("Resultaat voorgaande jaren", 1)[1].split("</tr>", 1)[0]
    current = html.split("Resultaat lopend jaar", 1)[1].split("</tr>", 1)[0]
    assert "€\xa0800,00" in earlier and "€\xa00,00" in current
    assert "30 jun 2023" in html  # compared with the end of the previous fiscal year


def test_reports_without_dates_cover_the_current_july_fiscal_year(july_books: Any) -> None:
    org, client = july_books
    start, end = fiscal_year_of(today(), 7)

    income = page(client, f"/o/{org.slug}/reports/income-statement")
    projects = page(client, f"/o/{org.slug}/reports/projects")
    budget = page(client, f"/o/{org.slug}/reports/budget")
    ledger = page(client, f"/o/{org.slug}/accounts/Assets:Bank")

    assert f"Van {day_nl(start)} tot en met {day_nl(today())}" in income
    for html in (projects, budget, ledger):
        assert f'name="from" {DAY_FIELD} value="{start:%d-%m-%Y}"' in html
        assert f'name="to" {DAY_FIELD} value="{end:%d-%m-%Y}"' in html


def test_the_presets_offer_this_and_last_fiscal_year(july_books: Any) -> None:
    org, client = july_books
    start, end = fiscal_year_of(today(), 7)
    last_start = start.replace(year=start.year - 1)

    html = page(client, f"/o/{org.slug}/reports/income-statement")

    presets = html.split('class="presets"', 1)[1].split("</nav>", 1)[0]
    assert f"from={start.isoformat()}&amp;to={end.isoformat()}" in presets
    assert (
        f"from={last_start.isoformat()}&amp;to={(start - timedelta(days=1)).isoformat()}" in presets
    )
    assert "Dit boekjaar" in presets and "Vorige maand" in presets


def test_results_per_project_compare_with_the_previous_period(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/projects?from=2024-01-01&to=2024-12-31&key=%23")

    section = html.split('data-testid="project-buurthuis"', 1)[1].split("</table>", 1)[0]
    assert "01-01-2023 – 31-12-2023" in section
    row = section.split("Subsidies", 1)[1].split("</tr>", 1)[0]
    assert "€\xa01.234,56" in row and "€\xa00,00" in row  # no #buurthuis subsidy in 2023


def test_the_journal_links_to_the_next_page_when_there_are_more_than_fifty(
    viewer_of: Callable[[str], tuple[Any, FlaskClient]],
) -> None:
    gifts = "".join(
        f'\n2024-01-{1 + n % 28:02d} * "Gift {n:02d}"\n  Assets:Bank 1.00 EUR\n  Income:Gifts\n'
        for n in range(55)
    )
    opened = "2024-01-01 open Assets:Bank EUR\n2024-01-01 open Income:Gifts EUR\n"
    org, client = viewer_of(opened + gifts)

    first = page(client, f"/o/{org.slug}/journal")
    link = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = page(client, link)

    on_first = set(re.findall(r"Gift (\d\d)", first))
    on_second = set(re.findall(r"Gift (\d\d)", second))
    assert first.count('class="transaction"') == 50 and second.count('class="transaction"') == 5
    assert not on_first & on_second and len(on_first | on_second) == 55
    assert 'rel="next"' not in second and "Nieuwste" in second


def test_journal_rows_link_to_their_transaction_and_show_account_labels(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/journal?account=Income")

    table = html.split('<div class="table-scroll">', 1)[1].split("</table>", 1)[0]
    day = rf'<td class="day"><a href="/o/{org.slug}/transactions/\d+"'
    assert len(re.findall(day, table)) == 2
    # on a phone the day heads the description instead, the same link
    inline = rf'<td colspan="4"><a class="day-inline" href="/o/{org.slug}/transactions/\d+"'
    assert len(re.findall(inline, table)) == 2
    assert "Subsidies" in table and "Income:Subsidy" in table
    assert '<datalist id="accounts">' in html and 'list="accounts"' in html


def test_the_account_ledger_searches_its_postings_by_text(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/accounts/Assets:Bank?from=2023-01-01&q=2024")

    ledger = html.split('data-testid="account-ledger"', 1)[1].split("</table>", 1)[0]
    assert "Subsidie 2024" in ledger and "Subsidie 2023" not in ledger
    assert "Beginbalans" not in ledger and "Beginsaldo" not in ledger


def test_a_reports_long_account_name_may_break_at_its_syllables_on_a_phone(
    viewer_of: Callable[[str], tuple[Any, FlaskClient]],
) -> None:
    org, client = viewer_of(
        BOOK.replace('label_nl: "Subsidies"', 'label_nl: "Gemeentesubsidiebijdragen"')
    )

    year = "from=2024-01-01&to=2024-12-31"
    pages = [
        page(client, f"/o/{org.slug}/reports/income-statement?{year}"),
        page(client, f"/o/{org.slug}/reports/trial-balance?date=2024-12-31"),
        page(client, f"/o/{org.slug}/reports/projects?{year}&key=%23"),
        page(client, f"/o/{org.slug}/journal"),
    ]

    hyphenated = "Ge\u00admeen\u00adte\u00adsub\u00adsi\u00addie\u00adbij\u00addra\u00adgen"
    assert [f">{hyphenated}</a>" in html for html in pages] == [True] * 4
    assert ">Huur</a>" in pages[0]  # a short name as it is
