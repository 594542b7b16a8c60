"""Form tokens for the bureau's forms that add something: sent twice, such a form saves once.

A template writes ``{{ once_fields(values, "pool") }}`` inside the form: the form's kind and a
token of its own. Shown afresh, the form gets a new token; shown again after a refusal it keeps
the token it was sent with (nothing was saved). The view hands the token to
``purchasing.submissions.save_once`` and says with ``said_once`` whether this send saved it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

from flask import Flask
from flask_babel import gettext as _
from markupsafe import Markup

from app.form_input import text
from ledger.transactions import FORM_TOKEN
from purchasing.submissions import Saved

TOKEN_FIELD = "form_token"  # noqa: S105  (a field name, not a secret)
KIND_FIELD = "form_kind"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["once_fields"] = once_fields


def sent_token(form: Mapping[str, str]) -> str | None:
    """The token the form was sent with; None when it carried none (a script's POST)."""
    return text(form, TOKEN_FIELD) if TOKEN_FIELD in form else None


def token_for(values: Mapping[str, str], kind: str) -> str:
    """The token a form of ``kind`` shows: the one it was sent with, if any, else a new one."""
    sent = values.get(TOKEN_FIELD) or ""
    if values.get(KIND_FIELD) == kind and FORM_TOKEN.fullmatch(sent):
        return sent
    return secrets.token_urlsafe(24)


def once_fields(values: Mapping[str, str], kind: str) -> Markup:
    """The hidden fields that make a form of ``kind`` save once."""
    return Markup(
        '<input type="hidden" name="{}" value="{}"><input type="hidden" name="{}" value="{}">'
    ).format(KIND_FIELD, kind, TOKEN_FIELD, token_for(values, kind))


def said_once(said: str) -> Callable[[Saved], str]:
    """``said`` when this send saved the form; otherwise that an earlier send did."""
    return lambda saved: (
        said if saved.is_new else _("Dit formulier was al verstuurd: het is één keer opgeslagen.")
    )
