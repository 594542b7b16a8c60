"""The account picker: one field to choose an account by its Dutch or English label or RGS code.

Every form that takes an account renders the ``account_picker`` macro of
``entry/_fields.html``; its suggestions come from ``picker_options`` below, and the posted text
is read back by ``app.form_input.account`` through ``ledger.suggestions.chosen_account``. A
person sees and types the Dutch label; the Beancount name is accepted too (the advanced way)
but never offered, so it shows only in advanced views and exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask

from ledger.suggestions import AccountChoice, picker_text, picker_texts


@dataclass(frozen=True, slots=True)
class PickerOption:
    """One suggestion: the text that goes into the field, and what helps to find it."""

    value: str
    hint: str


def picker_options(
    choices: Sequence[AccountChoice], types: Sequence[str] | None = None
) -> list[PickerOption]:
    """The suggestions for accounts of ``types`` (all when None), Dutch label first.

    The hint carries the other label and the RGS code, so typing "rent" or "WBedHui" finds
    "Huur" too (the browser searches the hint as well as the value).
    """
    texts = picker_texts(choices)
    options = []
    for choice in choices:
        if types and choice.type not in types:
            continue
        value = texts[choice.name]
        other = choice.label_nl if value == choice.name else choice.label_en
        hint = " · ".join(part for part in (other, choice.rgs_code or "") if part)
        options.append(PickerOption(value, hint))
    return options


def shown(choices: Sequence[AccountChoice], name: str) -> str:
    """What the picker field shows for a stored account ``name`` (its Dutch label if unique)."""
    return picker_text(choices, name) if name else ""


def init_app(app: Flask) -> None:
    """Templates reach the picker's suggestions and the shown text of a stored account."""
    app.jinja_env.globals["account_picker_options"] = picker_options
    app.jinja_env.globals["account_shown"] = shown
