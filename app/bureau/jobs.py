"""Failed background jobs for bureau staff: what failed, for whom, why, and a retry button."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.bureau.access import require_bureau_admin
from app.extensions import db
from tenants.queries import organisations_by_id
from workers.queues import redis_connection
from workers.registries import failed_jobs, retry_failed_job

blueprint = Blueprint("bureau_jobs", __name__, url_prefix="/bureau/jobs")
blueprint.before_request(require_bureau_admin)

# What each job does, in the words of the people who started it; the function name otherwise.
JOB_LABELS = {
    "workers.bank_jobs.import_statement_job": _l("Bankafschrift inlezen"),
    "workers.bank_jobs.confirm_lines_job": _l("Banklijnen boeken"),
    "workers.billing_jobs.send_invoice_job": _l("Factuur e-mailen"),
    "workers.billing_jobs.send_reminders_job": _l("Herinneringen versturen"),
    "workers.billing_jobs.send_prenotifications_job": _l("Incasso vooraf aankondigen"),
    "workers.billing_jobs.debit_run_job": _l("Incasso van een factuurrun"),
    "workers.purchasing_jobs.invoice_run_job": _l("Factuurrun"),
    "workers.purchasing_jobs.book_pending_job": _l("Openstaande boekingen verwerken"),
    "workers.ledger_jobs.validate_books": _l("Boekhouding controleren"),
    "workers.jobs.count_accounts": _l("Rekeningen tellen"),
}


@blueprint.route("/failed")
def failed() -> Any:
    jobs = failed_jobs(redis_connection(current_app.config["REDIS_URL"]))
    wanted = {job.organisation_id for job in jobs if job.organisation_id is not None}
    organisations = organisations_by_id(db.session(), wanted)
    rows = [
        {
            "job": job,
            "label": str(JOB_LABELS.get(job.function, job.function)),
            "organisation": organisations.get(job.organisation_id or 0),
            "failed_at": format_datetime(job.failed_at, "short") if job.failed_at else "—",
        }
        for job in jobs
    ]
    return render_template("bureau/failed_jobs.html", rows=rows)


@blueprint.route("/failed/<job_id>/retry", methods=["POST"])
def retry(job_id: str) -> Any:
    if retry_failed_job(redis_connection(current_app.config["REDIS_URL"]), job_id):
        flash(_("De taak staat weer in de wachtrij."))
    else:
        flash(_("Deze taak is niet (meer) mislukt: opnieuw proberen kan niet."), "error")
    return redirect(url_for("bureau_jobs.failed"))
