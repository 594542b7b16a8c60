"""Organisation routing: every URL under ``/o/<slug>/`` is bound and authorised here, once.

An organisation blueprint is made with ``organisation_blueprint``. Before any of its views runs:
the user must be logged in; the slug must name an organisation the user is a member of (an
unknown slug and a foreign one both answer 404, so nobody can probe which organisations exist);
the view's declared role must be met (403); then ``db.session`` is bound to the organisation's
schema and ``g.org`` describes it. Views declare their role with ``@requires(Role.X)``; the
application refuses to start if an organisation view declares none.

A view that changes the organisation's registry rather than its books (who is a member and
with what role, invitations, the organisation's name) is declared with ``@writes_registry``:
it is authorised the same way but not bound, because the tenant's database role may not write
those shared tables (``tenants/db_roles.py``). Should it then show the books, it binds first
with ``bind_books()``.

Roles are asked one way: ``g.org.allows(Role.X)`` in Python, and ``can("bookkeeper")`` (the
same predicate, as a template global) in templates; never a tuple of role names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from app.account.log import note_bureau_visit
from app.extensions import db, login_manager
from tenants.binding import TenantRef, bind_session, bound_tenant, tenant_ref
from tenants.errors import TenantBindingError
from tenants.queries import MemberOrganisation, organisations_of
from tenants.roles import Role

log = logging.getLogger(__name__)

URL_PREFIX = "/o/<slug>"
_ROLE_ATTRIBUTE = "required_role"
_REGISTRY_ATTRIBUTE = "writes_registry"
_ORGANISATION_BLUEPRINTS: set[str] = set()

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class OrgContext:
    """The organisation a request is about, and the role the user has in it."""

    id: int
    slug: str
    name: str
    role: Role
    is_bureau: bool

    def allows(self, role: Role) -> bool:
        """Whether the user's role here includes ``role`` (an owner may do what a viewer may)."""
        return self.role.allows(role)


def can(role: Role | str) -> bool:
    """Whether the user may do what ``role`` guards in this request's organisation.

    The templates' way to ask (``{% if can("bookkeeper") %}``); outside an organisation's
    pages nobody holds a role, so the answer is no.
    """
    org: OrgContext | None = getattr(g, "org", None)
    return org is not None and org.allows(Role(role))


def requires(role: Role) -> Callable[[View], View]:
    """Declare the least role a view needs; checked before the view runs."""

    def declare(view: View) -> View:
        setattr(view, _ROLE_ATTRIBUTE, role)
        return view

    return declare


def writes_registry(view: View) -> View:
    """Declare a view that writes memberships, invitations or the organisation's row.

    It runs unbound, under the application's role: a tenant table it touches by mistake fails
    loudly (an unbound session sees no tenant schema), never another organisation's.
    """
    setattr(view, _REGISTRY_ATTRIBUTE, True)
    return view


def bind_books() -> None:
    """Bind this request to its organisation's books now, if it is not yet (registry views)."""
    session = db.session()
    if bound_tenant(session) is None:
        _bind(session, g.org_tenant, g.org.slug)


def organisation_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint whose every route lives under ``/o/<slug>`` and is bound and authorised."""
    blueprint = Blueprint(name, import_name, url_prefix=URL_PREFIX, **options)
    blueprint.url_value_preprocessor(_pull_slug)
    blueprint.url_defaults(_push_slug)
    blueprint.before_request(_bind_and_authorise)
    blueprint.add_app_template_global(can, "can")
    _ORGANISATION_BLUEPRINTS.add(name)
    return blueprint


def is_organisation_endpoint(endpoint: str) -> bool:
    return endpoint.split(".", 1)[0] in _ORGANISATION_BLUEPRINTS


def check_every_organisation_view_declares_a_role(app: Flask) -> None:
    """Fail at start-up, not in production, when a view under ``/o/<slug>`` forgot its role."""
    for rule in app.url_map.iter_rules():
        if not is_organisation_endpoint(rule.endpoint):
            continue
        view = app.view_functions[rule.endpoint]
        if not isinstance(getattr(view, _ROLE_ATTRIBUTE, None), Role):
            raise RuntimeError(f"organisation view {rule.endpoint} declares no role (@requires)")


def user_organisations() -> list[tuple[MemberOrganisation, str]]:
    """The logged-in user's organisations and role in each, by name.

    The session check read them with the session (``tenants.sessions.check_session``); only a
    request that logged in just now reads them apart.
    """
    known = getattr(current_user, "organisations", None)
    if known is not None:
        return list(known)
    return organisations_of(db.session(), current_user.id)


def _pull_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.org_slug = (values or {}).pop("slug", None)


def _push_slug(endpoint: str, values: dict[str, Any]) -> None:
    if "slug" not in values and getattr(g, "org", None) is not None:
        values["slug"] = g.org.slug


def _bind_and_authorise() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    session = db.session()
    # The user's organisations as the session check read them, before the view ran.
    found = [(o, role) for o, role in user_organisations() if o.slug == g.org_slug]
    if not found:
        abort(404)
    organisation, role = found[0][0], Role(found[0][1])
    view = current_app.view_functions[request.endpoint or ""]
    if not role.allows(getattr(view, _ROLE_ATTRIBUTE)):
        abort(403)
    note_bureau_visit(organisation.id, organisation.is_bureau)
    g.org_tenant = tenant_ref(organisation)
    if not getattr(view, _REGISTRY_ATTRIBUTE, False):
        _bind(session, g.org_tenant, organisation.slug)
    g.org = OrgContext(
        id=organisation.id,
        slug=organisation.slug,
        name=organisation.name,
        role=role,
        is_bureau=organisation.is_bureau,
    )
    return None


def _bind(session: Session, tenant: TenantRef, slug: str) -> None:
    try:
        bind_session(session, tenant)
    except TenantBindingError:
        # The registry and the schema disagree: a fault of ours, not of the visitor. Say
        # nothing about schemas to them; the log has the details.
        log.exception("organisation %s could not be bound", slug)
        abort(500)
