"""Entering transactions in the browser's forms: what is posted, and what is refused in words."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.clock import today
from ledger.models import Document, Posting, Transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.balance_checks import write_balance_check
from tests.web.test_dutch_formats import DAY_FIELD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def books(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.BOOKKEEPER))
    return client, org


def stored(engine, org):
    """Every transaction of ``org`` as (payee, narration, {account: number})."""
    with Session(engine) as session:
        bind_session(session, org.tenant)
        from ledger.queries import all_transactions

        return [
            (t.payee, t.narration, {p.account: p.units.number for p in t.postings})
            for _id, t in all_transactions(session)
        ]


def transaction_id(response) -> int:
    found = re.search(r"/transactions/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found[1])


def test_money_out_typed_the_dutch_way_posts_an_expense_against_the_bank(books, engine):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-05",
            "amount": "1.234,56",
            "payee": "Drukkerij De Letter",
            "narration": "Flyers buurtfeest",
            "money_account": "Assets:Bank:Checking",
            "category": "Expenses:Office:Printing",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert stored(engine, org) == [
        (
            "Drukkerij De Letter",
            "Flyers buurtfeest",
            {
                "Expenses:Office:Printing": Decimal("1234.56"),
                "Assets:Bank:Checking": Decimal("-1234.56"),
            },
        )
    ]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Drukkerij De Letter" in page
    assert "€ 1.234,56" in page.replace("\xa0", " ")


def test_an_account_can_be_named_by_its_dutch_or_english_label_or_rgs_code(books, engine):
    client, org = books
    for category in ("Kas", "cash", "BLimKasKas"):
        response = client.post(
            f"/o/{org.slug}/entry/transfer",
            data={
                "date": "2026-03-05",
                "amount": "10.50",
                "money_account": "Assets:Bank:Checking",
                "to_account": category,
            },
        )
        assert response.status_code == 302, category
    moved = [postings["Assets:Cash"] for _p, _n, postings in stored(engine, org)]
    assert moved == [Decimal("10.50")] * 3


def test_money_in_posts_income_against_the_chosen_account(books, engine):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/income",
        data={
            "date": "2026-04-01",
            "amount": "€ 250,-",
            "payee": "Gemeente Utrecht",
            "money_account": "Assets:Bank:Checking",
            "category": "Income:Subsidies:Municipal",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [(_payee, _narration, postings)] = stored(engine, org)
    assert postings["Assets:Bank:Checking"] == Decimal("250")
    assert sum(postings.values()) == 0


def test_refused_fields_are_named_next_to_the_field_and_nothing_is_saved(books, engine):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "",
            "amount": "1.234",
            "money_account": "Assets:Bank:Checking",
            "category": "Onbekende kosten",
            "receipt": (io.BytesIO(b"MZ\x90\x00 not a receipt"), "virus.exe"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for name in ("date", "amount", "category", "receipt"):
        assert f'data-testid="error-{name}"' in page, name
        assert f'aria-describedby="{name}-error"' in page, name
    assert "dubbelzinnig" in page
    assert 'value="Onbekende kosten"' in page
    assert stored(engine, org) == []


def test_a_ledger_refusal_is_shown_at_its_field_and_nothing_is_saved(books, engine, make_org):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "1999-01-01",
            "amount": "5",
            "money_account": "Assets:Bank:Checking",
            "category": "Expenses:Office:Printing",
        },
    )
    assert response.status_code == 422
    assert 'data-testid="error-category"' in response.get_data(as_text=True)
    assert stored(engine, org) == []


def test_a_receipt_is_stored_by_its_content_hash_and_attached_to_the_transaction(
    books, engine, app
):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-06",
            "amount": "12,95",
            "money_account": "Assets:Cash",
            "category": "Expenses:Office:Supplies",
            "receipt": (io.BytesIO(PDF), "bon.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    ident = transaction_id(response)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        document = session.scalars(select(Document).where(Document.transaction_id == ident)).one()
    assert document.mime_type == "application/pdf"
    assert document.path == f"receipts/{document.content_sha256}.pdf"
    download = client.get(f"/o/{org.slug}/documents/{document.id}")
    assert download.status_code == 200
    assert download.data == PDF


def test_the_full_form_fills_in_the_one_empty_amount_and_refuses_two(books, engine):
    client, org = books
    rows = {
        "date": "2026-05-01",
        "narration": "Loon en inhoudingen",
        "account-0": "Expenses:Staff:Salaries",
        "amount-0": "1.000,00",
        "account-1": "Assets:Bank:Checking",
        "amount-1": "-800",
        "account-2": "Liabilities:Taxes:Payroll",
    }
    response = client.post(f"/o/{org.slug}/entry/full", data=rows)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [(_p, _n, postings)] = stored(engine, org)
    assert postings["Liabilities:Taxes:Payroll"] == Decimal("-200.00")
    refused = client.post(f"/o/{org.slug}/entry/full", data={**rows, "amount-0": ""})
    assert refused.status_code == 422
    assert 'data-testid="error-postings"' in refused.get_data(as_text=True)


def test_an_unbalanced_full_entry_is_refused_in_words(books, engine):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/full",
        data={
            "date": "2026-05-01",
            "account-0": "Expenses:Office:Supplies",
            "amount-0": "10",
            "account-1": "Assets:Cash",
            "amount-1": "-9,99",
        },
    )
    page = response.get_data(as_text=True).replace("\u00a0", " ")
    assert response.status_code == 422
    assert 'data-testid="error-postings"' in page
    assert "De boeking is niet in evenwicht: er blijft € 0,01 over." in page
    assert stored(engine, org) == []


def test_an_english_reader_reads_what_is_left_over_as_english_money(books, engine):
    client, org = books
    client.post("/locale", data={"locale": "en", "next": "/"})
    response = client.post(
        f"/o/{org.slug}/entry/full",
        data={
            "date": "2026-05-01",
            "account-0": "Expenses:Office:Supplies",
            "amount-0": "1234.50",
            "account-1": "Assets:Cash",
            "amount-1": "-0.01",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The transaction does not balance: €1,234.49 is left over." in page
    assert stored(engine, org) == []


def test_forms_open_with_todays_date_payee_suggestions_and_the_chart_to_search(books):
    client, org = books
    client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-05",
            "amount": "3",
            "payee": "Bakkerij Bol",
            "money_account": "Assets:Cash",
            "category": "Expenses:Office:Supplies",
        },
    )
    page = client.get(f"/o/{org.slug}/entry/expense").get_data(as_text=True)
    assert f'id="date" name="date" {DAY_FIELD} value="{today():%d-%m-%Y}"' in page
    assert '<option value="Bakkerij Bol">' in page
    assert '<option value="Kantoorbenodigdheden" label="Office supplies · WBedKanKan">' in page


def test_a_viewer_cannot_open_the_entry_forms(app, make_org, make_user, login_as):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.VIEWER))
    assert client.get(f"/o/{org.slug}/entry/expense").status_code == 403
    assert client.get(f"/o/{org.slug}/entry/nonsense").status_code == 403


def test_a_receipt_over_ten_megabytes_is_refused_and_nothing_is_posted(books, engine):
    client, org = books
    big = io.BytesIO(PDF + b"0" * (10 * 1024 * 1024))
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-06",
            "amount": "1",
            "money_account": "Assets:Cash",
            "category": "Expenses:Office:Supplies",
            "receipt": (big, "groot.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "te groot" in response.get_data(as_text=True)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert session.scalar(select(func.count()).select_from(Transaction)) == 0
        assert session.scalar(select(func.count()).select_from(Posting)) == 0


def test_a_receipt_on_a_refused_booking_is_not_recorded_either(books, engine):
    client, org = books
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "1999-01-01",
            "amount": "12,95",
            "money_account": "Assets:Bank:Checking",
            "category": "Expenses:Office:Printing",
            "receipt": (io.BytesIO(PDF), "bon.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert stored(engine, org) == []
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert session.scalars(select(Document)).all() == []


def test_a_broken_balance_check_names_the_account_by_its_label_in_the_readers_language(
    books, engine
):
    client, org = books
    with Session(engine) as session:
        bind_session(session, org.tenant)
        write_balance_check(session, "Assets:Bank:Checking", date(2026, 6, 1), "0.00")
    expense = {
        "date": "2026-03-05",
        "amount": "12,50",
        "money_account": "Assets:Bank:Checking",
        "category": "Expenses:Office:Supplies",
    }

    dutch = client.post(f"/o/{org.slug}/entry/expense", data=expense)
    client.post("/locale", data={"locale": "en", "next": "/"})
    english = client.post(f"/o/{org.slug}/entry/expense", data={**expense, "amount": "12.50"})

    assert dutch.status_code == english.status_code == 422
    assert (
        "De saldocontrole van Rekening-courant bank op 01-06-2026 (€ 0,00) klopt dan niet meer:"
        " het saldo wordt € -12,50."
    ) in dutch.get_data(as_text=True).replace("\u00a0", " ")
    assert (
        "The balance assertion of Current account on 01/06/2026 (€0.00) would no longer hold:"
        " the balance becomes -€12.50."
    ) in english.get_data(as_text=True)
    assert stored(engine, org) == []


def test_a_day_typed_without_its_year_books_on_that_day_this_year(books, engine):
    client, org = books
    now = today()
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": f"{now.day}-{now.month}",
            "amount": "12,50",
            "narration": "Koffie",
            "money_account": "Assets:Bank:Checking",
            "category": "Expenses:Office:Printing",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert session.scalars(select(Transaction.date)).all() == [now]


def test_a_reports_day_is_typed_whole_and_day_and_month_alone_is_refused(books):
    # A period may as well lie ahead: no year is guessed there, as it is for a booking.
    client, org = books
    response = client.get(f"/o/{org.slug}/journal?from=1-1")
    assert response.status_code == 422
    assert "Dit is geen datum: ‘1-1’" in response.get_data(as_text=True)
