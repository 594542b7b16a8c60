"""What the bureau's organisation pages ask for, read with the form readers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.form_input import email, matching, required
from tenants.provisioning import NewOrganisation

NAME_LONGEST = 200
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,47}")
KVK_NUMBER = re.compile(r"\d{8}")
# The fields of the new-organisation form, where its refusals are shown.
NEW_ORGANISATION_FIELDS = ("name", "slug", "kvk_number", "owner_email")


@dataclass(frozen=True)
class OrganisationToCreate:
    """A new organisation and, optionally, the address of its first owner."""

    organisation: NewOrganisation
    owner_email: str


def new_organisation(form: Mapping[str, str]) -> OrganisationToCreate:
    """The whole form, read before anything is made (the schema is made in its own transaction)."""
    organisation = NewOrganisation(
        name=required(form, "name", longest=NAME_LONGEST),
        slug=matching(form, "slug", SLUG),
        kvk_number=matching(form, "kvk_number", KVK_NUMBER, optional=True) or None,
    )
    return OrganisationToCreate(organisation, email(form, "owner_email", optional=True))


def owner_email(form: Mapping[str, str]) -> str:
    """The address the organisation's owner is invited at."""
    return email(form, "email")
