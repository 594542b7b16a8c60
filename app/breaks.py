"""Where a long word may break on a narrow screen: soft hyphens at its syllables.

On a phone a report's account column is some 180 pixels wide, and "Vrijwilligersvergoedingen"
does not fit: the browser broke it wherever it ran out of room ("Vrijwilligersvergoed / ingen").
A soft hyphen (U+00AD) is invisible until a line breaks there, and then shows as a hyphen:
"Vrijwilligers- / vergoedingen". Browsers without a Dutch hyphenation dictionary (most desktop
Linux ones) honour soft hyphens too, so the places are put in here, from Pyphen's patterns
(LibreOffice's, the ones WeasyPrint uses), not left to ``hyphens: auto``.

Only for text shown in a table's cell: never in a form's value, a download or a link's query,
where the character would be part of the text.
"""

from __future__ import annotations

from functools import lru_cache

import pyphen
from flask import Flask
from jinja2 import pass_context
from jinja2.runtime import Context

from app.i18n import page_locale

SOFT_HYPHEN = "\u00ad"
# Words shorter than this fit any column they are shown in; they are left as they are.
LONG_WORD = 14
_DICTIONARIES = {"nl": pyphen.Pyphen(lang="nl_NL"), "en": pyphen.Pyphen(lang="en_GB")}


@lru_cache(maxsize=4096)
def breakable(text: str, language: str = "nl") -> str:
    """``text`` with soft hyphens where its long words may break, by the rules of ``language``
    (``nl`` or ``en``; Dutch for any other). A page asks for the same few labels again and
    again, so each answer is kept."""
    dictionary = _DICTIONARIES.get(language, _DICTIONARIES["nl"])
    return " ".join(
        dictionary.inserted(word, hyphen=SOFT_HYPHEN)
        if len(word) >= LONG_WORD and word.isalpha()
        else word
        for word in text.split(" ")
    )


def init_app(app: Flask) -> None:
    """``{{ label|breakable }}`` for a template's table cell, in the page's language."""
    app.jinja_env.filters["breakable"] = _page_breakable


@pass_context
def _page_breakable(context: Context, text: str) -> str:
    locale = page_locale(context)
    return breakable(text, locale.language if locale else "nl")
