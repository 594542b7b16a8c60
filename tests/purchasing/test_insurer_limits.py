"""Insurers, policies and policy documents: what does not fit its column is refused or left out.

An insurer's AFM number (12 characters) and a policy number (40) are refused at their field,
by the service and on the bureau's forms (422, nothing kept); a policy document's type, as the
uploading browser declared it (100), is not kept when it does not fit or is no media type: the
document itself is.
"""

from __future__ import annotations

import io
import secrets
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed
from purchasing.models import CollectivePolicy, Insurer, PolicyDocument
from purchasing.policies import NewPolicy, add_insurer, add_policy, attach_document
from purchasing.rating import Basis, Line, TierMeasure
from tests.purchasing.conftest import TERM_END, TERM_START

LONG_TYPE = f"application/vnd.{'x' * 120}"  # 136 characters, more than the column's 100


def insurer_name() -> str:
    return f"Verzekeraar {secrets.token_hex(3)}"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"afm_number": "1234567890123"}, "afm_number"),  # 13 characters
        ({"afm_number": "12000-536"}, "afm_number"),
        ({"kvk_number": "1234"}, "kvk_number"),
        ({"kvk_number": "123456789"}, "kvk_number"),
    ],
)
def test_an_insurer_with_a_number_that_does_not_fit_is_refused_at_its_field(
    session: Session, fields: dict[str, str], field: str
) -> None:
    name = insurer_name()
    with pytest.raises(ValidationFailed) as refused:
        add_insurer(session, name, **fields)
    assert refused.value.field == field
    session.rollback()
    assert session.scalar(select(Insurer.id).where(Insurer.name == name)) is None


def test_an_insurer_without_a_name_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_insurer(session, "  ")
    assert refused.value.field == "name"


def test_an_afm_number_of_twelve_and_empty_numbers_are_kept(session: Session) -> None:
    insurer = session.get_one(Insurer, add_insurer(session, insurer_name(), " ", "123456789012"))
    assert (insurer.kvk_number, insurer.afm_number) == (None, "123456789012")
    bare = session.get_one(Insurer, add_insurer(session, insurer_name(), "", ""))
    assert (bare.kvk_number, bare.afm_number) == (None, None)


def new_policy(insurer_id: int, policyholder_id: int, policy_number: str | None) -> NewPolicy:
    return NewPolicy(
        insurer_id=insurer_id,
        policyholder_id=policyholder_id,
        line=Line.AVB,
        name="Collectieve AVB",
        starts_on=TERM_START,
        ends_on=TERM_END,
        basis=Basis.PER_EMPLOYEE,
        tiers=[(Decimal(0), Decimal(100))],
        tier_measure=TierMeasure.MEMBERS,
        policy_number=policy_number,
    )


def test_a_policy_number_longer_than_forty_characters_is_refused_at_its_field(
    session: Session, bureau, insurer_id: int
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_policy(session, new_policy(insurer_id, bureau.id, "P" * 41))
    assert refused.value.field == "policy_number"
    kept = add_policy(session, new_policy(insurer_id, bureau.id, f" {'P' * 40} "))
    assert session.get_one(CollectivePolicy, kept).policy_number == "P" * 40


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        (LONG_TYPE, None),
        ("<script>alert(1)</script>", None),
        ("Application/PDF", "application/pdf"),
    ],
)
def test_a_declared_type_is_kept_only_when_it_is_a_media_type_that_fits(
    session: Session, make_policy, declared: str | None, kept: str | None
) -> None:
    policy_id = make_policy()
    document_id = attach_document(
        session, policy_id, "Polisblad", "policy-documents/x-polis.pdf", content_type=declared
    )
    session.commit()
    assert session.get_one(PolicyDocument, document_id).content_type == kept


# The bureau's forms.


@pytest.fixture
def staff(client, make_user, login_as):
    login_as(client, make_user(is_bureau_admin=True))
    return client


def test_the_insurer_form_shows_a_too_long_afm_number_at_its_field_and_keeps_nothing(
    session: Session, staff
) -> None:
    name = insurer_name()
    session.commit()
    response = staff.post(
        "/bureau/insurance/insurers",
        data={"name": name, "kvk_number": "12345678", "afm_number": "1234567890123"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('data-testid="error-afm_number">', 1)[1].split("</p>", 1)[0]
    assert "AFM-vergunningnummer" in error and "12" in error
    assert 'value="1234567890123"' in page
    session.commit()
    assert session.scalar(select(Insurer.id).where(Insurer.name == name)) is None


def test_the_policy_form_shows_a_too_long_policy_number_at_its_field_and_keeps_nothing(
    session: Session, staff, bureau, insurer_id: int
) -> None:
    name = f"Polis {secrets.token_hex(3)}"
    session.commit()
    response = staff.post(
        "/bureau/insurance/policies",
        data={
            "insurer_id": insurer_id,
            "policyholder_id": bureau.id,
            "line": "avb",
            "name": name,
            "policy_number": "P" * 41,
            "starts_on": TERM_START.isoformat(),
            "ends_on": TERM_END.isoformat(),
            "basis": "per_employee",
            "tier_measure": "members",
            "tier_threshold_0": "0",
            "tier_rate_0": "100",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('data-testid="error-policy_number">', 1)[1].split("</p>", 1)[0]
    assert "polisnummer" in error and "40" in error
    session.commit()
    assert session.scalar(select(CollectivePolicy.id).where(CollectivePolicy.name == name)) is None


def test_a_document_uploaded_with_a_too_long_declared_type_is_kept_and_sent_as_bytes(
    session: Session, staff, make_policy
) -> None:
    policy_id = make_policy()
    session.commit()

    document, download = upload_and_download(session, staff, policy_id, "av.pdf", LONG_TYPE)

    assert document.content_type is None
    assert download.data == b"%PDF-1.4 av"
    assert download.mimetype == "application/octet-stream"


def test_a_document_with_a_name_longer_than_a_file_system_takes_is_kept_by_a_shorter_one(
    session: Session, staff, make_policy
) -> None:
    policy_id = make_policy()
    session.commit()
    name = f"{'polisvoorwaarden-' * 15}2026.pdf"  # 263 characters: the file system takes 255

    _document, download = upload_and_download(session, staff, policy_id, name)

    assert download.data == b"%PDF-1.4 av"
    sent_as = download.headers["Content-Disposition"]
    assert sent_as.endswith('.pdf"') or sent_as.endswith(".pdf")
    assert "polisvoorwaarden-polisvoorwaarden" in sent_as


def upload_and_download(
    session: Session, staff, policy_id: int, name: str, declared: str | None = None
) -> tuple[PolicyDocument, Any]:
    """Upload a small PDF under ``name`` (and a declared type), then download what was kept."""
    path = f"/bureau/insurance/policies/{policy_id}/documents"
    sent = (io.BytesIO(b"%PDF-1.4 av"), name, *([declared] if declared else []))
    upload = staff.post(
        path, data={"title": "Voorwaarden", "document": sent}, content_type="multipart/form-data"
    )
    assert upload.status_code == 302
    session.commit()
    document = session.scalars(
        select(PolicyDocument).where(PolicyDocument.policy_id == policy_id)
    ).one()
    return document, staff.get(f"{path}/{document.id}")
