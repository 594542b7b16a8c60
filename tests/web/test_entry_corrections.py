"""Correcting transactions: edit in an open period, reverse in a closed one, all in the trail."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy.orm import Session

from ledger.audit import audit_trail
from ledger.periods import close_period
from ledger.queries import load_transaction
from ledger.versions import transaction_version
from tenants.binding import bind_session
from tenants.roles import Role
from tests.web.test_entry import transaction_id


def version_in(form: str) -> str:
    """The hash of the transaction the edit form was opened on."""
    found = re.search(r'name="version" value="([0-9a-f]{64})"', form)
    assert found, "the edit form carries no version"
    return found.group(1)


def edit_form(client, org, ident, narration: str, version: str):
    return client.post(
        f"/o/{org.slug}/transactions/{ident}/edit",
        data={
            "version": version,
            "date": "2026-03-10",
            "payee": "Hema",
            "narration": narration,
            "account-0": "Expenses:Office:Supplies",
            "amount-0": "20,00",
            "account-1": "Assets:Cash",
        },
    )


@pytest.fixture
def posted(app, make_org, make_user, login_as):
    """An owner's client and one expense of 20 euros from cash, dated 10 March 2026."""
    org = make_org()
    client = app.test_client()
    owner = make_user(org=org, role=Role.OWNER, name="Petra Penning")
    login_as(client, owner)
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-10",
            "amount": "20",
            "payee": "Hema",
            "narration": "Slingers",
            "money_account": "Assets:Cash",
            "category": "Expenses:Office:Supplies",
        },
    )
    assert response.status_code == 302
    return client, org, transaction_id(response), owner


def test_a_transaction_in_an_open_period_is_edited_and_the_trail_shows_before_and_after(
    posted, engine
):
    client, org, ident, _owner = posted
    form = client.get(f"/o/{org.slug}/transactions/{ident}/edit").get_data(as_text=True)
    assert 'value="Kantoorbenodigdheden"' in form
    response = client.post(
        f"/o/{org.slug}/transactions/{ident}/edit",
        data={
            "version": version_in(form),
            "date": "2026-03-10",
            "payee": "Hema",
            "narration": "Slingers en ballonnen",
            "account-0": "Expenses:Office:Supplies",
            "amount-0": "25,00",
            "account-1": "Assets:Cash",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with Session(engine) as session:
        bind_session(session, org.tenant)
        edited = load_transaction(session, ident)
    assert edited is not None
    assert edited.narration == "Slingers en ballonnen"
    assert edited.postings[1].units.number == Decimal("-25.00")
    page = client.get(f"/o/{org.slug}/transactions/{ident}").get_data(as_text=True)
    trail = page.split('data-testid="audit-trail"')[1]
    assert "gewijzigd" in trail and "geboekt" in trail
    assert "Petra Penning" in trail
    assert "Slingers en ballonnen" in trail


def test_a_transaction_in_a_closed_period_offers_only_a_reversal_which_undoes_it(posted, engine):
    client, org, ident, owner = posted
    with Session(engine) as session:
        bind_session(session, org.tenant)
        close_period(session, date(2026, 1, 1), date(2026, 3, 31), owner.id, role="owner")
        session.commit()
    page = client.get(f"/o/{org.slug}/transactions/{ident}").get_data(as_text=True)
    assert 'data-testid="edit"' not in page
    assert 'data-testid="reverse"' in page
    assert client.get(f"/o/{org.slug}/transactions/{ident}/edit").status_code == 302
    response = client.post(
        f"/o/{org.slug}/transactions/{ident}/reverse", data={"date": "2026-04-02"}
    )
    assert response.status_code == 302
    reversal = transaction_id(response)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        undone = load_transaction(session, reversal)
    assert undone is not None
    assert {p.account: p.units.number for p in undone.postings} == {
        "Expenses:Office:Supplies": Decimal("-20"),
        "Assets:Cash": Decimal("20"),
    }
    original = client.get(f"/o/{org.slug}/transactions/{ident}").get_data(as_text=True)
    assert 'data-testid="reversed-by"' in original
    assert 'data-testid="reverse"' not in original


def test_a_reversal_takes_its_day_typed_day_first_and_refuses_a_day_that_does_not_exist(
    posted, engine
):
    client, org, ident, _owner = posted
    refused = client.post(
        f"/o/{org.slug}/transactions/{ident}/reverse",
        data={"date": "31-04-2026"},
        follow_redirects=True,
    )
    assert "Vul een datum in als 31-12-2026." in refused.get_data(as_text=True)
    assert 'data-testid="reverse"' in refused.get_data(as_text=True)  # not reversed on another day
    response = client.post(f"/o/{org.slug}/transactions/{ident}/reverse", data={"date": "2-4-2026"})
    with Session(engine) as session:
        bind_session(session, org.tenant)
        reversal = load_transaction(session, transaction_id(response))
    assert reversal is not None and reversal.date == date(2026, 4, 2)


def test_reversing_twice_is_refused_with_a_message(posted):
    client, org, ident, _owner = posted
    client.post(f"/o/{org.slug}/transactions/{ident}/reverse", data={"date": "2026-04-02"})
    again = client.post(
        f"/o/{org.slug}/transactions/{ident}/reverse",
        data={"date": "2026-04-02"},
        follow_redirects=True,
    )
    assert "al tegengeboekt" in again.get_data(as_text=True)


def test_the_owner_reads_the_full_audit_trail_and_a_bookkeeper_may_not(
    posted, make_user, login_as, app
):
    client, org, ident, _owner = posted
    page = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert f'href="/o/{org.slug}/transactions/{ident}"' in page
    bookkeeper = app.test_client()
    login_as(bookkeeper, make_user(org=org, role=Role.BOOKKEEPER))
    assert bookkeeper.get(f"/o/{org.slug}/audit").status_code == 403
    assert bookkeeper.get(f"/o/{org.slug}/transactions/{ident}").status_code == 200


def test_an_unknown_transaction_answers_404(posted):
    client, org, _ident, _owner = posted
    assert client.get(f"/o/{org.slug}/transactions/999999").status_code == 404


def test_a_second_edit_from_a_form_opened_before_the_first_was_saved_is_refused(posted, engine):
    client, org, ident, _owner = posted
    url = f"/o/{org.slug}/transactions/{ident}/edit"
    first = version_in(client.get(url).get_data(as_text=True))
    second = version_in(client.get(url).get_data(as_text=True))

    saved = edit_form(client, org, ident, "Slingers (Anna)", first)
    refused = edit_form(client, org, ident, "Slingers (Bram)", second)

    assert first == second and saved.status_code == 302
    assert refused.status_code == 409
    assert "Iemand anders heeft deze boeking intussen gewijzigd" in refused.get_data(as_text=True)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        kept = load_transaction(session, ident)
    assert kept is not None and kept.narration == "Slingers (Anna)"
    reopened = version_in(client.get(url).get_data(as_text=True))
    assert reopened != first
    assert edit_form(client, org, ident, "Slingers (Bram)", reopened).status_code == 302


def test_an_edit_without_the_version_of_the_form_is_refused(posted) -> None:
    client, org, ident, _owner = posted

    assert edit_form(client, org, ident, "Zonder versie", "").status_code == 409


def test_the_trail_shows_an_edit_as_the_fields_that_changed_in_words(posted) -> None:
    client, org, ident, _owner = posted
    url = f"/o/{org.slug}/transactions/{ident}/edit"
    version = version_in(client.get(url).get_data(as_text=True))
    assert edit_form(client, org, ident, "Slingers en ballonnen", version).status_code == 302

    page = client.get(f"/o/{org.slug}/transactions/{ident}").get_data(as_text=True)

    trail = page.split('data-testid="audit-trail"')[1].split("</table>\n</div>")[0]
    edit = trail.split("gewijzigd", 1)[1].split("</details>", 1)[0]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>'
        r"<td[^>]*><pre>([^<]*)</pre></td><td[^>]*><pre>([^<]*)</pre>",
        edit,
    )
    assert rows == [("Omschrijving", "Slingers", "Slingers en ballonnen")]
    posted_row = trail.split("geboekt", 1)[1].split("</details>", 1)[0].replace("\xa0", " ")
    assert "Kantoorbenodigdheden: € 20,00" in posted_row
    assert "Kas: € -20,00" in posted_row and "10 mrt 2026" in posted_row
    assert '"narration"' not in trail and "&#34;" not in trail


class _ShownForm(HTMLParser):
    """The values an edit form holds as shown: what its Save button would send untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "checkbox"):
            self.values[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def shown_values(page: str) -> dict[str, str]:
    form = page.split('data-testid="entry-form"', 1)[1].split("</form>", 1)[0]
    parser = _ShownForm()
    parser.feed("<form " + form)
    return parser.values


def trail_and_version(engine, org, ident: int) -> tuple[list[str], str]:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        rows = audit_trail(session, entity="transaction", entity_id=ident)
        transaction = load_transaction(session, ident)
        assert transaction is not None
        return [row.action for row in rows], transaction_version(transaction)


def test_an_edit_form_saved_as_shown_changes_nothing_and_names_nobody_in_the_trail(
    posted, engine
) -> None:
    """Saving the form unchanged once wrote the transaction anew and put an edit by the owner,
    with nothing before or after, in the trail. A three-line entry from the full form too."""
    client, org, expense, _owner = posted
    rows = {
        "date": "2026-03-12",
        "narration": "Drukwerk en porto",
        "account-0": "Expenses:Office:Supplies",
        "amount-0": "12,50",
        "account-1": "Expenses:Office:Supplies",
        "amount-1": "2,35",
        "account-2": "Assets:Cash",
    }
    response = client.post(f"/o/{org.slug}/entry/full", data=rows)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    three_lines = transaction_id(response)

    for ident in (expense, three_lines):
        url = f"/o/{org.slug}/transactions/{ident}/edit"
        before = trail_and_version(engine, org, ident)
        values = shown_values(client.get(url).get_data(as_text=True))
        assert values["version"] == before[1] and "date" in values, values

        saved = client.post(url, data=values, follow_redirects=True)

        page = saved.get_data(as_text=True)
        assert saved.status_code == 200, page[:2000]
        assert "Er is niets gewijzigd: de boeking stond al zo." in page
        assert trail_and_version(engine, org, ident) == before == (["post"], before[1])
        values["narration"] = values.get("narration", "") + " (nagekeken)"
        assert client.post(url, data=values).status_code == 302
        assert trail_and_version(engine, org, ident)[0] == ["edit", "post"]
