"""Dutch first, English second: locale choice and Dutch number and date formats."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Context, Decimal, DecimalException, localcontext
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale, get_translations, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context as TemplateContext
from markupsafe import Markup, escape

from app.extensions import babel
from app.form_input import text
from ledger.days import parse_day
from ledger.ibans import printed_iban
from tenants.roles import Role

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
ROLE_NAMES = {
    Role.OWNER: _l("eigenaar"),
    Role.BOOKKEEPER: _l("boekhouder"),
    Role.VIEWER: _l("lezer"),
}
# A day as links and stored values write it; a form field shows it the reader's way.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# What an empty day's field shows, in the reader's language.
_DAY_PLACEHOLDER = _l("dd-mm-jjjj")
# The name of the calendar button static/day-picker.js puts beside a day's field.
_DAY_CALENDAR = _l("Kies op de kalender")
# The message ids of ROLE_NAMES (tests/test_template_words.py holds the two together).
_ROLE_IDS = {Role.OWNER: "eigenaar", Role.BOOKKEEPER: "boekhouder", Role.VIEWER: "lezer"}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's own callables find the translations through five context look-ups per
    # word; a page asks for seventy words and more.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    # ``_`` straight to the words, not through Jinja's alias: the alias looks ``gettext`` up
    # again and calls it through two more context calls, for every word of every page.
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.filters["money"] = _page_money
    app.jinja_env.filters["number"] = _page_number
    app.jinja_env.filters["percent"] = _page_percent
    app.jinja_env.filters["day"] = _page_day
    app.jinja_env.filters["short_day"] = _page_short_day
    app.jinja_env.filters["field_day"] = _page_field_day
    app.jinja_env.globals["day_field"] = _page_day_field
    app.jinja_env.globals["day_kind"] = day_kind
    app.jinja_env.filters["month"] = _page_month
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["role_name"] = role_name
    app.jinja_env.filters["iban"] = printed_iban
    app.jinja_env.globals["current_locale"] = _page_locale_name
    app.jinja_env.globals["label_in_language"] = _page_label
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.context_processor(_locale_of_page)


def select_locale() -> str:
    """The locale chosen in this browser, else the user's own, else Dutch."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return str(current_user.locale)
    asked = text(request.args, "lang") if request else ""
    if asked in LOCALES:
        return asked
    return DEFAULT_LOCALE


def current_locale() -> Locale | None:
    """This request's locale as ``flask_babel.get_locale`` answers, in one context look-up.

    Flask-Babel chooses the locale once per request and keeps it on its request context, where
    ``force_locale`` puts its own; read from there, as ``get_locale`` itself does after five
    look-ups of its own. Pages ask for it for every amount, date and word they show.
    """
    try:
        context = g.get("_flask_babel")
    except RuntimeError:  # outside an application context
        context = None
    locale = getattr(context, "babel_locale", None)
    if not isinstance(locale, Locale):
        locale = get_locale()
    return locale if isinstance(locale, Locale) else None


# The page's locale, put in each template's context as it is rendered: a page asks for it for
# every word, amount and date it shows (ninety times and more), and reading it from the
# template's context costs a fraction of ``current_locale``'s look-up in the request's globals.
_PAGE_LOCALE = "_page_locale"


def _locale_of_page() -> dict[str, Locale | None]:
    """Flask's context processor: the locale, read once per ``render_template``.

    Read when the page is rendered, so a page rendered under ``force_locale`` (the outage page)
    gets the forced one. Outside a request nothing is put: such a template asks as it goes.
    """
    return {_PAGE_LOCALE: current_locale()} if has_request_context() else {}


def page_locale(context: TemplateContext) -> Locale | None:
    """The locale of the page ``context`` renders; ``current_locale()`` where none was put.

    A template rendered without Flask's context processors (a macro imported without context,
    Jinja called directly) has none.
    """
    locale = context.get(_PAGE_LOCALE)
    return locale if isinstance(locale, Locale) else current_locale()


@pass_context
def _page_locale_name(context: TemplateContext) -> str:
    return str(page_locale(context))


@pass_context
def _page_label(
    context: TemplateContext, label_nl: str | None, label_en: str | None, fallback: str = ""
) -> str:
    """An account's label as the page's reader reads it: the English one on an English page
    when there is one, else the Dutch one, else ``fallback`` (the account's name)."""
    if label_en and str(page_locale(context)) == "en":
        return label_en
    return label_nl or fallback


# The catalogue of each locale, found once per process (they do not change while it runs).
_CATALOGUES: dict[tuple[str, str | None], Translations | NullTranslations] = {}


def _translations(locale: Locale | None = None) -> Translations | NullTranslations:
    """The catalogue of ``locale``, by default of this request's."""
    if locale is None:
        locale = current_locale()
    if locale is None:
        return _found_translations()
    key = (locale.language, locale.territory)
    found = _CATALOGUES.get(key)
    if found is None:
        found = _CATALOGUES[key] = _found_translations()
    return found


# A word without variables, as a template shows it, by catalogue and autoescaping: the same
# few hundred words are asked on every page. Bounded, should a page ever ask for words it
# did not write itself.
_SHOWN: dict[tuple[str, str | None, bool, str], str] = {}
_SHOWN_MOST = 20_000


@pass_context
def _template_gettext(context: TemplateContext, string: str, **variables: object) -> str:
    """Jinja's new-style ``gettext`` (``jinja2.ext._make_new_gettext``), word for word.

    The translation is marked safe when the template autoescapes, then always formatted with
    ``%`` (so ``%%`` is a percent sign and a variable is escaped); a word without variables is
    formatted once per process and locale.
    """
    autoescape = context.eval_ctx.autoescape
    locale = page_locale(context)
    if variables or locale is None:
        return _formatted(_translations(locale).ugettext(string), autoescape, variables)
    key = (locale.language, locale.territory, autoescape, string)
    shown = _SHOWN.get(key)
    if shown is None:
        shown = _formatted(_translations(locale).ugettext(string), autoescape, {})
        if len(_SHOWN) < _SHOWN_MOST:
            _SHOWN[key] = shown
    return shown


def _formatted(translated: str, autoescape: bool, variables: dict[str, object]) -> str:
    if autoescape:
        return Markup(translated) % variables  # noqa: S704  (our catalogue; variables escaped)
    return translated % variables


def word(string: str) -> str:
    """``string`` in the reader's language, not yet formatted (``%`` is for the caller).

    For Python that builds a page's cells; import it as ``_`` so the message is extracted.
    """
    return str(_translations().ugettext(string))


def english() -> bool:
    """Whether this request reads English (the account labels' second language)."""
    locale = current_locale()
    return locale is not None and str(locale) == "en"


def _found_translations() -> Translations | NullTranslations:
    found: Translations | NullTranslations = get_translations()
    return found


MonthWidth = Literal["wide", "abbreviated"]

# Parsed once: given a name, Babel parses it and builds a new Locale on every call.
_DUTCH, _ENGLISH = Locale.parse("nl_NL"), Locale.parse("en_GB")


def reader_locale() -> Locale:
    """The full locale amounts and dates are written in (``nl_NL`` or ``en_GB``)."""
    return _babel_locale()


def _babel_locale(locale: Locale | None = None) -> Locale:
    """The full locale of ``locale`` (by default this request's), as amounts and dates need it."""
    if locale is None:
        locale = current_locale()
    return _DUTCH if locale is not None and locale.language == "nl" else _ENGLISH


def page_reader_locale(context: TemplateContext) -> Locale:
    """``reader_locale()`` of the page ``context`` renders (see ``page_locale``)."""
    return _babel_locale(page_locale(context))


# Wider than any amount worth grouping in thousands; beyond it a number is written as stored.
WIDEST_DIGITS = 200

# Babel's ``format_currency`` parses the locale and applies a general number pattern on every
# call, about a tenth of a millisecond; the journal and the reports show a hundred amounts and
# more. Euro amounts of at most two decimals (nearly every amount shown) are written here
# instead, character for character as Babel writes them (tests/test_i18n.py compares the two).
_EURO_FORMATS = {
    "nl": ("€\N{NO-BREAK SPACE}{}", "€\N{NO-BREAK SPACE}-{}", str.maketrans(",.", ".,")),
    "en": ("€{}", "-€{}", None),
}


def money(amount: Decimal | int, currency: str = "EUR") -> str:
    """``€ 1.234,56`` in Dutch (a no-break space after the sign), ``€1,234.56`` in English.

    Never raises: whatever the database holds is shown (see ``_shown``).
    """
    return money_in(_babel_locale(), amount, currency)


def money_in(locale: Locale, amount: Decimal | int, currency: str = "EUR") -> str:
    """``money`` in the given ``reader_locale()``: for a table, which asks it once."""
    if (
        currency == "EUR"
        and isinstance(amount, Decimal)
        and _at_most_cents(amount)
        and amount.adjusted() < PLAIN_DIGITS
    ):
        return _euros(amount, locale.language)  # nearly every amount: no wider context needed

    def formatted(value: Decimal) -> str:
        if currency == "EUR" and _at_most_cents(value):
            return _euros(value, locale.language)
        return str(format_currency(value, currency, locale=locale))

    return _shown(amount, formatted, currency)


def exact_money(amount: Decimal, currency: str = "EUR") -> str:
    """``money``, with every decimal the amount has: a refusal that speaks of half a cent left
    over must not write it as nothing (``€ 0,005``, not ``€ 0,01`` or ``€ 0,00``)."""
    if not amount.is_finite() or _at_most_cents(amount) or amount.adjusted() >= PLAIN_DIGITS:
        return money(amount, currency)
    locale = _babel_locale()
    return str(format_currency(amount, currency, locale=locale, decimal_quantization=False))


# Far fewer digits than Python's default decimal context holds (28).
PLAIN_DIGITS = 20


def _euros(value: Decimal, language: str) -> str:
    positive, negative, separators = _EURO_FORMATS[language]
    digits = format(value.copy_abs(), ",.2f")  # exact: no more decimals than shown
    if separators is not None:
        digits = digits.translate(separators)
    return (negative if value.is_signed() else positive).format(digits)


def _at_most_cents(amount: Decimal) -> bool:
    """Whether ``amount`` is written with no more than two decimals (``12``, ``12.5``,
    ``12.50``) and is a number: its exponent -2, -1 or 0. ``same_quantum`` tells without
    building ``as_tuple()``'s digits, a microsecond an amount."""
    return amount.same_quantum(_CENT) or amount.same_quantum(_TENTH) or amount.same_quantum(_ONE)


_CENT, _TENTH, _ONE = Decimal("0.01"), Decimal("0.1"), Decimal(1)


def number(amount: Decimal | int) -> str:
    """A plain number in the reader's format; never raises, like ``money``."""
    return number_in(_babel_locale(), amount)


def number_in(locale: Locale, amount: Decimal | int) -> str:
    """``number`` in the given ``reader_locale()``."""
    return _shown(amount, lambda value: format_decimal(value, locale=locale))


def typed_amount(number: Decimal) -> str:
    """``20,00`` for 20 (``20.00`` for a reader of English): as a person types an amount, with
    cents (more places when it has them), without thousands separators."""
    with localcontext(Context(prec=max(number.adjusted(), 0) + 30)):  # any stored size
        cents = number.quantize(_CENT) if number.is_finite() else number
    typed = f"{cents if cents == number else number:f}"
    return typed if english() else typed.replace(".", ",")


def _shown(amount: Decimal | int, formatted: Callable[[Decimal], str], currency: str = "") -> str:
    """``formatted(amount)`` computed in a context wide enough for the whole number.

    Python's default context holds 28 digits: a stored amount of 27 digits and two decimals
    made every page that showed it fail. A number too wide to group, or not a number at all
    (a NUMERIC may hold NaN), is written as it is stored rather than refused.
    """
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(amount)
    except (DecimalException, TypeError, ValueError):
        return str(amount)
    if value.is_finite() and value.adjusted() < WIDEST_DIGITS:
        width = max(value.adjusted(), 0) + 2 * WIDEST_DIGITS
        try:
            with localcontext(Context(prec=width)):
                return formatted(value)
        except (DecimalException, ValueError, ArithmeticError):
            pass
    return f"{value} {currency}".strip()


# The day formats below write in ``locale`` when given (a table or a page that asked for it
# once), else in the reader's.


def percent(value: Decimal | int, locale: Locale | None = None) -> str:
    """``21%`` for a stored 21.00, ``2,35%`` for 2.35: no trailing zeros, the reader's comma."""
    # Babel's pattern drops trailing zeros.
    return f"{number_in(_babel_locale(locale), value)}%"


def day(value: date | datetime, locale: Locale | None = None) -> str:
    """``27 nov 2026`` in Dutch, ``27 Nov 2026`` in English."""
    return _date_in(_calendar_day(value), "medium", locale)


def short_day(value: date | datetime, locale: Locale | None = None) -> str:
    """``27-11-2026`` in Dutch, ``27/11/2026`` in English: for dense tables."""
    return _date_in(_calendar_day(value), "short", locale)


def month(value: date, locale: Locale | None = None) -> str:
    """``januari 2027`` in Dutch, ``January 2027`` in English: a month, as a schedule names it."""
    return _date_in(value, "LLLL yyyy", locale)


def month_names(width: MonthWidth = "wide") -> tuple[str, ...]:
    """January to December in the reader's language: ``wide`` (``januari``) or ``abbreviated``
    (``jan.``), as Babel names them."""
    return _month_names(width, _babel_locale() is _DUTCH)


@lru_cache(maxsize=8)
def _month_names(width: MonthWidth, dutch: bool) -> tuple[str, ...]:
    names = get_month_names(width, locale=_DUTCH if dutch else _ENGLISH)
    return tuple(str(names[month]) for month in range(1, 13))


def _date_in(value: date, pattern: str, locale: Locale | None = None) -> str:
    """A day in the reader's language; Babel parses its pattern anew on every call."""
    dutch = _babel_locale(locale) is _DUTCH
    if type(value) is date:  # not a datetime: those are compared and hashed otherwise
        return _formatted_date(value, pattern, dutch)
    return str(format_date(value, format=pattern, locale=_DUTCH if dutch else _ENGLISH))


@lru_cache(maxsize=4096)
def _formatted_date(value: date, pattern: str, dutch: bool) -> str:
    return str(format_date(value, format=pattern, locale=_DUTCH if dutch else _ENGLISH))


# The filters of the same names, in the locale of the page being rendered (``page_locale``).


@pass_context
def _page_money(context: TemplateContext, amount: Decimal | int, currency: str = "EUR") -> str:
    return money_in(page_reader_locale(context), amount, currency)


@pass_context
def _page_number(context: TemplateContext, amount: Decimal | int) -> str:
    return number_in(page_reader_locale(context), amount)


@pass_context
def _page_percent(context: TemplateContext, value: Decimal | int) -> str:
    return percent(value, page_locale(context))


@pass_context
def _page_day(context: TemplateContext, value: date | datetime) -> str:
    return day(value, page_locale(context))


@pass_context
def _page_short_day(context: TemplateContext, value: date | datetime) -> str:
    return short_day(value, page_locale(context))


@pass_context
def _page_field_day(context: TemplateContext, value: date | str | None) -> str:
    """A day in its form field: as ``short_day`` writes it (``31-12-2026``), also when a view
    gives it as a link writes it (``2026-12-31``); what a person typed stays as typed."""
    if isinstance(value, str):
        found = parse_day(value) if _ISO_DAY.fullmatch(value) else None
        if found is None:
            return value
        value = found
    return "" if value is None else short_day(value, page_locale(context))


@pass_context
def _page_day_field(
    context: TemplateContext,
    name: str,
    value: date | str | None,
    id: str | None = None,
    required: bool = False,
) -> Markup:
    """A day's ``<input>`` on its own, as ``day_kind`` in ``entry/_fields.html`` writes it.

    Written here, not as a macro, because every report and the journal show two or three of
    them: as macros they cost the page 2.5% more instructions.
    """
    shown = _page_field_day(context, value)
    html = (
        f'<input id="{escape(id or name)}" name="{escape(name)}" {day_kind()}'
        f' value="{escape(shown)}"{" required" if required else ""}>'
    )
    return Markup(html)  # noqa: S704 (every text in it escaped)


def day_kind() -> Markup:
    """The attributes that make an ``<input>`` a day's field, typed day first: text, not the
    browser's date picker (``entry/_fields.html`` says why), with the phone's number pad.

    ``data-calendar`` names the calendar button that ``static/day-picker.js`` puts beside the
    field. That script writes a picked day as two-digit day, two-digit month and the year,
    joined by the placeholder's third character: ``-`` of ``dd-mm-jjjj`` in Dutch, ``/`` of
    ``dd/mm/yyyy`` in English. A translated placeholder keeps that order and a one-character
    separator there.

    Made once per process and locale: a report shows two or three such fields, and asking the
    two lazy words for each costs more than the look-up.
    """
    locale = current_locale()
    if locale is None:
        return _day_kind()
    key = (locale.language, locale.territory)
    kind = _DAY_KINDS.get(key)
    if kind is None:
        kind = _DAY_KINDS[key] = _day_kind()
    return kind


_DAY_KINDS: dict[tuple[str, str | None], Markup] = {}


def _day_kind() -> Markup:
    placeholder = escape(str(_DAY_PLACEHOLDER))
    calendar = escape(str(_DAY_CALENDAR))
    return Markup(  # noqa: S704 (the two texts in it escaped)
        f'type="text" inputmode="decimal" autocomplete="off" placeholder="{placeholder}"'
        f' data-calendar="{calendar}"'
    )


@pass_context
def _page_month(context: TemplateContext, value: date) -> str:
    return month(value, page_locale(context))


def moment(value: datetime) -> str:
    """``05-12-2026 14:30``: a moment as the clock in the Netherlands showed it."""
    local: datetime = to_user_timezone(value)
    return local.strftime("%d-%m-%Y %H:%M")


def role_name(role: str) -> str:
    """A role in words the reader uses (``eigenaar``), not its stored value (``owner``)."""
    # Translated through the catalogue kept per process: a lazy string asks Flask-Babel (five
    # context look-ups) every time it is shown, and the switcher shows one per organisation.
    return word(_ROLE_IDS[Role(role)])


def _calendar_day(value: date | datetime) -> date:
    """A moment becomes the day it is in the Netherlands, not in UTC."""
    if isinstance(value, datetime):
        moment: datetime = to_user_timezone(value)
        return moment.date()
    return value
