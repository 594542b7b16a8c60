"""The English catalog covers every Dutch message id, and Dutch and English formats are right."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from babel.dates import get_month_names
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from flask import render_template
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, pass_context

from app.i18n import (
    _at_most_cents,
    day,
    money,
    month_names,
    number,
    page_locale,
    role_name,
    short_day,
)

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
# The keywords of scripts/i18n: Flask-Babel's defaults, lazy labels and the domain's message().
KEYWORDS = {**DEFAULT_KEYWORDS, "message": None, "_l": None, "lazy_gettext": None}


def extracted_message_ids() -> dict[str, str]:
    """Every message id in the code, with one place it occurs."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, lineno, text, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        # A plural is one catalog entry, found under its singular.
        message_id = text[0] if isinstance(text, tuple) else text
        if message_id:
            found.setdefault(message_id, f"{filename}:{lineno}")
    return found


def english_catalog() -> Catalog:
    with (CATALOG_DIR / "messages.po").open("rb") as po:
        return read_po(po)


def translations(catalog: Catalog) -> dict[object, object]:
    """Message id to translation; plural ids and forms as tuples, however the reader gave them."""

    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {frozen(message.id): frozen(message.string) for message in catalog if message.id}


def test_the_extraction_finds_the_message_ids_of_views_templates_forms_and_the_domain():
    found = extracted_message_ids()
    assert "Onbekend e-mailadres of verkeerd wachtwoord." in found  # a view
    assert "Uitnodiging versturen" in found  # a template
    assert "Korte naam (in de URL)" in found  # a lazy form label
    assert "Een organisatie houdt minstens één eigenaar." in found  # the domain


def test_every_message_id_in_the_code_has_an_english_translation():
    catalog = english_catalog()
    problems = []
    for message_id, place in sorted(extracted_message_ids().items()):
        entry = catalog.get(message_id)
        strings = entry.string if entry is not None else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or not translated or entry.fuzzy:
            problems.append(f"{place}: {message_id!r}")
    assert not problems, "run scripts/i18n and translate:\n" + "\n".join(problems)


def test_the_committed_mo_is_the_compiled_po():
    compiled = BytesIO()
    write_mo(compiled, english_catalog())
    compiled.seek(0)
    with (CATALOG_DIR / "messages.mo").open("rb") as committed:
        assert translations(read_mo(committed)) == translations(read_mo(compiled)), (
            "run scripts/i18n to recompile the .mo"
        )


def test_dutch_amounts_dates_and_numbers(app):
    with app.test_request_context(), force_locale("nl"):
        # "€ 1.234,56", with a no-break space so the sign never ends a line on its own.
        assert money(Decimal("1234.56")) == "€\N{NO-BREAK SPACE}1.234,56"
        assert money(Decimal("-1234.50")) == "€\N{NO-BREAK SPACE}-1.234,50"
        assert number(Decimal("1234.5")) == "1.234,5"
        assert short_day(date(2026, 11, 27)) == "27-11-2026"
        assert day(date(2026, 11, 27)) == "27 nov 2026"
        assert role_name("bookkeeper") == "boekhouder"


def test_english_amounts_dates_and_numbers(app):
    with app.test_request_context(), force_locale("en"):
        assert money(Decimal("1234.56")) == "€1,234.56"
        assert number(Decimal("1234.5")) == "1,234.5"
        assert short_day(date(2026, 11, 27)) == "27/11/2026"
        assert day(date(2026, 11, 27)) == "27 Nov 2026"
        assert role_name("bookkeeper") == "bookkeeper"


@pytest.mark.parametrize(("locale", "babel_locale"), [("nl", "nl_NL"), ("en", "en_GB")])
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amount=st.one_of(
        st.decimals(places=2, min_value=-(10**12), max_value=10**12, allow_nan=False),
        st.integers(-(10**9), 10**9).map(Decimal),
        st.sampled_from(
            [Decimal(text) for text in ("-0.00", "0", "5E+3", "1.005", "12.5", "1.500", "-7.0")]
        ),
    )
)
def test_amounts_are_written_exactly_as_babel_writes_them(app, locale, babel_locale, amount):
    with app.test_request_context(), force_locale(locale):
        assert money(amount) == format_currency(amount, "EUR", locale=babel_locale)
        assert money(amount, "USD") == format_currency(amount, "USD", locale=babel_locale)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", True), ("12.5", True), ("12", True), ("-0.00", True), ("0E-2", True),
        ("1.500", False), ("0.001", False), ("5E+3", False), ("1E+1", False),
        ("NaN", False), ("sNaN", False), ("Infinity", False), ("-Infinity", False),
    ],
)  # fmt: skip
def test_the_quick_path_takes_amounts_of_at_most_two_decimals_only(text, expected):
    """Written as Babel would by ``_euros``; any other amount goes through Babel itself."""
    assert _at_most_cents(Decimal(text)) is expected


@pytest.mark.parametrize("width", ["wide", "abbreviated"])
def test_month_names_are_babels_in_the_chosen_language(app, width):
    with app.test_request_context():
        # Kept per language, each its own; named as the reader's dates are (``Sept`` in en_GB).
        for locale, babel_locale in [("nl", "nl_NL"), ("en", "en_GB")] * 2:
            with force_locale(locale):
                expected = get_month_names(width, locale=babel_locale)
                assert month_names(width) == tuple(expected[month] for month in range(1, 13))


def test_a_moment_is_shown_as_the_day_it_is_in_the_netherlands(app):
    late_evening_utc = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("nl"):
        assert short_day(late_evening_utc) == "28-11-2026"


@pytest.mark.parametrize(
    ("locale", "title", "refusal"),
    [
        ("nl", "Inloggen", "Deze uitnodiging is onbekend of al gebruikt."),
        ("en", "Log in", "This invitation is unknown or already used."),
    ],
)
def test_pages_and_domain_errors_speak_the_chosen_language(client, locale, title, refusal):
    client.post("/locale", data={"locale": locale, "next": "/login"})
    assert f"<h1>{title}</h1>" in client.get("/login").get_data(as_text=True)
    assert refusal in client.get("/invitations/no-such-token").get_data(as_text=True)


PAGE = (
    "{% import 'macro.html' as m %}"
    "{{ current_locale() }}|{{ _('Uitloggen') }}|{{ 1234.5 | money }}|{{ day | short_day }}"
    "|{{ amount(1234.5, 'EUR') }}|{{ m.shown(day) }}"
)
MACRO = "{% macro shown(day) %}{{ _('Uitloggen') }} {{ day | day }} {{ 7 | money }}{% endmacro %}"
NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            f"nl|Uitloggen|€{NBSP}1.234,50|27-11-2026|€{NBSP}1.234,50"
            f"|Uitloggen 27 nov 2026 €{NBSP}7,00",
        ),
        ("en", "en|Log out|€1,234.50|27/11/2026|€1,234.50|Log out 27 Nov 2026 €7.00"),
    ],
)
def test_a_template_writes_words_amounts_and_days_in_the_locale_of_its_page(app, locale, expected):
    """The page's locale is read once per render (``app.i18n.page_locale``); a macro imported
    without the page's context finds the same one, and ``force_locale`` is followed."""
    other_locale = "nl" if locale == "en" else "en"
    loader = app.jinja_env.loader
    app.jinja_env.loader = DictLoader({"page.html": PAGE, "macro.html": MACRO})
    app.jinja_env.cache = {}
    try:
        with app.test_request_context(), force_locale(other_locale):
            with force_locale(locale):
                shown = render_template("page.html", day=date(2026, 11, 27))
            other = render_template("page.html", day=date(2026, 11, 27))
    finally:
        app.jinja_env.loader = loader
        app.jinja_env.cache = {}
    assert shown == expected
    assert other.startswith(f"{other_locale}|")  # rendered anew, not kept from the first


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_template_rendered_without_flask_asks_the_request_for_its_locale(app, locale):
    plain = Environment(autoescape=True)
    plain.globals["shown"] = pass_context(lambda context: str(page_locale(context)))
    with app.test_request_context(), force_locale(locale):
        assert plain.from_string("{{ shown() }}").render() == locale
