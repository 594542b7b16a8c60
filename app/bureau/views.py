"""The bureau's list of organisations, and creating a new one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.bureau.access import require_bureau_admin
from app.extensions import db
from ledger.errors import DomainError
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.queries import all_organisations

blueprint = Blueprint("bureau", __name__, url_prefix="/bureau")
blueprint.before_request(require_bureau_admin)


class NewOrganisationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Korte naam (in de URL)"),
        validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,47}$")],
    )
    kvk_number = StringField(_l("KvK-nummer"), validators=[Optional(), Regexp(r"^\d{8}$")])


@blueprint.route("/organisations")
def organisations() -> Any:
    return render_template(
        "bureau/organisations.html",
        organisations=all_organisations(db.session()),
        form=NewOrganisationForm(),
    )


@blueprint.route("/organisations", methods=["POST"])
def create_organisation() -> Any:
    form = NewOrganisationForm()
    if not form.validate_on_submit():
        return render_template(
            "bureau/organisations.html", organisations=all_organisations(db.session()), form=form
        ), 400
    new = NewOrganisation(
        slug=form.slug.data or "",
        name=form.name.data or "",
        kvk_number=form.kvk_number.data or None,
    )
    try:
        provision_organisation(db.session(), new, owner_id=None)
    except DomainError as error:
        flash(_(error.template, **error.params), "error")
        return redirect(url_for("bureau.organisations"))
    flash(_("Organisatie %(name)s aangemaakt.", name=new.name))
    return redirect(url_for("bureau.organisations"))
