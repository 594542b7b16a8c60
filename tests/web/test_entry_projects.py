"""A booking's project, set in the entry forms: what the report per project reads.

Subsidies and funds are accounted per project. Before the forms had a project field, only an
imported Beancount file could give a transaction one, and the report per project stayed empty
for everything a treasurer booked by hand.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.models import Transaction
from ledger.transactions import post_transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.web.test_entry import transaction_id
from tests.web.test_entry_corrections import shown_values

EXPENSE = {
    "date": "2026-03-05",
    "amount": "312,40",
    "payee": "Tuincentrum",
    "narration": "Zaden en gereedschap",
    "money_account": "Assets:Bank:Checking",
    "category": "Expenses:Office:Supplies",
}
YEAR_2026 = "from=01-01-2026&to=31-12-2026"


@pytest.fixture
def treasurer(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return client, org


def metas(engine, org) -> list[dict]:
    """Every transaction's metadata, oldest first."""
    with Session(engine) as session:
        bind_session(session, org.tenant)
        return list(session.scalars(select(Transaction.meta).order_by(Transaction.id)))


def project_table(client, org) -> dict[str, str]:
    """The report per project over 2026: each project's result as the page writes it."""
    page = client.get(f"/o/{org.slug}/reports/projects?{YEAR_2026}").get_data(as_text=True)
    tables = re.findall(r'data-testid="project-([^"]+)">(.*?)</table>', page, re.S)
    results = {}
    for name, table in tables:
        total = table.split('class="total"', 1)[1]
        results[name] = re.search(r'class="amount">([^<]+)<', total)[1].replace("\xa0", " ")
    return results


def test_money_out_with_a_project_is_in_the_report_per_project_and_on_its_page(treasurer, engine):
    client, org = treasurer
    response = client.post(f"/o/{org.slug}/entry/expense", data={**EXPENSE, "project": "Moestuin"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    assert metas(engine, org) == [{"project": "Moestuin"}]
    assert project_table(client, org) == {"Moestuin": "€ -312,40"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<dt>Project</dt><dd data-testid="transaction-project">Moestuin</dd>', page)


def test_a_project_typed_otherwise_joins_the_one_the_books_know(treasurer, engine):
    """Typed as "  moestuin " or "MOESTUIN" after "Moestuin": one project in the report."""
    client, org = treasurer
    first = {**EXPENSE, "project": "Moestuin"}
    assert client.post(f"/o/{org.slug}/entry/expense", data=first).status_code == 302
    income = {
        **EXPENSE,
        "amount": "4.500,00",
        "payee": "Oranje Fonds",
        "category": "Income:Subsidies:Municipal",
        "project": "  moestuin   ",
    }
    assert client.post(f"/o/{org.slug}/entry/income", data=income).status_code == 302
    full = {
        "date": "2026-03-06",
        "narration": "Gieters",
        "project": "MOESTUIN",
        "account-0": "Expenses:Office:Supplies",
        "debit-0": "20,00",
        "account-1": "Assets:Cash",
    }
    assert client.post(f"/o/{org.slug}/entry/full", data=full).status_code == 302

    assert [meta["project"] for meta in metas(engine, org)] == ["Moestuin"] * 3
    assert project_table(client, org) == {"Moestuin": "€ 4.167,60"}


def test_a_booking_without_a_project_has_none_and_the_report_says_where_to_set_one(
    treasurer, engine
):
    client, org = treasurer
    response = client.post(f"/o/{org.slug}/entry/expense", data={**EXPENSE, "project": "   "})
    assert response.status_code == 302
    assert metas(engine, org) == [{}]
    page = client.get(f"/o/{org.slug}/reports/projects?{YEAR_2026}").get_data(as_text=True)
    assert "Geen boekingen met een project in deze periode." in page
    assert "in het veld Project van het boekingsformulier" in page


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("x" * 101, "Een projectnaam is hoogstens 100 tekens lang."),
        ("Moes\x07tuin", "Een projectnaam mag geen onzichtbare tekens of stuurtekens bevatten."),
    ],
)
def test_a_project_the_books_cannot_take_is_refused_beside_its_field_and_nothing_is_saved(
    treasurer, engine, typed, reason
):
    client, org = treasurer
    for kind, form in (
        ("expense", EXPENSE),
        ("full", {"date": "2026-03-06", "account-0": "Assets:Cash", "debit-0": "1"}),
    ):
        response = client.post(f"/o/{org.slug}/entry/{kind}", data={**form, "project": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, kind
        error = re.search(r'data-testid="error-project">([^<]+)<', page)
        assert error and error[1] == reason, kind
    assert metas(engine, org) == []


def test_the_forms_offer_the_books_recent_projects_and_a_transfer_asks_for_none(treasurer, engine):
    client, org = treasurer
    for project in ("Moestuin", "Buurtfeest", "Moestuin"):
        data = {**EXPENSE, "project": project}
        assert client.post(f"/o/{org.slug}/entry/expense", data=data).status_code == 302

    for kind in ("expense", "income", "full"):
        page = client.get(f"/o/{org.slug}/entry/{kind}").get_data(as_text=True)
        offered = re.search(r'<datalist id="projects">(.*?)</datalist>', page, re.S)
        assert offered, kind
        assert re.findall(r'value="([^"]+)"', offered[1]) == ["Moestuin", "Buurtfeest"], kind
        assert re.search(r'<input id="project" name="project" [^>]*list="projects"', page)
    transfer = client.get(f"/o/{org.slug}/entry/transfer").get_data(as_text=True)
    assert 'name="project"' not in transfer


def _stored(engine, org, meta: dict) -> int:
    """An expense of 12,50 posted through the ledger with ``meta``, as an import would."""
    with Session(engine) as session:
        bind_session(session, org.tenant)
        ident = post_transaction(
            session,
            NewTransaction(
                date=date(2026, 3, 5),
                narration="Zaden",
                meta=meta,
                postings=(
                    NewPosting("Expenses:Office:Supplies", Amount(Decimal("12.50"), "EUR")),
                    NewPosting("Assets:Bank:Checking", Amount(Decimal("-12.50"), "EUR")),
                ),
            ),
            actor_id=None,
        )
        session.commit()
    return ident


def test_an_edit_sets_and_clears_the_project_keeps_other_metadata_and_the_trail_says_so(
    treasurer, engine
):
    client, org = treasurer
    ident = _stored(engine, org, {"invoice": "T-17"})
    url = f"/o/{org.slug}/transactions/{ident}/edit"

    values = shown_values(client.get(url).get_data(as_text=True))
    assert values["project"] == ""
    response = client.post(url, data={**values, "project": "Moestuin"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert metas(engine, org) == [{"invoice": "T-17", "project": "Moestuin"}]

    page = client.get(f"/o/{org.slug}/transactions/{ident}").get_data(as_text=True)
    edit = page.split('data-testid="audit-trail"')[1].split("gewijzigd", 1)[1]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>'
        r"<td[^>]*><pre>([^<]*)</pre></td><td[^>]*><pre>([^<]*)</pre>",
        edit.split("</details>", 1)[0],
    )
    assert rows == [("Project", "", "Moestuin")]

    values = shown_values(client.get(url).get_data(as_text=True))
    assert values["project"] == "Moestuin"
    assert client.post(url, data={**values, "project": ""}).status_code == 302
    assert metas(engine, org) == [{"invoice": "T-17"}]


def test_the_full_form_takes_a_project_and_its_transaction_shows_it(treasurer):
    client, org = treasurer
    data = {
        "date": "2026-03-06",
        "narration": "Gieters",
        "project": "Buurtfeest",
        "account-0": "Expenses:Office:Supplies",
        "debit-0": "20,00",
        "account-1": "Assets:Cash",
    }
    response = client.post(f"/o/{org.slug}/entry/full", data=data)
    assert response.status_code == 302
    page = client.get(f"/o/{org.slug}/transactions/{transaction_id(response)}")
    assert 'data-testid="transaction-project">Buurtfeest<' in page.get_data(as_text=True)


def test_the_journal_shows_a_projects_bookings_and_the_report_links_to_them(treasurer, engine):
    """A project's bookings: by the transaction's project, or one posting's (from an imported
    file); the report's project title opens them, and each booking links its project."""
    client, org = treasurer
    for project, narration in (("Moestuin", "Zaden"), ("Buurtfeest", "Slingers"), ("", "Koffie")):
        data = {**EXPENSE, "narration": narration, "project": project}
        assert client.post(f"/o/{org.slug}/entry/expense", data=data).status_code == 302
    with Session(engine) as session:
        bind_session(session, org.tenant)
        post_transaction(
            session,
            NewTransaction(
                date=date(2026, 3, 7),
                narration="Gedeelde bon",
                postings=(
                    NewPosting(
                        "Expenses:Office:Supplies",
                        Amount(Decimal("5"), "EUR"),
                        meta={"project": "Moestuin"},
                    ),
                    NewPosting("Expenses:Office:Printing", Amount(Decimal("7"), "EUR")),
                    NewPosting("Assets:Cash", Amount(Decimal("-12"), "EUR")),
                ),
            ),
            actor_id=None,
        )
        session.commit()

    report = client.get(f"/o/{org.slug}/reports/projects?{YEAR_2026}").get_data(as_text=True)
    link = re.search(r'<caption><a href="([^"]+)" data-testid="project-journal">Moestuin<', report)
    assert link, report[:3000]
    journal = client.get(link[1].replace("&amp;", "&")).get_data(as_text=True)
    shown = re.findall(r'<td colspan="4"><a class="day-inline"[^>]*>[^<]*</a>(.*?)</td>', journal)
    assert [re.sub(r"<[^>]+>", "", cell).split(" · ")[-1] for cell in shown] == [
        "Gedeelde bon",
        "Zaden Project: Moestuin",  # "Project:" hidden but for a screen reader
    ]
    assert f'class="tag project" href="/o/{org.slug}/journal?project=Moestuin"' in journal
    download = client.get(f"/o/{org.slug}/journal?project=Moestuin&format=csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert [(row[6], row[-1]) for row in rows[1:]] == [
        ("Expenses:Office:Supplies", "Moestuin"),  # the posting's own project
        ("Expenses:Office:Printing", ""),
        ("Assets:Cash", ""),
        ("Expenses:Office:Supplies", "Moestuin"),  # the transaction's, on each posting
        ("Assets:Bank:Checking", "Moestuin"),
    ]
    nothing = client.get(f"/o/{org.slug}/journal?project=Onbekend").get_data(as_text=True)
    assert "Geen boekingen gevonden." in nothing


def test_a_reversal_keeps_the_project_so_the_report_per_project_nets_the_two(treasurer, engine):
    client, org = treasurer
    response = client.post(f"/o/{org.slug}/entry/expense", data={**EXPENSE, "project": "Moestuin"})
    ident = transaction_id(response)
    assert project_table(client, org) == {"Moestuin": "€ -312,40"}

    reversed_ = client.post(
        f"/o/{org.slug}/transactions/{ident}/reverse", data={"date": "06-03-2026"}
    )

    assert reversed_.status_code == 302
    assert [meta.get("project") for meta in metas(engine, org)] == ["Moestuin", "Moestuin"]
    assert project_table(client, org) == {}  # nothing left on it: the two net to nothing


@pytest.mark.parametrize("imported", ["moestuin  2026", "Moestuin " + "x" * 120])
def test_an_edit_leaves_a_project_it_did_not_touch_as_it_was_stored(treasurer, engine, imported):
    """An imported project the forms would write otherwise (two spaces, another case than a
    newer booking's, longer than they take) stays as it is: saving the form as shown changes
    nothing, and changing the description changes only that."""
    client, org = treasurer
    ident = _stored(engine, org, {"project": imported})
    newer = {**EXPENSE, "project": imported.split()[0].capitalize()}
    assert client.post(f"/o/{org.slug}/entry/expense", data=newer).status_code == 302
    url = f"/o/{org.slug}/transactions/{ident}/edit"

    values = shown_values(client.get(url).get_data(as_text=True))
    assert values["project"] == imported
    saved = client.post(url, data=values, follow_redirects=True).get_data(as_text=True)
    assert "Er is niets gewijzigd: de boeking stond al zo." in saved

    values["narration"] = "Zaden en pootgoed"
    assert client.post(url, data=values).status_code == 302
    assert metas(engine, org)[0] == {"project": imported}


def test_the_journal_finds_a_project_typed_in_another_case_or_spacing(treasurer):
    client, org = treasurer
    data = {**EXPENSE, "project": "Moestuin Noord"}
    assert client.post(f"/o/{org.slug}/entry/expense", data=data).status_code == 302

    for typed in ("moestuin noord", "  MOESTUIN   Noord "):
        page = client.get(f"/o/{org.slug}/journal", query_string={"project": typed})
        assert page.get_data(as_text=True).count('<tr class="transaction">') == 1, typed
