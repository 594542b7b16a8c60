"""The bank pages: bookkeepers upload and confirm, viewers only look."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankLine, BankRule
from tenants.roles import Role
from tests.bank.builders import camt_statement
from tests.bank.conftest import statement_file
from tests.conftest import worker_runtime
from workers.ledger_jobs import enqueue_validation
from workers.worker import run_worker

ING = "NL20INGB0001234567"


def upload(client, slug: str, data: bytes, name: str = "afschrift.xml"):
    return client.post(
        f"/o/{slug}/bank/import",
        data={"statement": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def signed_in(client, make_user, login_as, org, role: Role):
    login_as(client, make_user(org=org, role=role))
    return client


def test_a_bookkeeper_uploads_a_statement_and_sees_its_lines_in_the_inbox(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    response = upload(client, org.slug, statement_file("ing.camt053.xml"))
    inbox = client.get(f"/o/{org.slug}/bank/inbox")

    assert response.status_code == 302
    page = inbox.get_data(as_text=True)
    assert "Stichting Buurthuis De Linde" in page
    assert "<small>NL44 RABO 0123 4567 89</small>" in page  # its IBAN as banks print it


def test_a_refused_upload_says_why_and_adds_nothing(client, make_user, login_as, org, books):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    response = upload(client, org.slug, statement_file("external_entity.camt053.xml"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "DTD" in page
    assert books.scalar(select(func.count()).select_from(BankLine)) == 0


def test_bulk_confirm_books_the_chosen_lines(client, make_user, login_as, org, books):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    ids = books.scalars(select(BankLine.id).order_by(BankLine.id)).all()

    client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={
            "line": [str(ids[0]), str(ids[1])],
            f"account-{ids[0]}": "Income:Donations:Gifts",
            f"account-{ids[1]}": "Expenses:Housing:Rent",
        },
    )

    booked = books.scalars(select(BankLine.id).where(BankLine.transaction_id.is_not(None))).all()
    assert sorted(booked) == [ids[0], ids[1]]


def test_a_viewer_sees_the_inbox_and_rules_but_cannot_upload_confirm_or_add_rules(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.VIEWER)

    assert client.get(f"/o/{org.slug}/bank").status_code == 200
    assert client.get(f"/o/{org.slug}/bank/inbox").status_code == 200
    assert client.get(f"/o/{org.slug}/bank/rules").status_code == 200
    assert upload(client, org.slug, statement_file("ing.camt053.xml")).status_code == 403
    assert client.post(f"/o/{org.slug}/bank/inbox/confirm", data={}).status_code == 403
    assert client.post(f"/o/{org.slug}/bank/rules", data={}).status_code == 403


def test_a_rule_made_in_the_browser_proposes_its_account_in_the_inbox(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))

    client.post(
        f"/o/{org.slug}/bank/rules",
        data={"counterparty_name": "buurthuis", "account": "Expenses:Housing:Rent"},
    )
    page = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)

    assert books.scalar(select(func.count()).select_from(BankRule)) == 1
    assert 'value="Huur"' in page  # the proposal, by its Dutch label


def test_the_rules_page_says_which_amounts_a_rule_takes_in_words(
    client, make_user, login_as, org, books
):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    bounds = [("", ""), ("10", ""), ("", "1.250,50"), ("10", "1.250,50")]
    for number, (low, high) in enumerate(bounds):
        client.post(
            f"/o/{org.slug}/bank/rules",
            data={
                "counterparty_name": f"buurthuis {number}",
                "account": "Expenses:Housing:Rent",
                "amount_min": low,
                "amount_max": high,
            },
        )

    page = client.get(f"/o/{org.slug}/bank/rules").get_data(as_text=True).replace("\u00a0", " ")
    cells = re.findall(r'data-testid="rule-amount">(.*?)</td>', page, re.S)

    assert [" ".join(cell.split()) for cell in cells] == [
        "—",
        "vanaf € 10,00",
        "tot en met € 1.250,50",
        "€ 10,00 – € 1.250,50",
    ]


def test_a_rule_whose_bound_is_not_an_amount_is_refused_and_nothing_is_stored(
    client, make_user, login_as, org, books
):
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    for bound in ("NaN", "Infinity", "1e5"):
        response = client.post(
            f"/o/{org.slug}/bank/rules",
            data={
                "counterparty_name": "buurthuis",
                "account": "Expenses:Housing:Rent",
                "amount_min": bound,
            },
            follow_redirects=True,
        )
        assert "geen bedrag" in response.get_data(as_text=True)

    assert books.scalar(select(func.count()).select_from(BankRule)) == 0


def test_a_large_upload_runs_as_a_job_whose_progress_the_browser_can_follow(
    app, client, make_user, login_as, org, books, job_redis, job_redis_url, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", job_redis_url)
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    response = upload(client, org.slug, camt_statement(ING, 2000))
    status_url = response.headers["Location"] + ".json"
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)
    status = client.get(status_url).get_json()

    assert "/bank/jobs/" in response.headers["Location"]
    assert status["status"] == "finished"
    assert status["progress"] == {"phase": "save", "done": 2000, "total": 2000}
    assert status["result"]["imported"] == 2000


def test_an_import_job_of_another_organisation_is_not_found(
    app, client, make_user, login_as, org, books, make_org, job_redis, job_redis_url, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", job_redis_url)
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    job_page = upload(client, org.slug, camt_statement(ING, 2000)).headers["Location"]
    other = make_org()
    login_as(client, make_user(org=other, role=Role.OWNER))

    foreign = client.get(job_page.replace(org.slug, other.slug) + ".json")

    assert foreign.status_code == 404
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)


def test_a_job_page_answers_only_for_a_bank_job_that_carries_this_organisation(
    app, client, make_user, login_as, org, job_redis, job_redis_url, monkeypatch
):
    """Another kind of job of the same organisation (its id in the first argument, but not in
    the meta a bank job carries) is no bank job: the page does not exist for it."""
    monkeypatch.setitem(app.config, "REDIS_URL", job_redis_url)
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    validation = enqueue_validation(job_redis, org.id)

    assert client.get(f"/o/{org.slug}/bank/jobs/{validation.id}.json").status_code == 404
    assert client.get(f"/o/{org.slug}/bank/jobs/{validation.id}").status_code == 404
    validation.delete()


def test_a_rule_is_made_from_a_line_booked_in_the_browser(client, make_user, login_as, org, books):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    line_id = books.scalars(select(BankLine.id).order_by(BankLine.id)).first()
    client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={"line": [str(line_id)], f"account-{line_id}": "Income:Donations:Gifts"},
    )

    inbox = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert "Maak hier een regel van" in inbox
    booked = books.scalar(select(BankLine.transaction_id).where(BankLine.id == line_id))
    assert f'<a href="/o/{org.slug}/transactions/{booked}">' in inbox  # what it was booked as
    assert '<span class="booked-on">geboekt op Donaties en giften</span>' in inbox  # and where
    client.post(f"/o/{org.slug}/bank/lines/{line_id}/rule")

    rules = client.get(f"/o/{org.slug}/bank/rules").get_data(as_text=True)
    assert "NL02 ABNA 0123 4567 89" in rules
    assert '<small data-testid="iban-name">M. Bakker</small>' in rules  # whose IBAN it is
    assert 'data-label="Tegenrekening">Donaties en giften</td>' in rules


def test_a_bookkeeper_ignores_a_line_with_a_reason_and_takes_it_back(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)
    upload(client, org.slug, statement_file("ing.camt053.xml"))
    line_id = books.scalars(select(BankLine.id).order_by(BankLine.id)).first()

    refused = client.post(f"/o/{org.slug}/bank/lines/{line_id}/ignore", data={"reason": " "})
    said = client.get(refused.headers["Location"]).get_data(as_text=True)
    ignored = client.post(f"/o/{org.slug}/bank/lines/{line_id}/ignore", data={"reason": "Privé"})
    inbox = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    listed = client.get(f"/o/{org.slug}/bank/inbox?filter=ignored").get_data(as_text=True)
    restored = client.post(f"/o/{org.slug}/bank/lines/{line_id}/restore")
    after = client.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)

    assert "Geef een reden" in said
    assert ignored.status_code == restored.status_code == 302
    assert f'data-testid="line-{line_id}"' not in inbox and "Genegeerd (1)" in inbox
    assert f'data-testid="line-{line_id}"' in listed and "Privé" in listed
    assert f'data-testid="line-{line_id}"' in after and "Genegeerd (0)" in after


def test_a_viewer_cannot_ignore_or_restore_a_line(client, make_user, login_as, org, books):
    signed_in(client, make_user, login_as, org, Role.VIEWER)

    assert (
        client.post(f"/o/{org.slug}/bank/lines/1/ignore", data={"reason": "x"}).status_code == 403
    )
    assert client.post(f"/o/{org.slug}/bank/lines/1/restore").status_code == 403


def test_an_upload_with_a_pending_line_says_how_many_wait_at_the_bank(
    client, make_user, login_as, org, books
):
    add_bank_account(books, ING, None)
    books.commit()
    signed_in(client, make_user, login_as, org, Role.BOOKKEEPER)

    response = upload(client, org.slug, statement_file("ing.camt053.xml"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "1 regels zijn nog in behandeling bij de bank" in page
    assert "In behandeling bij de bank: de regel is te boeken" in page


def test_an_empty_inbox_leads_a_bookkeeper_to_reading_a_statement_and_a_viewer_nowhere(
    app, make_user, login_as, org
):
    bookkeeper = signed_in(app.test_client(), make_user, login_as, org, Role.BOOKKEEPER)
    viewer = signed_in(app.test_client(), make_user, login_as, org, Role.VIEWER)

    page = bookkeeper.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert "Alle bankregels zijn geboekt." in page
    assert f'href="/o/{org.slug}/bank" data-testid="read-statement"' in page
    seen = viewer.get(f"/o/{org.slug}/bank/inbox").get_data(as_text=True)
    assert "Alle bankregels zijn geboekt." in seen
    assert 'data-testid="read-statement"' not in seen
