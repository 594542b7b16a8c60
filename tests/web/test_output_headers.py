"""Output hardening: strict headers on every answer, private receipts, spreadsheet-safe exports,
job status for the organisation's own jobs only, and e-mail links from ``SB_PUBLIC_URL`` only."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.roles import Role
from tests.web.test_members import TOKEN_IN_LINK, invite, last_mail_to
from workers.settings import DEVELOPMENT_PUBLIC_URL

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "app" / "templates"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00<html><script>"
HOSTILE_BOOK = """
2024-01-01 open Assets:Bank EUR
2024-01-01 open Income:Gifts EUR
2024-01-01 open Expenses:Rent EUR

2024-02-01 * "=HYPERLINK(\\"http://evil.example\\",\\"klik\\")" "+31 6 1234"
  Assets:Bank 100.00 EUR
  Income:Gifts -100.00 EUR

2024-02-02 * "@SUM(A1)" "-2+3"
  Expenses:Rent 12.50 EUR
  Assets:Bank -12.50 EUR
"""


@pytest.fixture
def owner(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Any,
) -> tuple[FlaskClient, Any]:
    org = make_org()
    with Session(engine) as session:
        bind_session(session, org.tenant)
        import_book(session, HOSTILE_BOOK, actor_id=None)
        session.commit()  # the test is the unit of work
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return client, org


def test_every_page_sends_a_strict_policy_no_framing_no_sniffing_and_no_store(
    owner: tuple[FlaskClient, Any],
) -> None:
    client, org = owner
    for path in (f"/o/{org.slug}/", f"/o/{org.slug}/journal", "/my-organisations"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers


def test_the_login_page_is_framed_by_no_one_and_static_files_stay_cacheable(
    client: FlaskClient,
) -> None:
    login = client.get("/login")
    assert login.headers["X-Frame-Options"] == "DENY"
    static = client.get("/static/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert static.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_only_over_https(client: FlaskClient) -> None:
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_no_template_holds_inline_script_or_event_handler_attributes() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style_attribute = re.compile(r"\sstyle\s*=", re.IGNORECASE)
    found = []
    for template in TEMPLATES.rglob("*.html"):
        if template.name.endswith("_pdf.html"):  # rendered to PDF on the server, never served
            continue
        text = template.read_text()
        for pattern in (inline_script, handler, style_attribute):
            found += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def receipt_of(client: FlaskClient, org: Any, content: bytes, name: str) -> Any:
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2024-03-05",
            "amount": "12,50",
            "payee": "Bakker",
            "narration": "Koffie",
            "money_account": "Assets:Bank",
            "category": "Expenses:Rent",
            "receipt": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(rf"/o/{org.slug}/documents/(\d+)", page)
    assert found, page[:2000]
    return client.get(found.group(0))


def test_a_pdf_receipt_is_shown_inline_but_private_never_stored_and_never_sniffed(
    owner: tuple[FlaskClient, Any],
) -> None:
    client, org = owner
    download = receipt_of(client, org, PDF, "bon.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert not download.headers.get("Content-Disposition", "").startswith("attachment")


def test_a_receipt_of_a_type_that_may_carry_script_is_a_download(
    owner: tuple[FlaskClient, Any],
) -> None:
    client, org = owner
    download = receipt_of(client, org, WEBP, "foto.webp")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/octet-stream"
    assert download.headers["Cache-Control"] == "private, no-store"


def test_a_csv_export_writes_formulas_as_text_and_negative_amounts_as_numbers(
    owner: tuple[FlaskClient, Any],
) -> None:
    client, org = owner
    response = client.get(f"/o/{org.slug}/journal?format=csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","klik")' in cells
    assert "'+31 6 1234" in cells and "'@SUM(A1)" in cells and "'-2+3" in cells
    assert "-12.50" in cells and "-100.00" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]


def test_an_xlsx_export_writes_hostile_labels_as_text_and_amounts_as_numbers(
    owner: tuple[FlaskClient, Any], engine: Engine
) -> None:
    client, org = owner
    with Session(engine) as session:
        bind_session(session, org.tenant)
        from sqlalchemy import text

        session.execute(text("UPDATE accounts SET label_nl = '=1+1' WHERE name = 'Assets:Bank'"))
        session.commit()
    response = client.get(f"/o/{org.slug}/reports/trial-balance?date=2024-12-31&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=1+1" in values
    assert not [v for v in values if isinstance(v, str) and v.startswith("=")]
    assert 100 in values and 12.5 in values  # amounts stay numeric cells


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


@pytest.mark.parametrize("public_url", [None, "https://boeken.example.org/"])
def test_an_invitation_link_follows_sb_public_url_and_never_the_host_header(
    app: Flask,
    owner: tuple[FlaskClient, Any],
    monkeypatch: pytest.MonkeyPatch,
    public_url: str | None,
) -> None:
    """Unset (tests, development) it is the address ``serve`` listens on; set, it is that."""
    client, org = owner
    if public_url:
        monkeypatch.setitem(app.config, "PUBLIC_URL", public_url)
    expected = public_url or DEVELOPMENT_PUBLIC_URL + "/"
    email = f"gast-{org.slug}@example.org"
    forger = app.test_client(use_cookies=False)
    response = forger.post(
        f"/o/{org.slug}/members/invitations",
        data={"email": email, "role": "viewer"},
        # The session cookie belongs to localhost: send it along to the forged host by hand.
        headers={"Host": "evil.example", "Cookie": f"session={session_cookie(client)}"},
    )
    assert response.status_code == 302
    body = last_mail_to(app, email).get_content()
    assert f"{expected}invitations/" in body
    assert "evil.example" not in body


def test_an_organisation_name_with_a_line_break_does_not_break_the_invitation(
    app: Flask, make_org: Callable[..., Any], make_user: Callable[..., Any], login_as: Any
) -> None:
    org = make_org(name="Buurthuis\r\nBcc: iedereen@example.org")
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    email = f"nieuw-{org.slug}@example.org"
    assert invite(client, org, email).status_code == 302
    mail = last_mail_to(app, email)
    assert mail["Subject"] == "Uitnodiging voor Buurthuis Bcc: iedereen@example.org"
    assert mail["Bcc"] is None
    assert TOKEN_IN_LINK.search(mail.get_content())


def production_start(
    environment: dict[str, str], code: str = "import wsgi"
) -> subprocess.CompletedProcess[str]:
    """Import ``wsgi`` (what gunicorn serves) in a fresh interpreter with ``environment``."""
    env = {k: v for k, v in os.environ.items() if k != "SB_PUBLIC_URL"} | environment
    env.setdefault("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_sb_public_url_and_says_what_to_set(
    tmp_path: Path,
) -> None:
    refused = production_start({"SB_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x" * 40})
    assert refused.returncode != 0
    assert "SB_PUBLIC_URL is not set" in refused.stderr
    started = production_start(
        {
            "SB_INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "x" * 40,
            "SB_PUBLIC_URL": "https://boeken.example.org",
        }
    )
    assert started.returncode == 0, started.stderr[-2000:]


def test_production_start_freezes_what_start_up_built(tmp_path: Path) -> None:
    """The collector's full collections leave the application's own objects alone (wsgi.py)."""
    started = production_start(
        {
            "SB_INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "x" * 40,
            "SB_PUBLIC_URL": "https://boeken.example.org",
        },
        code="import gc, wsgi; print(gc.get_freeze_count())",
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert int(started.stdout.split()[-1]) > 100_000
