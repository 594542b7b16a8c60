"""Limits every request meets before a view reads it: ids that fit a column, no NUL bytes.

- ``<int:...>`` path parts are BIGINT ids: a number beyond ``2**63 - 1`` cannot name a row,
  and PostgreSQL would refuse it with an error, so such a path simply does not exist (404).
- No text PostgreSQL stores may hold a NUL byte: a path, query parameter or form field with
  one is refused before it reaches a query (400), instead of failing inside it. Uploaded files
  are bytes and may hold anything.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, ValidationError

LARGEST_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers a BIGINT column holds."""

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if number > LARGEST_ID:
            raise ValidationError
        return number


_WHOLE = re.compile(r"[0-9]{1,18}")


def whole_number(text: str, below: int = 2**31) -> int | None:
    """``text`` as a whole number below ``below`` (an INTEGER column's limit unless told), or
    None. Only ASCII digits: ``str.isdigit`` also says yes to ``²``, which ``int`` refuses."""
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned):
        return None
    number = int(cleaned)
    return number if number < below else None


def id_number(text: str) -> int:
    """An id from a form (``request.form.get(..., type=id_number)``); ``ValueError`` for what
    cannot name a BIGINT row, which Werkzeug then treats as missing."""
    number = whole_number(text, LARGEST_ID + 1)
    if number is None:
        raise ValueError(text[:20])
    return number


def init_app(app: Flask) -> None:
    """Install the id converter (before any blueprint adds its rules) and the NUL check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul_bytes)


def _refuse_nul_bytes() -> None:
    texts = [request.path]
    texts += [value for _name, value in request.args.items(multi=True)]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        texts += [value for _name, value in request.form.items(multi=True)]
    if any("\x00" in text for text in texts):
        abort(400)
