"""A transaction's project: what subsidies and funds are accounted by.

A project is the metadata value ``project`` on a transaction (an imported file may also put it
on one posting; ``ledger.reports.projects`` reads both). People type a project's name in the
entry forms; a name typed as an earlier one is written (spaces aside, in any case) becomes that
one, so "moestuin " and "Moestuin" are one project in the report, not two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ledger.entries import Meta, MetaValue
from ledger.errors import ValidationFailed, message

PROJECT_KEY = "project"
PROJECT_LONGEST = 100


def project_name(typed: str, known: Iterable[str] = ()) -> str | None:
    """The project ``typed`` names, its spaces made single; one of ``known`` when it is that
    one written otherwise; None when nothing was typed.

    Refused (``ValidationFailed`` on the field ``project``) when longer than
    ``PROJECT_LONGEST`` characters or holding a control character.
    """
    name = " ".join(typed.split())
    if not name:
        return None
    if len(name) > PROJECT_LONGEST:
        raise ValidationFailed(
            message("Een projectnaam is hoogstens %(longest)s tekens lang."),
            field="project",
            longest=PROJECT_LONGEST,
        )
    if not name.isprintable():
        raise ValidationFailed(
            message("Een projectnaam mag geen onzichtbare tekens of stuurtekens bevatten."),
            field="project",
        )
    folded = name.casefold()
    return next((found for found in known if found.casefold() == folded), name)


def project_of(meta: Meta) -> str:
    """The project ``meta`` names, or ``""``; a value that is not text is no project."""
    value = meta.get(PROJECT_KEY)
    return value if isinstance(value, str) else ""


def with_project(meta: Mapping[str, MetaValue], project: str | None) -> dict[str, MetaValue]:
    """``meta`` with its project set to ``project``, or without one when it is None.

    When ``project`` is what ``project_of`` reads in ``meta`` already, ``meta`` stays as it
    is: an edit form that shows no project for a value that is not text (a number an imported
    file gave) leaves that value alone.
    """
    if project_of(meta) == (project or ""):
        return dict(meta)
    changed = {key: value for key, value in meta.items() if key != PROJECT_KEY}
    if project is not None:
        changed[PROJECT_KEY] = project
    return changed
