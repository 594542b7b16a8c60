"""Bureau forms saved once: the same form sent twice finds what its first send made.

Each form shown carries a token of its own (``FORM_TOKEN``, as the entry forms do). The first
send keeps the token with what it made; a second send of the same form (a double click, a
browser's retry, a person sending it again after the connection broke at the commit) is
answered with that instead of making a second policy, pool or document. Two sends that arrive
together take turns on a lock on the token until the first's transaction ends; if the first
was rolled back, the second makes it. The primary key makes a second row impossible anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ledger.errors import ValidationFailed, message
from ledger.transactions import FORM_TOKEN
from purchasing.models import FormSubmission


@dataclass(frozen=True, slots=True)
class Saved:
    """The id of what a form made, and whether this send made it (or an earlier one did)."""

    id: int
    is_new: bool


def save_once(
    session: Session, form_token: str | None, kind: str, make: Callable[[], int]
) -> Saved:
    """Run ``make`` for the first send of the form ``form_token`` only; ``kind`` names what it
    makes (``"policy"``). Without a token (a script) ``make`` runs every time."""
    if form_token is None:
        return Saved(make(), is_new=True)
    if not FORM_TOKEN.fullmatch(form_token):
        raise ValidationFailed(
            message("Dit formulier is niet meer geldig. Laad de pagina opnieuw."),
            field="form_token",
        )
    # Locks are shared by the whole database: the prefix keeps these apart from the entry
    # forms' (``ledger.transactions.post_form``).
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"bureau:{form_token}"))))
    earlier = session.execute(
        select(FormSubmission.kind, FormSubmission.made_id).where(
            FormSubmission.token == form_token
        )
    ).first()
    if earlier is not None:
        if earlier.kind != kind:  # a token copied from another form
            raise ValidationFailed(
                message("Dit formulier is niet meer geldig. Laad de pagina opnieuw."),
                field="form_token",
            )
        return Saved(earlier.made_id, is_new=False)
    made = make()
    session.execute(insert(FormSubmission).values(token=form_token, kind=kind, made_id=made))
    return Saved(made, is_new=True)
