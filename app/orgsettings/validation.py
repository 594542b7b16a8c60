"""Beancount's full validation on demand (owner only): queue a run, read the latest findings."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError

from app.extensions import db
from app.orgsettings.views import blueprint
from app.tenancy import requires
from ledger.validation import latest_validation
from tenants.roles import Role
from workers.ledger_jobs import enqueue_validation
from workers.queues import redis_connection


@blueprint.route("/settings/validation")
@requires(Role.OWNER)
def validation() -> Any:
    return render_template("orgsettings/validation.html", report=latest_validation(db.session()))


@blueprint.route("/settings/validation", methods=["POST"])
@requires(Role.OWNER)
def validate() -> Any:
    try:
        enqueue_validation(redis_connection(current_app.config["REDIS_URL"]), g.org.id)
    except RedisError:
        current_app.logger.exception("validation of %s not queued", g.org.slug)
        flash(_("De controle kon niet worden ingepland; probeer het later opnieuw."), "error")
    else:
        flash(_("De controle is ingepland; ververs deze pagina over een paar minuten."), "success")
    return redirect(url_for("orgsettings.validation"))
