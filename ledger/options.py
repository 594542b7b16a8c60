"""The book's Beancount options (tolerances, booking method, title), read and written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ledger.models import BookOption


def book_options(session: Session) -> dict[str, Any]:
    """The options that differ from Beancount's defaults."""
    return {row.name: row.value for row in session.scalars(select(BookOption))}


def replace_book_options(session: Session, options: Mapping[str, Any]) -> None:
    session.execute(delete(BookOption))
    if options:
        session.execute(insert(BookOption), [{"name": k, "value": v} for k, v in options.items()])
