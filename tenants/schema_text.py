"""An organisation's SQL text, put together from pieces cut once per statement.

SQLAlchemy compiles a statement once, with a placeholder where an organisation's schema goes
(``schema_translate_map``, see ``tenants.binding``), and puts the schema's name in on every
execution: a regular-expression pass over the whole SQL with a Python call for each table it
names, twenty and more per statement. That was 2.5% of a page's instructions. Here each compiled
text is cut at its placeholders once, and every execution joins the pieces around the names,
whatever the number of organisations.

This replaces ``IdentifierPreparer._render_schema_translates``, a private method of SQLAlchemy,
on one engine's dialect; ``tests/test_schema_text.py`` holds it to SQLAlchemy's own text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine

# SQLAlchemy's placeholder for a schema's name in compiled SQL (``sql/compiler.py``).
_PLACEHOLDER = re.compile(r"__\[SCHEMA_([^\]]+)\]")
# Compiled texts remembered per engine; SQLAlchemy's own cache of compiled statements holds 500.
REMEMBERED = 2000

SchemaMap = Mapping[str | None, str | None]


class SchemaText:
    """Puts schema names into compiled SQL text, the same text SQLAlchemy would make."""

    def __init__(self, quote: Callable[[str], str], fallback: Callable[[str, Any], str]) -> None:
        self._quote = quote
        self._fallback = fallback
        # text -> (the pieces between placeholders, the placeholders' names, each name once)
        self._cut: dict[str, tuple[list[str], tuple[str, ...], frozenset[str]]] = {}

    def render(self, statement: str, schema_translate_map: SchemaMap) -> str:
        """The SQL with the names put in; named as SQLAlchemy names (and calls) its own."""
        if None in schema_translate_map:  # "no schema" translated: SQLAlchemy's, unused here
            return self._fallback(statement, schema_translate_map)
        cut = self._cut.get(statement)
        if cut is None:
            cut = self._cut_at_placeholders(statement)
        pieces, names, distinct = cut
        if not names:
            return statement
        quoted = {}
        for name in distinct:
            schema = schema_translate_map.get(name, name)
            if not schema:  # the dialect's default schema: SQLAlchemy's own way
                return self._fallback(statement, schema_translate_map)
            quoted[name] = self._quote(schema)
        if len(quoted) == 1:
            return quoted[names[0]].join(pieces)
        text = [pieces[0]]
        for name, piece in zip(names, pieces[1:], strict=True):
            text += (quoted[name], piece)
        return "".join(text)

    def _cut_at_placeholders(
        self, statement: str
    ) -> tuple[list[str], tuple[str, ...], frozenset[str]]:
        parts = _PLACEHOLDER.split(statement)
        names = tuple(parts[1::2])
        cut = (parts[0::2], names, frozenset(names))
        if len(self._cut) >= REMEMBERED:
            self._cut.clear()
        self._cut[statement] = cut
        return cut


def cut_schema_text_once(engine: Engine) -> SchemaText:
    """Let ``engine`` put schema names into its compiled SQL without a regular expression."""
    preparer = engine.dialect.identifier_preparer
    render = preparer._render_schema_translates
    done = getattr(render, "__self__", None)
    if isinstance(done, SchemaText):
        return done  # already done for this engine
    schema_text = SchemaText(preparer.quote_schema, render)
    preparer._render_schema_translates = schema_text.render  # type: ignore[method-assign]
    return schema_text
