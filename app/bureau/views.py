"""The bureau's organisations: the list, creating one, and one organisation's people."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.bureau.access import require_bureau_admin
from app.bureau.forms import NewOrganisationForm, OwnerInvitationForm
from app.bureau.owners import invite_owner
from app.extensions import db
from app.refusals import attempt, go_back
from app.schema_owner import owner_session
from tenants.binding import TenantRef
from tenants.models import Organisation
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.queries import all_organisations, members_of, open_invitations, organisation_by_slug

blueprint = Blueprint("bureau", __name__, url_prefix="/bureau")
blueprint.before_request(require_bureau_admin)


@blueprint.route("/organisations")
def organisations() -> Any:
    return _organisations_page(NewOrganisationForm())


@blueprint.route("/organisations", methods=["POST"])
def create_organisation() -> Any:
    form = NewOrganisationForm()
    if not form.validate_on_submit():
        return _organisations_page(form), 400
    new = NewOrganisation(
        slug=form.slug.data or "",
        name=form.name.data or "",
        kvk_number=form.kvk_number.data or None,
    )
    return attempt(
        lambda: _provision(new),
        lambda tenant: _created(tenant, new, form.owner_email.data),
        go_back(url_for("bureau.organisations")),
    )


def _provision(new: NewOrganisation) -> TenantRef:
    """Made on the login that owns the schemas, in its own transaction (``app/schema_owner.py``)."""
    with owner_session() as session:
        return provision_organisation(session, new, owner_id=None)


def _created(tenant: TenantRef, new: NewOrganisation, owner_email: str | None) -> Any:
    flash(_("Organisatie %(name)s aangemaakt.", name=new.name))
    if owner_email:
        invite_owner(tenant.organisation_id, new.name, owner_email, current_user)
    return redirect(url_for("bureau.organisation", slug=new.slug))


@blueprint.route("/organisations/<slug>")
def organisation(slug: str) -> Any:
    return _organisation_page(_organisation(slug), OwnerInvitationForm())


@blueprint.route("/organisations/<slug>/owner-invitations", methods=["POST"])
def invite_organisation_owner(slug: str) -> Any:
    organisation = _organisation(slug)
    form = OwnerInvitationForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, form), 400
    invite_owner(organisation.id, organisation.name, form.email.data or "", current_user)
    return redirect(url_for("bureau.organisation", slug=slug))


def _organisation(slug: str) -> Organisation:
    organisation = organisation_by_slug(db.session(), slug)
    if organisation is None:
        abort(404)
    return organisation


def _organisations_page(form: NewOrganisationForm) -> str:
    return render_template(
        "bureau/organisations.html", organisations=all_organisations(db.session()), form=form
    )


def _organisation_page(organisation: Organisation, form: OwnerInvitationForm) -> str:
    session = db.session()
    members = members_of(session, organisation.id)
    return render_template(
        "bureau/organisation.html",
        organisation=organisation,
        members=members,
        has_owner=any(role == "owner" for _user, role in members),
        invitations=open_invitations(session, organisation.id),
        form=form,
    )
