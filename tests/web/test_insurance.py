"""Collective insurance in the browser: the bureau sets up policies and pools, members join."""

from __future__ import annotations

import io
import re
import secrets
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.clock import today
from purchasing.models import CollectivePolicy, Insurer, Pool
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import open_pool
from purchasing.rating import Basis, Line, TierMeasure
from tenants.roles import Role
from tenants.unit_of_work import unit_of_work
from tests.purchasing.billing import make_bureau
from tests.web.test_forms_are_labelled import unlabelled_fields

D = Decimal
YEAR = today().year


def amount_at(page: str, testid: str) -> Decimal:
    """The euro amount a page shows in the element with ``data-testid``, as a Decimal."""
    match = re.search(rf'data-testid="{testid}">([^<]+)<', page)
    assert match, f"no {testid} on the page"
    digits = re.sub(r"[^\d,-]", "", match.group(1)).replace(",", ".")
    return Decimal(digits)


@pytest.fixture
def bureau(session, make_org):
    session.commit()
    return make_bureau(make_org, session)


@pytest.fixture
def staff(app, make_user, login_as):
    client = app.test_client()
    login_as(client, make_user(is_bureau_admin=True))
    return client


@pytest.fixture
def avb_pool(engine, bureau) -> int:
    """An AVB pool (21% tax) at €100 per employee a year, €80 from two members; starts at two."""
    with unit_of_work(engine) as session:
        insurer = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}")
        policy = add_policy(
            session,
            NewPolicy(
                insurer_id=insurer,
                policyholder_id=bureau.id,
                line=Line.AVB,
                name="Collectieve AVB",
                starts_on=date(YEAR, 1, 1),
                ends_on=date(YEAR, 12, 31),
                basis=Basis.PER_EMPLOYEE,
                tiers=[(D(0), D(100)), (D(2), D(80))],
                tier_measure=TierMeasure.MEMBERS,
            ),
        )
        return open_pool(session, policy, "AVB-pool", 2, date(YEAR, 1, 1))


def owner_of(app, make_org, make_user, login_as, role=Role.OWNER):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=role))
    return client, org


def test_bureau_staff_add_an_insurer_a_policy_with_tiers_a_document_and_open_a_pool(
    staff, bureau, session
):
    name = f"Verzekeraar {secrets.token_hex(3)}"
    session.commit()
    assert staff.post("/bureau/insurance/insurers", data={"name": name}).status_code == 302
    session.commit()
    assert name in staff.get("/bureau/insurance/").get_data(as_text=True)
    insurer_id = session.scalar(select(Insurer.id).where(Insurer.name == name))

    session.commit()
    response = staff.post(
        "/bureau/insurance/policies",
        data={
            "insurer_id": insurer_id,
            "policyholder_id": bureau.id,
            "line": "verzuim",
            "name": "Verzuim voor kleine werkgevers",
            "starts_on": f"{YEAR}-01-01",
            "ends_on": f"{YEAR}-12-31",
            "basis": "payroll_percent",
            "tier_measure": "members",
            "tier_threshold_0": "0",
            "tier_rate_0": "2,35",
            "tier_threshold_1": "10",
            "tier_rate_1": "2,10",
            "minimum_premium": "150,00",
        },
    )
    assert response.status_code == 302
    session.commit()
    policy_page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "2,35%" in policy_page and "2,1%" in policy_page
    assert "€\xa0150,00" in policy_page
    assert "vrijgesteld" in policy_page  # verzuim is exempt from premium tax

    policy_path = response.headers["Location"]
    session.commit()
    upload = staff.post(
        f"{policy_path}/documents",
        data={"title": "Polisblad", "document": (io.BytesIO(b"%PDF-1.4 polis"), "polis.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    session.commit()
    page = staff.get(policy_path).get_data(as_text=True)
    link = re.search(r'href="([^"]+/documents/\d+)">Polisblad<', page)
    assert link and staff.get(link.group(1)).data == b"%PDF-1.4 polis"

    session.commit()
    opened = staff.post(
        f"{policy_path}/pools",
        data={"pool_name": "Verzuimpool", "minimum_members": "5", "enrolment_opens_on": ""},
    )
    assert opened.status_code == 302
    session.commit()
    pool_page = staff.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Verzuimpool" in pool_page and "wacht op deelnemers" in pool_page


def test_a_refused_policy_shows_the_reason_next_to_the_field(staff, bureau, session):
    insurer_id = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}")
    session.commit()
    response = staff.post(
        "/bureau/insurance/policies",
        data={
            "insurer_id": insurer_id,
            "policyholder_id": bureau.id,
            "line": "avb",
            "name": "Zonder tarief",
            "starts_on": f"{YEAR}-01-01",
            "ends_on": f"{YEAR}-12-31",
            "basis": "per_employee",
            "tier_measure": "members",
            "tier_threshold_0": "0",
        },
    )
    assert response.status_code == 422
    assert 'data-testid="error-tier_rate_0"' in response.get_data(as_text=True)
    assert (
        session.scalar(select(CollectivePolicy.id).where(CollectivePolicy.name == "Zonder tarief"))
        is None
    )


def test_a_member_sees_the_pool_gets_a_quote_joins_and_its_share_falls_when_another_joins(
    app, make_org, make_user, login_as, avb_pool
):
    first, first_org = owner_of(app, make_org, make_user, login_as)
    index = first.get(f"/o/{first_org.slug}/insurance").get_data(as_text=True)
    assert "AVB-pool" in index

    quoted = first.get(f"/o/{first_org.slug}/insurance/pools/{avb_pool}?quote=1&employees=4")
    page = quoted.get_data(as_text=True)
    assert quoted.status_code == 200 and 'data-testid="breakdown"' in page
    assert "€\xa0400,00" in page  # 4 employees × €100 a year, alone in the pool
    alone = amount_at(page, "share-total")

    joined = first.post(
        f"/o/{first_org.slug}/insurance/pools/{avb_pool}/join",
        data={"employees": "4", "joined_on": today().isoformat()},
    )
    assert joined.status_code == 302
    enrolment_path = joined.headers["Location"]

    second, second_org = owner_of(app, make_org, make_user, login_as)
    assert (
        second.post(
            f"/o/{second_org.slug}/insurance/pools/{avb_pool}/join",
            data={"employees": "1", "joined_on": today().isoformat()},
        ).status_code
        == 302
    )

    page = first.get(enrolment_path).get_data(as_text=True)
    assert "€\xa0320,00" in page  # the second tier: €80 × 4
    assert amount_at(page, "share-total") < alone


def test_only_the_owner_joins_a_bookkeeper_may_quote_but_gets_403_on_join(
    app, make_org, make_user, login_as, avb_pool
):
    client, org = owner_of(app, make_org, make_user, login_as, role=Role.BOOKKEEPER)
    quote = client.get(f"/o/{org.slug}/insurance/pools/{avb_pool}?quote=1&employees=2")
    assert quote.status_code == 200
    assert 'data-testid="join-form"' not in quote.get_data(as_text=True)
    response = client.post(
        f"/o/{org.slug}/insurance/pools/{avb_pool}/join", data={"employees": "2"}
    )
    assert response.status_code == 403


def test_a_refused_join_shows_the_reason_at_the_field(app, make_org, make_user, login_as, avb_pool):
    client, org = owner_of(app, make_org, make_user, login_as)
    response = client.post(
        f"/o/{org.slug}/insurance/pools/{avb_pool}/join",
        data={"employees": "2", "joined_on": f"{YEAR - 1}-06-01"},  # before enrolment opened
    )
    assert response.status_code == 422
    assert 'data-testid="error-joined_on"' in response.get_data(as_text=True)


def test_another_organisations_enrolment_answers_404_and_cannot_be_left(
    app, make_org, make_user, login_as, avb_pool
):
    owner, org = owner_of(app, make_org, make_user, login_as)
    joined = owner.post(f"/o/{org.slug}/insurance/pools/{avb_pool}/join", data={"employees": "3"})
    enrolment_id = joined.headers["Location"].rsplit("/", 1)[-1]
    stranger, other = owner_of(app, make_org, make_user, login_as)
    assert stranger.get(f"/o/{other.slug}/insurance/enrolments/{enrolment_id}").status_code == 404
    left = stranger.post(f"/o/{other.slug}/insurance/enrolments/{enrolment_id}/leave", data={})
    assert left.status_code == 404


def test_a_member_changes_its_declaration_and_leaves_with_notice(
    app, make_org, make_user, login_as, avb_pool
):
    client, org = owner_of(app, make_org, make_user, login_as)
    path = client.post(
        f"/o/{org.slug}/insurance/pools/{avb_pool}/join", data={"employees": "3"}
    ).headers["Location"]
    changed = client.post(
        f"{path}/declaration", data={"employees": "5", "effective_from": today().isoformat()}
    )
    assert changed.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "€\xa0500,00" in page  # 5 employees × €100 a year

    left = client.post(f"{path}/leave", data={}, follow_redirects=True)
    assert "Opgezegd: verzekerd tot en met" in left.get_data(as_text=True)
    assert 'data-testid="leave-form"' not in left.get_data(as_text=True)


def test_a_member_covered_by_the_municipal_scheme_is_warned_on_a_volunteers_pool(
    app, engine, make_org, make_user, login_as, bureau
):
    with unit_of_work(engine) as session:
        insurer = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}")
        policy = add_policy(
            session,
            NewPolicy(
                insurer_id=insurer,
                policyholder_id=bureau.id,
                line=Line.VOLUNTEERS,
                name="Vrijwilligers",
                starts_on=date(YEAR, 1, 1),
                ends_on=date(YEAR, 12, 31),
                basis=Basis.PER_VOLUNTEER,
                tiers=[(D(0), D(3))],
                taxable_share=D("0.5"),
            ),
        )
        pool = open_pool(session, policy, "Vrijwilligerspool", 3, date(YEAR, 1, 1))
        assert session.get(Pool, pool) is not None
    client, org = owner_of(app, make_org, make_user, login_as)
    assert 'data-testid="scheme-hint"' not in client.get(f"/o/{org.slug}/insurance").get_data(
        as_text=True
    )
    saved = client.post(f"/o/{org.slug}/insurance/volunteer-scheme", data={"scheme": "vng_plus"})
    assert saved.status_code == 302
    assert 'data-testid="scheme-hint"' in client.get(f"/o/{org.slug}/insurance").get_data(
        as_text=True
    )
    assert 'data-testid="scheme-hint"' in client.get(
        f"/o/{org.slug}/insurance/pools/{pool}"
    ).get_data(as_text=True)
    quoted = client.get(f"/o/{org.slug}/insurance/pools/{pool}?quote=1&volunteers=10")
    assert 'name="confirm_overlap"' in quoted.get_data(as_text=True)
    refused = client.post(f"/o/{org.slug}/insurance/pools/{pool}/join", data={"volunteers": "10"})
    assert refused.status_code == 422
    assert "Bevestig dat je deze verzekering er bovenop wilt" in refused.get_data(as_text=True)
    joined = client.post(
        f"/o/{org.slug}/insurance/pools/{pool}/join",
        data={"volunteers": "10", "confirm_overlap": "yes"},
    )
    assert joined.status_code == 302


def test_the_bureau_pages_are_for_bureau_staff_only(app, make_org, make_user, login_as):
    client, _ = owner_of(app, make_org, make_user, login_as)
    assert client.get("/bureau/insurance/").status_code == 403
    assert client.post("/bureau/insurance/insurers", data={"name": "X"}).status_code == 403


def test_every_field_on_the_insurance_pages_has_a_label(
    app, staff, session, make_org, make_user, login_as, avb_pool
):
    session.commit()
    policy_id = session.get(Pool, avb_pool).policy_id
    for path in (
        "/bureau/insurance/",
        "/bureau/insurance/policies/new",
        f"/bureau/insurance/policies/{policy_id}",
        f"/bureau/insurance/pools/{avb_pool}",
    ):
        session.commit()
        response = staff.get(path)
        assert response.status_code == 200, path
        assert unlabelled_fields(response.get_data(as_text=True)) == [], path
    client, org = owner_of(app, make_org, make_user, login_as)
    session.commit()
    enrolment = client.post(
        f"/o/{org.slug}/insurance/pools/{avb_pool}/join", data={"employees": "2"}
    ).headers["Location"]
    for path in (
        f"/o/{org.slug}/insurance",
        f"/o/{org.slug}/insurance/pools/{avb_pool}?quote=1&employees=2",
        enrolment,
    ):
        session.commit()
        response = client.get(path)
        assert response.status_code == 200, path
        assert unlabelled_fields(response.get_data(as_text=True)) == [], path


def test_a_co_insured_member_downloads_the_documents_of_its_policy(
    app, staff, session, make_org, make_user, login_as, avb_pool
):
    session.commit()
    policy_id = session.get(Pool, avb_pool).policy_id
    session.commit()
    staff.post(
        f"/bureau/insurance/policies/{policy_id}/documents",
        data={"title": "Voorwaarden", "document": (io.BytesIO(b"voorwaarden AVB"), "avb.pdf")},
        content_type="multipart/form-data",
    )
    client, org = owner_of(app, make_org, make_user, login_as)
    session.commit()
    path = client.post(
        f"/o/{org.slug}/insurance/pools/{avb_pool}/join", data={"employees": "1"}
    ).headers["Location"]
    link = re.search(
        r'href="([^"]+/documents/\d+)">Voorwaarden<', client.get(path).get_data(as_text=True)
    )
    assert link and client.get(link.group(1)).data == b"voorwaarden AVB"
    viewer = app.test_client()
    login_as(viewer, make_user(org=make_org(), role=Role.OWNER))
    session.commit()
    assert viewer.get(link.group(1)).status_code == 404
