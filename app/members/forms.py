"""What the members pages ask for: an address to invite and a role, read with the readers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from flask_babel import LazyString

from app.form_input import choice, email, text
from app.i18n import ROLE_NAMES
from tenants.roles import Role


class RoleChoice(NamedTuple):
    value: str
    label: LazyString | str


# Most trusted last, as people read the list: who can least, who can most.
ROLE_CHOICES = [
    RoleChoice(role.value, ROLE_NAMES[role]) for role in (Role.VIEWER, Role.BOOKKEEPER, Role.OWNER)
]
DEFAULT_ROLE = Role.BOOKKEEPER


def invitation(form: Mapping[str, str]) -> tuple[str, Role]:
    """The address to invite and the role offered (bookkeeper unless another is picked)."""
    offered = choice(Role, form, "role") if text(form, "role") else DEFAULT_ROLE
    return email(form, "email"), offered


def role(form: Mapping[str, str]) -> Role:
    """The role picked for a member."""
    return choice(Role, form, "role")
