"""``servicebureau releases``: post the releases that are due, and reschedule old ones."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from app.commands import bound_session, in_unit_of_work
from app.extensions import db
from ledger.clock import today
from ledger.errors import DomainError
from ledger.releases import outstanding
from workers.release_jobs import release_due, reschedule_everywhere


@click.group("releases")
def releases_group() -> None:
    """Releases of prepaid and invoiced-in-advance amounts, in every organisation's books."""


@releases_group.command("post")
@click.option("--on", "on", default=None, help="Post what is due on this date (jjjj-mm-dd).")
@with_appcontext
def releases_post(on: str | None) -> None:
    """Post every release due by today (what the scheduler does every hour)."""
    counts = release_due(db.engine, date.fromisoformat(on) if on else today())
    click.echo(" ".join(f"{name}={number}" for name, number in counts.items()))


@releases_group.command("reschedule")
@with_appcontext
def releases_reschedule() -> None:
    """Turn releases that were posted ahead of their day into scheduled ones (once, after an
    upgrade): each is taken out of the journal, kept in the audit trail, and posted when due."""
    counts = reschedule_everywhere(db.engine, today())
    click.echo(" ".join(f"{name}={number}" for name, number in counts.items()))


@releases_group.command("list")
@click.argument("slug")
@with_appcontext
@in_unit_of_work
def releases_list(slug: str) -> None:
    """What is still to be released in the books of SLUG, per deferral account."""
    try:
        session = bound_session(slug)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    for left in outstanding(session):
        click.echo(
            f"{left.account}\t{left.amount} {left.currency}\t{left.releases} releases"
            f"\tlast on {left.last_due_on:%d-%m-%Y}"
        )
