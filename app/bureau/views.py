"""The bureau's organisations: the list, creating one, and one organisation's people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.bureau import forms
from app.bureau.access import require_bureau_admin
from app.bureau.forms import OrganisationToCreate
from app.bureau.owners import invite_owner
from app.extensions import db
from app.refusals import Errors, attempt, go_back, show_again
from app.schema_owner import owner_session
from ledger.errors import DomainError
from tenants.binding import TenantRef
from tenants.models import Organisation
from tenants.provisioning import provision_organisation
from tenants.queries import all_organisations, members_of, open_invitations, organisation_by_slug

blueprint = Blueprint("bureau", __name__, url_prefix="/bureau")
blueprint.before_request(require_bureau_admin)


@blueprint.route("/organisations")
def organisations() -> Any:
    return _organisations_page()


@blueprint.route("/organisations", methods=["POST"])
def create_organisation() -> Any:
    return attempt(
        lambda: _provision(forms.new_organisation(request.form)),
        lambda made: _created(*made),
        _refused_organisation,
    )


def _provision(asked: OrganisationToCreate) -> tuple[TenantRef, OrganisationToCreate]:
    """Made on the login that owns the schemas, in its own transaction (``app/schema_owner.py``)."""
    with owner_session() as session:
        return provision_organisation(session, asked.organisation, owner_id=None), asked


def _created(tenant: TenantRef, asked: OrganisationToCreate) -> Any:
    new = asked.organisation
    flash(_("Organisatie %(name)s aangemaakt.", name=new.name))
    if asked.owner_email:
        invite_owner(tenant.organisation_id, new.name, asked.owner_email, current_user)
    return redirect(url_for("bureau.organisation", slug=new.slug))


def _refused_organisation(error: DomainError) -> Any:
    """A field that is wrong (or a slug in use): the form again, at that field; else flashed."""
    if error.field in forms.NEW_ORGANISATION_FIELDS:
        return show_again(_organisations_page, "name")(error)
    return go_back(url_for("bureau.organisations"))(error)


@blueprint.route("/organisations/<slug>")
def organisation(slug: str) -> Any:
    return _organisation_page(_organisation(slug))


@blueprint.route("/organisations/<slug>/owner-invitations", methods=["POST"])
def invite_organisation_owner(slug: str) -> Any:
    organisation = _organisation(slug)
    return attempt(
        lambda: forms.owner_email(request.form),
        lambda email: _invited(organisation, email),
        show_again(
            lambda errors, values: _organisation_page(organisation, errors, values), "email"
        ),
    )


def _invited(organisation: Organisation, email: str) -> Any:
    invite_owner(organisation.id, organisation.name, email, current_user)
    return redirect(url_for("bureau.organisation", slug=organisation.slug))


def _organisation(slug: str) -> Organisation:
    organisation = organisation_by_slug(db.session(), slug)
    if organisation is None:
        abort(404)
    return organisation


def _organisations_page(
    errors: Errors | None = None, values: Mapping[str, str] | None = None
) -> str:
    return render_template(
        "bureau/organisations.html",
        organisations=all_organisations(db.session()),
        errors=errors or {},
        values=values or {},
    )


def _organisation_page(
    organisation: Organisation,
    errors: Errors | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    session = db.session()
    members = members_of(session, organisation.id)
    return render_template(
        "bureau/organisation.html",
        organisation=organisation,
        members=members,
        has_owner=any(role == "owner" for _user, role in members),
        invitations=open_invitations(session, organisation.id),
        errors=errors or {},
        values=values or {},
    )
