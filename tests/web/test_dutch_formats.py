"""Every page, as every role, reads Dutch: € 1.234,56, 21%, dd-mm-jjjj, no English status words.

The pages come from the application's URL map (every GET route), with real ids from a populated
member organisation and bureau, so a page added tomorrow is read tomorrow. What is checked is the
visible text (scripts, styles and attribute values left out), and every field a person types a
day into: a text field that shows its day as dd-mm-jjjj, never the browser's date picker, whose
format follows the browser's language (12/31/2026 in an English browser).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy.engine import Engine

from tests.conftest import login
from tests.web.populated import PERSONAS, Populated, person_of, populate
from tests.web.test_isolation import _ARGUMENT, Route, routes

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DUTCH_DAY = re.compile(r"\d{2}-\d{2}-\d{4}")
# How every day's field is written (entry/_fields.html, ``day_kind``).
DAY_FIELD = (
    'type="text" inputmode="decimal" autocomplete="off" placeholder="dd-mm-jjjj"'
    ' data-calendar="Kies op de kalender"'
)
DOT_DECIMAL = re.compile(
    r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])\s*(?:%|EUR|€)|(?:€|EUR)\s*-?\d+\.\d{2}\b|\b\d+\.\d{2}\s*EUR\b"
)
# Words of the stored statuses and audit entries that must reach a reader in Dutch.
ENGLISH = re.compile(
    r"\b(?:done|pending|queued|running|failed|finished|invoice|transaction|paid|overdue|draft"
    r"|issued|cancelled|credited|posted|reversed|premium|membership|correction|true_up"
    r"|open_lines|bank_line|enrolment|declaration|policy|reminder|payment|unpaid"
    r"|imported|duplicates|amount|date|create|delete|edit|reverse|attach|reopen)\b",
    re.IGNORECASE,
)
# A Beancount account path (Expenses:Office:Printing) is a name, not prose.
ACCOUNT_PATH = re.compile(r"\b[A-Z][\w-]*(?::[\w-]+)+")
# Ids of the populated world by argument name; a few endpoints take an id under another name.
SPECIAL = {"insurance.share": {"invoice_id": "premium_invoice_id"},
           "insurance_bureau.run": {"run_id": "premium_run_id"}}  # fmt: skip
NOT_PAGES = {"static", "auth.accept_invitation", "books.export", "bank.job_status", "bank.job_page",
             "invoices_bureau.run_progress", "pay.returned", "pay.pay_invoice"}  # fmt: skip


@pytest.fixture(scope="module")
def world(engine: Engine) -> Populated:
    return populate(engine)


@pytest.fixture(scope="module")
def clients(app: Flask, engine: Engine, world: Populated) -> dict[str, FlaskClient]:
    signed_in = {}
    for persona in PERSONAS:
        client = app.test_client()
        login(client, person_of(engine, world.emails[persona]))
        signed_in[persona] = client
    return signed_in


@pytest.fixture(scope="module")
def crawled(clients: dict[str, FlaskClient], world: Populated) -> list[tuple[str, str, str]]:
    return list(read_every_page(clients, world))


def url_of(route: Route, world: Populated) -> str | None:
    """The route's URL with the world's ids, or None when the world has nothing for it."""
    names = SPECIAL.get(route.endpoint, {})
    values = {**world.arguments, "slug": world.member_slug}
    if route.rule.startswith("/bureau/organisations/"):
        values["slug"] = world.member_slug
    missing = [m["name"] for m in _ARGUMENT.finditer(route.rule)
               if names.get(m["name"], m["name"]) not in values]  # fmt: skip
    if missing:
        return None
    return _ARGUMENT.sub(lambda m: values[names.get(m["name"], m["name"])], route.rule)


def pages() -> list[Route]:
    return [r for r in routes() if r.method == "GET" and r.endpoint not in NOT_PAGES]


def visible_text(page: str) -> str:
    tree = html.fromstring(page)
    for hidden in tree.xpath("//script|//style|//template|//*[@hidden]"):
        hidden.drop_tree()
    return " ".join(" ".join(tree.itertext()).split())


def mistakes(text: str) -> list[str]:
    """What is not Dutch in ``text``: ISO dates, dot-decimal amounts, English status words."""
    prose = ACCOUNT_PATH.sub(" ", text)
    return (
        [f"ISO date {m.group()}" for m in ISO_DATE.finditer(text)]
        + [f"dot decimal {m.group()}" for m in DOT_DECIMAL.finditer(text)]
        + [f"English {m.group()!r} in …{_around(prose, m)}…" for m in ENGLISH.finditer(prose)]
    )


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 40) : match.end() + 40]


def read_every_page(
    clients: dict[str, FlaskClient], world: Populated
) -> Iterator[tuple[str, str, str]]:
    """(persona, url, html) of every page that persona may read."""
    for route in pages():
        url = url_of(route, world)
        if url is None:
            continue
        for persona, client in clients.items():
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            yield persona, url, response.get_data(as_text=True)


def test_the_checker_catches_an_iso_date_a_dot_decimal_amount_and_an_english_status():
    planted = "<p>Geboekt op 2026-03-10: 35.00 EUR, tarief 21.00%, status done</p>"
    found = mistakes(visible_text(planted))
    assert [item.split()[0] for item in found] == ["ISO", "dot", "dot", "English"]
    assert mistakes(visible_text("<p>10-03-2026: € 1.234,56, 21%, geboekt</p>")) == []


def test_the_crawl_reaches_the_pages_with_ids_as_every_role(crawled):
    seen = {(persona, url) for persona, url, _ in crawled}
    urls = {url for _, url in seen}
    assert len(urls) >= 40, sorted(urls)
    for persona in PERSONAS:
        assert any(p == persona for p, _ in seen), persona
    assert any("/transactions/" in url for url in urls)
    assert any("/bureau/invoices/" in url for url in urls)


def test_every_page_title_is_plain_text(crawled):
    titles = {url: html.fromstring(page).findtext(".//title") or "" for _, url, page in crawled}
    assert {url: title for url, title in titles.items() if "<" in title or not title} == {}


def test_every_page_as_every_role_shows_dutch_dates_amounts_and_words(crawled):
    found = {}
    for persona, url, page in crawled:
        problems = mistakes(visible_text(page))
        if problems:
            found[f"{persona} {url}"] = sorted(set(problems))[:6]
    assert not found, "\n".join(f"{page}: {problems}" for page, problems in found.items())


def test_every_day_is_typed_and_shown_day_first_in_a_text_field(crawled):
    found, fields = {}, 0
    for persona, url, page in crawled:
        tree = html.fromstring(page)
        problems = [f"date picker {i.get('name')}" for i in tree.xpath("//input[@type='date']")]
        for field in tree.xpath("//input[@placeholder='dd-mm-jjjj']"):
            fields += 1
            value = field.get("value", "")
            if value and not DUTCH_DAY.fullmatch(value):
                problems.append(f"{field.get('name')}={value!r}")
        for field in tree.xpath("//input[not(@type='hidden')][@value]"):
            if ISO_DATE.search(field.get("value")):
                problems.append(f"ISO date in {field.get('name')}={field.get('value')!r}")
        if problems:
            found[f"{persona} {url}"] = sorted(set(problems))[:6]
    assert not found, "\n".join(f"{page}: {problems}" for page, problems in found.items())
    assert fields >= 30  # the crawl reached the forms and reports with days


def test_the_people_with_access_are_called_gebruikers_not_leden(clients, world):
    page = clients["owner"].get(f"/o/{world.member_slug}/members").get_data(as_text=True)
    menu = html.fromstring(page).xpath('//nav[@class="orgnav"]')[0]
    links = [" ".join(link.text_content().split()) for link in menu.iter("a")]
    assert "Gebruikers" in links and "Leden" not in links
    assert "<h1>Gebruikers van Stichting De Linde</h1>" in page


def test_every_page_that_says_pool_explains_what_a_pool_is(crawled):
    unexplained = set()
    for _, url, page in crawled:
        text = visible_text(page).replace("AVB-pool", "")  # the pool's own name
        if re.search(r"\bpools?\b", text, re.IGNORECASE) and "pool-explained" not in page:
            unexplained.add(url)
    assert unexplained == set()


# Pages still to move to labels, by the end of their path: the bank inbox shows a viewer the
# proposed account by its name (being reworked on its own branch; remove it from here then).
NOT_YET_LABELLED: tuple[str, ...] = ()
ROOT_PATH = re.compile(r"\b(?:Assets|Liabilities|Equity|Income|Expenses)(?::[\w-]+)+")


def test_the_checker_catches_a_beancount_account_name():
    assert ROOT_PATH.findall(visible_text("<p>Geboekt op Expenses:Housing:Rent</p>")) == [
        "Expenses:Housing:Rent"
    ]
    assert ROOT_PATH.findall(visible_text('<input value="Assets:Bank:Checking"><p>Huur</p>')) == []


def test_no_page_shows_a_beancount_account_name_outside_an_advanced_view(crawled):
    found = {}
    for persona, url, page in crawled:
        if url.split("?")[0].endswith(NOT_YET_LABELLED):
            continue
        names = ROOT_PATH.findall(visible_text(page))
        if names:
            found[f"{persona} {url}"] = sorted(set(names))[:4]
    assert not found, "\n".join(f"{page}: {names}" for page, names in found.items())
