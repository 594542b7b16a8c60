"""Root account names: a file may call its roots otherwise (``option "name_assets" "Activa"``).

The books always use Beancount's default roots (reports, the chart and the account type rest
on them), so an import renames ``Activa:Bank`` to ``Assets:Bank`` in every directive, posting,
account-valued metadata and ``custom`` value. Balances are unchanged; only the root's word is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ledger.entries import AccountRef, Directive, Meta, MetaValue, NewTransaction

# Beancount's option for each root, and the root our books use for it.
ROOT_OPTIONS = {
    "name_assets": "Assets",
    "name_liabilities": "Liabilities",
    "name_equity": "Equity",
    "name_income": "Income",
    "name_expenses": "Expenses",
}


def root_renames(options: Mapping[str, object]) -> dict[str, str]:
    """The file's own root names mapped to ours; empty when the file uses the defaults."""
    return {
        str(options[option]): root
        for option, root in ROOT_OPTIONS.items()
        if option in options and options[option] != root
    }


def rename_roots(
    directives: tuple[Directive, ...], renames: Mapping[str, str]
) -> tuple[Directive, ...]:
    """Every directive with its account names under our roots."""
    if not renames:
        return directives
    return tuple(_renamed(directive, renames) for directive in directives)


def _renamed(directive: Directive, renames: Mapping[str, str]) -> Directive:
    changes: dict[str, object] = {"meta": _meta(directive.meta, renames)}
    if isinstance(directive, NewTransaction):
        changes["postings"] = tuple(
            replace(p, account=_name(p.account, renames), meta=_meta(p.meta, renames))
            for p in directive.postings
        )
    for name in ("account", "source_account"):
        if hasattr(directive, name):
            changes[name] = _name(getattr(directive, name), renames)
    if hasattr(directive, "values"):
        changes["values"] = tuple(_value(v, renames) for v in directive.values)
    return replace(directive, **changes)  # type: ignore[arg-type]


def _name(account: str, renames: Mapping[str, str]) -> str:
    root, sep, rest = account.partition(":")
    return renames.get(root, root) + sep + rest


def _value(value: MetaValue, renames: Mapping[str, str]) -> MetaValue:
    return AccountRef(_name(value.name, renames)) if isinstance(value, AccountRef) else value


def _meta(meta: Meta, renames: Mapping[str, str]) -> Meta:
    return {key: _value(value, renames) for key, value in meta.items()}
