"""``servicebureau ledger``: export, import, validate, report, and close or reopen periods."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from redis.exceptions import RedisError
from rq.job import Job
from sqlalchemy.orm import Session

from app.commands import bound_session, in_unit_of_work
from ledger.clock import today
from ledger.errors import DomainError, ImportRefused
from ledger.export import export_book
from ledger.importer import import_book_file
from ledger.period_overview import period_overview
from ledger.periods import OWNER, close_through, reopen_period
from ledger.reports.catalogue import REPORT_KINDS, build_report
from ledger.reports.formats import CSV_HEADER, report_json, report_rows, spreadsheet_cell
from ledger.validation import validate_book
from tenants.binding import bound_tenant
from tenants.unit_of_work import after_commit
from workers.ledger_jobs import enqueue_validation
from workers.queues import redis_connection


@click.group("ledger")
def ledger_group() -> None:
    """Export and import an organisation's books."""


@ledger_group.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@in_unit_of_work
def ledger_export(slug: str, output: Path | None) -> None:
    """Write the books of SLUG as a .beancount file (stdout without -o)."""
    text = export_book(_bound(slug))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"exported {slug} to {output}", err=True)


@ledger_group.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_unit_of_work
def ledger_import(slug: str, file: Path) -> None:
    """Load a Beancount FILE (and the files it includes) into the empty books of SLUG."""
    session = _bound(slug)
    try:
        summary = import_book_file(session, file, None)
    except ImportRefused as error:
        click.echo(f"refused: {error}", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except DomainError as error:
        click.echo(f"refused: {error}", err=True)
        sys.exit(1)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.counts.items()))
    click.echo(f"imported into {slug}: {counts}")
    organisation_id = _organisation_id(session)
    after_commit(session, lambda: _queue_validation(slug, organisation_id))


@ledger_group.command("validate")
@click.argument("slug")
@click.option("--wait", is_flag=True, help="Validate here and now and print the findings.")
@in_unit_of_work
def ledger_validate(slug: str, wait: bool) -> int:
    """Run Beancount's full validation of SLUG's books in the background (or, with --wait, now).

    With --wait the run and its findings are stored, and the command fails when there are any.
    """
    session = _bound(slug)
    if not wait:
        return 1 if _queue_validation(slug, _organisation_id(session)) is None else 0
    findings = validate_book(session)
    for finding in findings:
        click.echo(f"line {finding.line}: {finding.kind}: {finding.message}")
    click.echo(f"{len(findings)} findings in {slug}")
    return 1 if findings else 0


def _organisation_id(session: Session) -> int:
    tenant = bound_tenant(session)
    assert tenant is not None
    return tenant.organisation_id


def _queue_validation(slug: str, organisation_id: int) -> Job | None:
    """Queue the full validation; a Redis outage is reported, not fatal (the import stands)."""
    try:
        job = enqueue_validation(redis_connection(current_app.config["REDIS_URL"]), organisation_id)
    except RedisError as error:
        click.echo(f"validation not queued: {error}", err=True)
        return None
    click.echo(f"validation of {slug} queued as job {job.id}")
    return job


@ledger_group.command("report")
@click.argument("slug")
@click.argument("kind", type=click.Choice(REPORT_KINDS))
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="As of the end of this day.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day of a period.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of a period.")
@click.option("--format", "output", type=click.Choice(["text", "csv", "json"]), default="text")
@in_unit_of_work
def ledger_report(
    slug: str,
    kind: str,
    on: datetime | None,
    start: datetime | None,
    end: datetime | None,
    output: str,
) -> None:
    """Print a report of SLUG: as of --date D, or for --from D --to D (both days included)."""
    try:
        report = build_report(
            _bound(slug),
            kind,
            today=today(),
            on=on.date() if on else None,
            start=start.date() if start else None,
            end=end.date() if end else None,
        )
    except DomainError as error:
        raise click.UsageError(str(error)) from error
    if output == "json":
        click.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    elif output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows([spreadsheet_cell(cell) for cell in row] for row in report_rows(report))
    else:
        for account, _label, currency, number in report_rows(report):
            click.echo(f"{account:<60} {number:>16} {currency}")


@ledger_group.command("periods")
@click.argument("slug")
@in_unit_of_work
def ledger_periods(slug: str) -> None:
    """List the accounting periods of SLUG (fiscal years and closed periods), newest first."""
    for row in period_overview(_bound(slug), today()):
        state = f"closed {row.closed_at:%Y-%m-%d}" if row.closed_at else "open"
        ident = f"#{row.id}" if row.id else "-"
        click.echo(f"{ident:>6} {row.starts_on} {row.ends_on} {state:<17} {row.transaction_count}")


@ledger_group.command("close-period")
@click.argument("slug")
@click.option(
    "--through", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day to close."
)
@in_unit_of_work
def ledger_close_period(slug: str, through: datetime) -> None:
    """Close everything of SLUG dated on or before --through (as the bureau, acting as owner)."""
    session = _bound(slug)
    try:
        closed = close_through(session, through.date(), None, role=OWNER, today=today())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"closed {len(closed)} period(s) of {slug} through {through:%Y-%m-%d}")


@ledger_group.command("reopen-period")
@click.argument("slug")
@click.option("--on", type=click.DateTime(["%Y-%m-%d"]), required=True, help="A day inside it.")
@in_unit_of_work
def ledger_reopen_period(slug: str, on: datetime) -> None:
    """Reopen the closed period of SLUG that holds the day --on."""
    session = _bound(slug)
    day = on.date()
    period = next(
        (r for r in period_overview(session, today()) if r.starts_on <= day <= r.ends_on), None
    )
    if period is None or period.id is None or not period.is_closed:
        raise click.ClickException(f"no closed period of {slug} holds {day}")
    try:
        reopen_period(session, period.id, None, role=OWNER)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"reopened {period.starts_on} – {period.ends_on} of {slug}")


def _bound(slug: str) -> Session:
    """The command's session bound to SLUG; an unknown slug ends the command with a message."""
    try:
        return bound_session(slug)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
