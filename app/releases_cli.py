"""``servicebureau releases``: post the releases that are due, and reschedule old ones."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from app.extensions import db
from ledger.clock import today
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
