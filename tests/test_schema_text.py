"""Compiled SQL gets an organisation's schema as SQLAlchemy would put it in, cut only once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ledger.models.accounts import Account
from ledger.models.books import BalanceBucket
from ledger.tables import PLACEHOLDER_SCHEMA
from tenants.binding import bind_session
from tenants.models import Organisation
from tenants.schema_text import SchemaText, cut_schema_text_once

STATEMENTS = {
    "select with a join": select(Account.name, BalanceBucket.units)
    .join(BalanceBucket, BalanceBucket.account_id == Account.id)
    .where(Account.name == "Assets:Bank"),
    "a subquery, twice": select(
        select(Account.id).where(Account.name == "a").scalar_subquery(),
        select(Account.id).where(Account.name == "b").scalar_subquery(),
    ),
    "an organisation's table beside a public one": select(Organisation.slug, Account.name).where(
        Organisation.id == Account.id
    ),
    "a public table alone": select(Organisation.slug),
    "insert": insert(Account).values(name="x", type="Assets", opened_on=literal_column("now()")),
    "update": update(Account).where(Account.name == "x").values(label_nl="X"),
}
SCHEMAS = ["org_abc123", "Org-Hoofdletters", "select"]  # plain, one to quote, a reserved word


def compiled_text(statement: Any) -> str:
    """The text SQLAlchemy keeps for a statement run with a schema map: placeholders in it."""
    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    compiled = statement.compile(
        dialect=dialect, schema_translate_map={PLACEHOLDER_SCHEMA: "unused"}
    )
    return str(compiled.string)


@pytest.fixture
def texts() -> tuple[SchemaText, Callable[[str, Any], str]]:
    """Ours, and SQLAlchemy's own ``_render_schema_translates`` on the same dialect."""
    preparer = postgresql.psycopg.dialect().identifier_preparer  # type: ignore[attr-defined]
    return SchemaText(preparer.quote_schema, preparer._render_schema_translates), (
        preparer._render_schema_translates
    )


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("kind", STATEMENTS)
def test_the_text_is_sqlalchemys_own(
    texts: tuple[SchemaText, Callable[[str, Any], str]], kind: str, schema: str
) -> None:
    ours, theirs = texts
    text = compiled_text(STATEMENTS[kind])
    assert "__[SCHEMA_" in text
    for schema_map in ({PLACEHOLDER_SCHEMA: schema}, {PLACEHOLDER_SCHEMA: schema, "public": "p"}):
        assert ours.render(text, schema_map) == theirs(text, dict(schema_map))
        kept = ours.render(statement=text, schema_translate_map=schema_map)  # as SQLAlchemy calls
        assert kept == theirs(text, dict(schema_map))


def test_a_schema_to_quote_is_quoted_and_a_name_not_in_the_map_stays(
    texts: tuple[SchemaText, Callable[[str, Any], str]],
) -> None:
    ours, _theirs = texts
    text = compiled_text(STATEMENTS["an organisation's table beside a public one"])

    rendered = ours.render(text, {PLACEHOLDER_SCHEMA: "Org-Hoofdletters"})

    assert '"Org-Hoofdletters".accounts' in rendered
    assert "public.organisations" in rendered
    assert "__[SCHEMA_" not in rendered


def test_the_application_engine_cuts_a_statement_once_for_every_organisation(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    put_there = engine.dialect.identifier_preparer._render_schema_translates
    assert isinstance(getattr(put_there, "__self__", None), SchemaText)  # by create_app
    schema_text = cut_schema_text_once(engine)  # the same one again
    assert schema_text is put_there.__self__
    first, second = make_org(), make_org()
    statement = select(Account.name.label("cut_once_probe")).where(Account.name == "Assets:Bank")
    sent: list[str] = []

    def _sent(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        sent.append(text)

    event.listen(engine, "before_cursor_execute", _sent)
    try:
        for org in (first, second, first):
            with Session(engine) as session:
                bind_session(session, org.tenant)
                assert session.execute(statement).all() == []
    finally:
        event.remove(engine, "before_cursor_execute", _sent)

    ours = [text for text in sent if "cut_once_probe" in text]
    assert [first.tenant.schema_name in text for text in ours] == [True, False, True]
    assert second.tenant.schema_name in ours[1]
    cut = [text for text in schema_text._cut if "cut_once_probe" in text]
    assert len(cut) == 1
