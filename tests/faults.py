"""What every fault test ends with: polling with a deadline, and books Beancount accepts."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger import beans
from ledger.export import export_book
from tenants.binding import bind_session
from tenants.provisioning import NewOrganisation, provision_organisation
from tests.conftest import OrgHandle


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail, naming ``what``, once ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


def findings_of(engine: Engine, org: OrgHandle) -> list[str]:
    """Beancount's full validation of ``org``'s books as exported now (nothing is stored)."""
    with Session(engine) as books:
        bind_session(books, org.tenant)
        _count, findings = beans.validate_text(export_book(books))
        return [str(finding) for finding in findings]


def assert_books_validate(engine: Engine, orgs: Iterable[OrgHandle]) -> None:
    """Every one of ``orgs`` has books that pass Beancount's validation without a finding."""
    failing = {org.slug: found for org in orgs if (found := findings_of(engine, org))}
    assert failing == {}


def opened_in_2020(engine: Engine) -> OrgHandle:
    """An organisation whose books open in 2020: the generated bank statements are of 2024."""
    slug = f"bank-{secrets.token_hex(4)}"
    with Session(engine) as session:
        tenant = provision_organisation(
            session,
            NewOrganisation(slug=slug, name="Wijkvereniging"),
            books_open_on=date(2020, 1, 1),
        )
    return OrgHandle(tenant.organisation_id, slug, "Wijkvereniging", tenant.schema_name)
