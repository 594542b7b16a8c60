"""The organisation switcher in the top bar: every organisation the logged-in user belongs to."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from app.tenancy import user_organisations


def register(blueprint: Blueprint) -> None:
    """Offer ``my_organisations()`` to every template of the application."""
    blueprint.app_context_processor(_switcher_context)


def _switcher_context() -> dict[str, Any]:
    return {"my_organisations": my_organisations}


def my_organisations() -> list[tuple[str, str, str]]:
    """(slug, name, role) of each organisation of the logged-in user; called only when shown."""
    if not current_user.is_authenticated:
        return []
    return [(o.slug, o.name, role) for o, role in user_organisations()]
