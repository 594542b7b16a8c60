"""The templates' own ``_`` and the cells built in Python write what Jinja's own would."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from flask import Flask, g, render_template, render_template_string, request, url_for
from flask_babel import force_locale
from jinja2 import DictLoader
from jinja2.ext import _make_new_gettext
from markupsafe import Markup

from app.cells import account_datalist, account_url, id_urls, transaction_amount
from app.i18n import ROLE_NAMES, _translations, day, month, role_name, short_day
from app.links import this_page_with
from app.tenancy import OrgContext
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.suggestions import AccountChoice
from tenants.roles import Role
from tests.test_i18n import KEYWORDS, ROOT

TEMPLATES = [
    "{{ _('Journaal') }}",
    "{{ _('Boeking %(id)s', id=7) }}",
    "{{ _('Boeking %(id)s', id='<b>&') }}",  # a variable is escaped, the word is not
    "{{ _('100%% <zeker>') }}",  # always formatted: %% is one percent sign
    "{% for n in range(3) %}{{ _('Taal') }}{% endfor %}",  # asked again: the same answer
]


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_templates_underscore_writes_what_jinjas_gettext_writes(
    app: Flask, locale: str, source: str, autoescape: bool
) -> None:
    ours = app.jinja_env.overlay(autoescape=autoescape)
    theirs = app.jinja_env.overlay(autoescape=autoescape)
    theirs.globals = {
        **app.jinja_env.globals,
        "_": _make_new_gettext(lambda string: _translations().ugettext(string)),
    }
    with app.test_request_context(), force_locale(locale):
        expected = theirs.from_string(source).render()
        assert ours.from_string(source).render() == expected
    assert expected  # the comparison compared something


def test_the_english_words_are_english(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert app.jinja_env.from_string("{{ _('Journaal') }}").render() == "Journal"
    with app.test_request_context(), force_locale("nl"):
        assert app.jinja_env.from_string("{{ _('Journaal') }}").render() == "Journaal"


@pytest.mark.parametrize("transaction_id", [1, 42, 10**12])
def test_a_link_per_id_is_the_link_url_for_makes(app: Flask, transaction_id: int) -> None:
    with app.test_request_context("/"):
        made = id_urls("transactions.show", "transaction_id", slug="club")
        assert made(transaction_id) == url_for(
            "transactions.show", transaction_id=transaction_id, slug="club"
        )


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_days_are_the_same_asked_twice_and_a_moment_keeps_its_dutch_day(
    app: Flask, locale: str
) -> None:
    with app.test_request_context(), force_locale(locale):
        first = (short_day(date(2026, 1, 5)), day(date(2026, 1, 5)), month(date(2026, 1, 5)))
        again = (short_day(date(2026, 1, 5)), day(date(2026, 1, 5)), month(date(2026, 1, 5)))
        late_evening_utc = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
        moment = short_day(late_evening_utc)
    assert first == again
    if locale == "nl":
        assert first == ("05-01-2026", "5 jan 2026", "januari 2026")
        assert moment == "06-01-2026"
    else:
        assert first == ("05/01/2026", "5 Jan 2026", "January 2026")
        assert moment == "06/01/2026"


def _org(slug: str) -> OrgContext:
    return OrgContext(id=1, slug=slug, name=slug, role=Role.OWNER, is_bureau=False)


def _rendered(source: str) -> str:
    """``source`` rendered as a page is, through Flask (its context processors included)."""
    return render_template_string(source)


def test_a_kept_link_is_the_link_of_its_own_organisation(app: Flask) -> None:
    for slug in ("club-a", "club-b", "club-a"):
        with app.test_request_context(f"/o/{slug}/journal"):
            g.org = _org(slug)
            assert _rendered("{{ page_url('books.journal_page') }}") == f"/o/{slug}/journal"
            assert _rendered("{{ page_url('entry.simple', kind='expense') }}") == url_for(
                "entry.simple", kind="expense"
            )
            assert _rendered("{{ page_url('static', filename='app.css') }}") == "/static/app.css"
    with app.test_request_context("/account"):
        assert _rendered("{{ page_url('home.index') }}") == url_for("home.index")


def test_a_kept_link_follows_the_script_root(app: Flask) -> None:
    with app.test_request_context("/o/club/journal", base_url="http://localhost/books-app"):
        g.org = _org("club")
        assert _rendered("{{ page_url('books.journal_page') }}") == "/books-app/o/club/journal"


@pytest.mark.parametrize("root", ["", "/books-app"])
def test_an_accounts_link_is_kept_per_organisation_and_script_root(app: Flask, root: str) -> None:
    """The journal and the reports link every account: kept per process, each link still
    url_for's own, of the organisation and under the script root of the page that shows it."""
    names = ["Assets:Bank:Checking", "Expenses:Café & co/Koffie", "Income:100% Leden?"]
    for slug in ("club-a", "club-b", "club-a"):
        with app.test_request_context(f"/o/{slug}/journal", base_url=f"http://localhost{root}"):
            g.org = _org(slug)
            expected = [url_for("books.account_page", account=name) for name in names]
            g.pop("account_urls", None)  # made again, from the kept links
            shown = [account_url(name) for name in names]
            g.pop("account_urls", None)
            again = [account_url(name) for name in names]
        assert shown == again == expected
        assert all(link.startswith(f"{root}/o/{slug}/accounts/") for link in shown)


THIS_PAGE_CASES = [
    ("/o/club/journal", {"format": "csv"}),
    ("/o/club/journal?tag=a%20b&q=caf%C3%A9+%26+co&before=2025-01-01_5", {"before": ""}),
    ("/o/club/journal?tag=one&tag=two&account=Assets:Bank", {"before": "2024-12-31_77"}),
    ("/o/club/journal?q=!$'()*,/:;?@%23%25", {"format": "csv"}),
    ("/o/club/accounts/Expenses:Caf%C3%A9%20%26%20co/Koffie?after=2025-03-01_9", {"after": ""}),
    (
        "/o/club/reports/income-statement?from=2025-01-01&to=2025-12-31&date=",
        {"from": "2026-01-01", "to": "2026-03-31", "date": ""},
    ),
    ("/o/club/reports/trial-balance", {"from": "2026-01-01", "to": "2026-12-31", "date": ""}),
]


@pytest.mark.parametrize(("path", "changes"), THIS_PAGE_CASES)
def test_a_link_to_this_page_with_its_query_changed_is_the_link_url_for_makes(
    app: Flask, path: str, changes: dict[str, str]
) -> None:
    with app.test_request_context(path, base_url="http://localhost/books-app"):
        g.org = _org("club")
        expected = url_for(
            request.endpoint or "", **dict(request.view_args or {}, **dict(request.args, **changes))
        )
        assert this_page_with(**changes) == expected
        assert this_page_with(**changes) == expected  # the path kept for the request


def test_a_menu_link_marks_the_page_shown_and_escapes_its_label(app: Flask) -> None:
    with app.test_request_context("/o/club/journal"):
        g.org = _org("club")
        shown = _rendered("{{ navlink('books.journal_page', 'Journaal <&>') }}")
        other = _rendered("{{ navlink('dashboard.index', 'Overzicht') }}")
    assert shown == '<a href="/o/club/journal" aria-current="page">Journaal &lt;&amp;&gt;</a>'
    assert other == '<a href="/o/club/">Overzicht</a>'


def test_a_macro_imported_without_context_makes_the_same_links(app: Flask) -> None:
    """The page's place is read once per render; a macro without the page's context reads it
    from the request instead, and a template rendered by a job (no request) needs none."""
    macro = "{% macro menu() %}{{ navlink('books.journal_page', 'J') }}{% endmacro %}"
    loader = app.jinja_env.loader
    app.jinja_env.loader = DictLoader({"menu.html": macro, "mail.txt": "{{ 7 | money }}"})
    app.jinja_env.cache = {}
    try:
        with app.test_request_context("/o/club/journal"):
            g.org = _org("club")
            shown = _rendered("{% import 'menu.html' as m %}{{ m.menu() }}")
        with app.app_context(), force_locale("nl"):
            mail = render_template("mail.txt")
    finally:
        app.jinja_env.loader = loader
        app.jinja_env.cache = {}
    assert shown == '<a href="/o/club/journal" aria-current="page">J</a>'
    assert mail == "€\N{NO-BREAK SPACE}7,00"


def _posting(account: str, number: str, currency: str = "EUR") -> NewPosting:
    return NewPosting(account, Amount(Decimal(number), currency))


def test_a_transaction_shows_its_debits_in_the_currency_of_its_first_posting(app: Flask) -> None:
    mixed = NewTransaction(
        date(2026, 1, 5),
        "wissel",
        (
            _posting("Expenses:Travel", "10.00"),
            _posting("Assets:Cash", "-10.00"),
            _posting("Assets:Dollars", "12.00", "USD"),
            _posting("Expenses:Fees", "2.50"),
        ),
    )
    with app.test_request_context(), force_locale("nl"):
        assert transaction_amount(mixed) == "€\N{NO-BREAK SPACE}12,50"
        assert transaction_amount(NewTransaction(date(2026, 1, 5), "leeg", ())) == ""


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("role", list(Role))
def test_a_role_is_named_as_its_lazy_name_says(app: Flask, locale: str, role: Role) -> None:
    with app.test_request_context(), force_locale(locale):
        assert role_name(role.value) == str(ROLE_NAMES[role])


def test_a_kept_menu_link_escapes_plain_text_however_a_word_of_the_same_letters_was_kept(
    app: Flask,
) -> None:
    with app.test_request_context("/o/club/journal"):
        g.org = _org("club")
        source = "{{ navlink('dashboard.index', label) }}"
        word = render_template_string(source, label=Markup("<b>Overzicht</b>"))
        text = render_template_string(source, label="<b>Overzicht</b>")
    assert word == '<a href="/o/club/"><b>Overzicht</b></a>'
    assert text == '<a href="/o/club/">&lt;b&gt;Overzicht&lt;/b&gt;</a>'


def test_the_account_datalist_escapes_what_it_shows(app: Flask) -> None:
    choice = AccountChoice(
        name="Expenses:Food",
        type="Expenses",
        label_nl='Eten & "drinken"',
        label_en="<b>Food</b>",
        rgs_code=None,
    )
    with app.test_request_context(), force_locale("nl"):
        shown = account_datalist([choice], "a<b", compact=True)
    assert "<b>" not in shown
    assert 'id="a&lt;b"' in shown
    assert 'value="Eten &amp; &#34;drinken&#34;"' in shown


# The pages and their messages say "je"; "u" and "uw" as words address the reader formally.
FORMAL_ADDRESS = re.compile(r"\b(?:u|uw)\b", re.IGNORECASE)
SHOWN = ("app/", "ledger/", "purchasing/", "tenants/")
# Formal on purpose: the bureau's letters (invoice, reminder and prenotification mails, the
# invoice PDFs), the mails app/templates/mail/ sends, and the legal text of the SEPA mandate.
NOT_SHOWN = ("app/templates/mail/", "purchasing/documents/")
MANDATE = "app/templates/payments/mandate.html"


def formally_addressed(root: Path) -> list[str]:
    """Every message id a page shows (a template's words, a view's flash, a domain refusal)
    that says "u" or "uw", as ``place: id``: read as scripts/i18n reads them, from babel.cfg."""
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = []
    for filename, lineno, text, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        place = Path(filename).as_posix()
        if not place.startswith(SHOWN) or place.startswith(NOT_SHOWN):
            continue
        if place == MANDATE:
            line = (root / place).read_text(encoding="utf-8").splitlines()[lineno - 1]
            if 'id="mandate-text"' in line:
                continue  # the mandate's legal text
        for message_id in text if isinstance(text, tuple) else (text,):
            if message_id and FORMAL_ADDRESS.search(message_id):
                found.append(f"{place}:{lineno}: {message_id}")
    return found


def test_every_page_and_message_says_je_and_only_letters_and_the_mandate_say_u(
    tmp_path: Path,
) -> None:
    """The product speaks informally to whoever reads a page; the bureau's business letters and
    the mandate's legal text stay formal. Planted first: the check finds what it should."""
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    legal = '<p id="mandate-text">{{ _("Door deze machtiging geeft u uw bank toestemming.") }}</p>'
    planted = {
        "app/templates/invoices/detail.html": '{{ _("Zo betaalt u") }}\n{{ _("Zo betaal je") }}',
        "app/templates/insurance/_show.html": '{{ _("Uw opgave") }} {{ _("Utrecht, uur") }}',
        "app/templates/mail/reminder.txt": '{{ _("Heeft u al betaald?") }}',
        MANDATE: legal + '\n<p>{{ _("Dank u wel.") }}</p>',
        "app/views.py": 'flash(_("U neemt al deel."))\nflash(_("Je neemt al deel."))',
        "ledger/amounts.py": 'message("%(text)s is dubbelzinnig: bedoelt u %(thousands)s?")',
        "purchasing/documents/texts.py": 'message("Bijgaand vindt u uw factuur.")',
    }
    for name, source in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source, encoding="utf-8")
    assert sorted(formally_addressed(tmp_path)) == [
        "app/templates/insurance/_show.html:1: Uw opgave",
        "app/templates/invoices/detail.html:1: Zo betaalt u",
        f"{MANDATE}:2: Dank u wel.",
        "app/views.py:1: U neemt al deel.",
        "ledger/amounts.py:1: %(text)s is dubbelzinnig: bedoelt u %(thousands)s?",
    ]
    assert formally_addressed(ROOT) == []
