"""The account picker and the advanced view: accounts by their labels, Beancount names on request.

Every form that takes an account renders the ``account_picker`` macro of
``entry/_fields.html``; its suggestions come from ``picker_options`` below, and the posted text
is read back by ``app.form_input.account`` through ``ledger.suggestions.chosen_account``. A
person sees and types the Dutch label; the Beancount name is accepted too (the advanced way)
but never offered, so it shows only in advanced views and exports.

The advanced view is a person's own choice (``set_advanced_view``, kept in their session):
with it on, pages add each account's Beancount name beside its label (``advanced_view()`` in
templates); with it off, which is how every treasurer starts, they show labels only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import Flask, g, session

from app.extensions import db
from app.i18n import english
from ledger.reports.sections import account_labels
from ledger.suggestions import AccountChoice, picker_text, picker_texts

ADVANCED_VIEW = "advanced_view"


@dataclass(frozen=True, slots=True)
class PickerOption:
    """One suggestion: the text that goes into the field, and what helps to find it."""

    value: str
    hint: str


def picker_options(
    choices: Sequence[AccountChoice], types: Sequence[str] | None = None
) -> list[PickerOption]:
    """The suggestions for accounts of ``types`` (all when None), in the reader's language.

    The hint carries the other language's label and the RGS code, so typing "rent" or
    "WBedHui" finds "Huur" too (the browser searches the hint as well as the value).
    """
    in_english = english()
    texts = picker_texts(choices, english=in_english)
    options = []
    for choice in choices:
        if types and choice.type not in types:
            continue
        value = texts[choice.name]
        options.append(PickerOption(value, _hint(choice, value, in_english)))
    return options


def _hint(choice: AccountChoice, value: str, in_english: bool) -> str:
    """The label the value is not in (the reader's own when the value is the name), and the
    RGS code."""
    if value in (choice.label_en, choice.coded_label_en):
        other = choice.label_nl
    elif value in (choice.label_nl, choice.coded_label):
        other = choice.label_en
    else:
        other = (in_english and choice.label_en) or choice.label_nl
    return " · ".join(part for part in (other, choice.rgs_code or "") if part)


def shown(choices: Sequence[AccountChoice], name: str) -> str:
    """What the picker field shows for a stored account ``name``: its label in the reader's
    language when that names it alone (``picker_texts``)."""
    return picker_text(choices, name, english=english()) if name else ""


def readers_picker_texts(choices: Sequence[AccountChoice]) -> Mapping[str, str]:
    """``picker_texts`` in the reader's language: what the picker shows for each account."""
    return picker_texts(choices, english=english())


def advanced_view() -> bool:
    """True when this person asked to see the books' own account names beside the labels."""
    return bool(session.get(ADVANCED_VIEW))


def set_advanced_view(on: bool) -> None:
    """Turn the advanced view on or off for the rest of this person's session."""
    session[ADVANCED_VIEW] = on


def account_label(name: str) -> str:
    """The label of the organisation's account ``name`` in the reader's language (the Dutch
    one when it has no English one), else its name.

    For pages whose rows carry only account names (bank rules and proposals, planned releases,
    the audit trail); the labels are read once per request.
    """
    if g.get("org") is None:  # no organisation's books bound: nothing to look up
        return name
    return readers_account_labels().get(name) or name


def readers_account_labels() -> Mapping[str, str]:
    """Every account's label in the reader's language (the Dutch one when it has no English
    one; empty when it has neither), read once per request."""
    if "account_labels" not in g:
        g.account_labels = account_labels(db.session(), english=english())
    labels: Mapping[str, str] = g.account_labels
    return labels


def init_app(app: Flask) -> None:
    """Templates reach the picker's suggestions, account labels and the advanced view."""
    app.jinja_env.globals["account_picker_options"] = picker_options
    app.jinja_env.globals["account_shown"] = shown
    app.jinja_env.globals["account_picker_texts"] = readers_picker_texts
    app.jinja_env.globals["label_of_account"] = account_label
    app.jinja_env.globals["advanced_view"] = advanced_view
