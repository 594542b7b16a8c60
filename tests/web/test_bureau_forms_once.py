"""The bureau's forms that add a policy, a document or a pool save once, however often sent.

Each such form carries a token of its own (``once_fields``); the first send keeps it with what
it made (``purchasing.submissions.save_once``), so a double click, a browser's retry or four
sends at the same moment leave one policy, one document, one pool.
"""

from __future__ import annotations

import io
import re
import secrets
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from ledger.clock import today
from purchasing.models import CollectivePolicy, PolicyDocument, Pool
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.rating import Basis, Line, TierMeasure
from tenants.unit_of_work import unit_of_work
from tests.web.test_insurance import bureau

YEAR = today().year
__all__ = ["bureau"]  # a fixture, used by name
_TOKEN = re.compile(
    r'name="form_kind" value="([^"]+)"><input type="hidden" name="form_token" value="([^"]+)"'
)


@pytest.fixture
def staff(app, make_user, login_as):
    user = make_user(is_bureau_admin=True)

    def browser() -> FlaskClient:
        client = app.test_client()
        login_as(client, user)
        return client

    return browser


@pytest.fixture
def insurer(engine) -> int:
    with unit_of_work(engine) as session:
        return add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}")


@pytest.fixture
def policy(engine, bureau, insurer) -> int:
    with unit_of_work(engine) as session:
        return add_policy(
            session,
            NewPolicy(
                insurer_id=insurer,
                policyholder_id=bureau.id,
                line=Line.AVB,
                name=f"AVB {secrets.token_hex(3)}",
                starts_on=date(YEAR, 1, 1),
                ends_on=date(YEAR, 12, 31),
                basis=Basis.PER_EMPLOYEE,
                tiers=[(Decimal(0), Decimal(100))],
                tier_measure=TierMeasure.MEMBERS,
            ),
        )


def tokens(page: str) -> dict[str, str]:
    """The token of each form on a page, by the form's kind."""
    return dict(_TOKEN.findall(page))


def policy_form(bureau_id: int, insurer_id: int, name: str, token: str) -> dict[str, Any]:
    return {
        "insurer_id": insurer_id,
        "policyholder_id": bureau_id,
        "line": "verzuim",
        "name": name,
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-12-31",
        "basis": "payroll_percent",
        "tier_measure": "members",
        "tier_threshold_0": "0",
        "tier_rate_0": "2,35",
        "form_kind": "policy",
        "form_token": token,
    }


def count(engine: Engine, model: Any, *where: Any) -> int:
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def at_once(clients: list[FlaskClient], path: str, data: Any) -> list[Any]:
    start = threading.Barrier(len(clients))
    answers: list[Any] = []

    def send(client: FlaskClient) -> None:
        start.wait()
        answers.append(client.post(path, data=data() if callable(data) else data))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_every_form_that_adds_shows_a_token_of_its_own(staff, policy):
    client = staff()
    first = tokens(client.get("/bureau/insurance/policies/new").get_data(as_text=True))
    second = tokens(client.get("/bureau/insurance/policies/new").get_data(as_text=True))
    on_policy = tokens(client.get(f"/bureau/insurance/policies/{policy}").get_data(as_text=True))

    assert set(first) == {"policy"} and first["policy"] != second["policy"]
    assert set(on_policy) == {"policy document", "pool"}
    assert on_policy["policy document"] != on_policy["pool"]


def test_a_policy_form_sent_twice_makes_one_policy_and_says_so(staff, engine, bureau, insurer):
    client = staff()
    token = tokens(client.get("/bureau/insurance/policies/new").get_data(as_text=True))["policy"]
    name = f"Verzuim {secrets.token_hex(3)}"

    first = client.post(
        "/bureau/insurance/policies", data=policy_form(bureau.id, insurer, name, token)
    )
    again = client.post(
        "/bureau/insurance/policies", data=policy_form(bureau.id, insurer, name, token)
    )

    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(engine, CollectivePolicy, CollectivePolicy.name == name) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Dit formulier was al verstuurd: het is één keer opgeslagen." in page


def test_a_policy_form_sent_at_the_same_moment_from_four_browsers_makes_one_policy(
    staff, engine, bureau, insurer
):
    clients = [staff() for _ in range(4)]
    token = tokens(clients[0].get("/bureau/insurance/policies/new").get_data(as_text=True))[
        "policy"
    ]
    name = f"Verzuim {secrets.token_hex(3)}"

    answers = at_once(
        clients, "/bureau/insurance/policies", policy_form(bureau.id, insurer, name, token)
    )

    assert [answer.status_code for answer in answers] == [302] * 4
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert count(engine, CollectivePolicy, CollectivePolicy.name == name) == 1


def test_two_policy_forms_with_the_same_contents_make_two_policies(staff, engine, bureau, insurer):
    client = staff()
    name = f"Verzuim {secrets.token_hex(3)}"
    for _ in range(2):
        token = tokens(client.get("/bureau/insurance/policies/new").get_data(as_text=True))[
            "policy"
        ]
        sent = client.post(
            "/bureau/insurance/policies", data=policy_form(bureau.id, insurer, name, token)
        )
        assert sent.status_code == 302

    assert count(engine, CollectivePolicy, CollectivePolicy.name == name) == 2


def test_a_refused_policy_form_keeps_its_token_and_saves_once_when_corrected(
    staff, engine, bureau, insurer
):
    client = staff()
    token = tokens(client.get("/bureau/insurance/policies/new").get_data(as_text=True))["policy"]
    name = f"Verzuim {secrets.token_hex(3)}"

    refused = client.post(
        "/bureau/insurance/policies",
        data={**policy_form(bureau.id, insurer, name, token), "tier_rate_0": "veel"},
    )
    assert refused.status_code == 422
    assert tokens(refused.get_data(as_text=True)) == {"policy": token}  # nothing was saved
    corrected = client.post(
        "/bureau/insurance/policies", data=policy_form(bureau.id, insurer, name, token)
    )
    again = client.post(
        "/bureau/insurance/policies", data=policy_form(bureau.id, insurer, name, token)
    )

    assert corrected.status_code == again.status_code == 302
    assert count(engine, CollectivePolicy, CollectivePolicy.name == name) == 1


def test_a_pool_form_sent_at_the_same_moment_from_four_browsers_opens_one_pool(
    staff, engine, policy
):
    clients = [staff() for _ in range(4)]
    page = clients[0].get(f"/bureau/insurance/policies/{policy}").get_data(as_text=True)
    form = {
        "pool_name": "Eén pool",
        "minimum_members": "2",
        "enrolment_opens_on": f"{YEAR}-01-01",
        "form_kind": "pool",
        "form_token": tokens(page)["pool"],
    }

    answers = at_once(clients, f"/bureau/insurance/policies/{policy}/pools", form)
    again = clients[0].post(f"/bureau/insurance/policies/{policy}/pools", data=form)

    assert [answer.status_code for answer in [*answers, again]] == [302] * 5
    assert len({answer.headers["Location"] for answer in [*answers, again]}) == 1
    assert count(engine, Pool, Pool.policy_id == policy) == 1


def test_a_document_form_sent_twice_adds_one_document(staff, engine, policy):
    client = staff()
    page = client.get(f"/bureau/insurance/policies/{policy}").get_data(as_text=True)
    token = tokens(page)["policy document"]

    def upload() -> dict[str, Any]:
        return {
            "title": "Polisblad",
            "document": (io.BytesIO(b"%PDF-1.4 polis"), "polis.pdf"),
            "form_kind": "policy document",
            "form_token": token,
        }

    answers = at_once([client, staff()], f"/bureau/insurance/policies/{policy}/documents", upload)
    again = client.post(f"/bureau/insurance/policies/{policy}/documents", data=upload())

    assert [answer.status_code for answer in [*answers, again]] == [302] * 3
    assert count(engine, PolicyDocument, PolicyDocument.policy_id == policy) == 1


@pytest.mark.parametrize("token", ["kort", "<script>alert(1)</script>aaaaaaaaaaaaaaaa", "a" * 65])
def test_a_tampered_token_is_refused_in_words_and_saves_nothing(
    staff, engine, bureau, insurer, token
):
    client = staff()
    name = f"Verzuim {secrets.token_hex(3)}"

    refused = client.post(
        "/bureau/insurance/policies", data=policy_form(bureau.id, insurer, name, token)
    )

    assert refused.status_code == 422
    assert "Dit formulier is niet meer geldig. Laad de pagina opnieuw." in refused.get_data(
        as_text=True
    )
    assert count(engine, CollectivePolicy, CollectivePolicy.name == name) == 0


def test_a_token_of_one_kind_of_form_does_not_open_what_another_made(staff, engine, policy):
    client = staff()
    page = client.get(f"/bureau/insurance/policies/{policy}").get_data(as_text=True)
    token = tokens(page)["policy document"]
    upload = {
        "title": "Polisblad",
        "document": (io.BytesIO(b"%PDF-1.4 polis"), "polis.pdf"),
        "form_token": token,
    }
    assert (
        client.post(f"/bureau/insurance/policies/{policy}/documents", data=upload).status_code
        == 302
    )

    pool = client.post(
        f"/bureau/insurance/policies/{policy}/pools",
        data={"minimum_members": "2", "enrolment_opens_on": f"{YEAR}-01-01", "form_token": token},
    )

    assert pool.status_code == 422
    assert count(engine, Pool, Pool.policy_id == policy) == 0


def test_an_insurer_sent_four_times_at_once_is_added_once_and_the_rest_are_told(staff, engine):
    """The name is unique in the database; the sends that lose the race are told so, not
    shown an error page."""
    from purchasing.models import Insurer

    name = f"Verzekeraar {secrets.token_hex(3)}"
    answers = at_once([staff() for _ in range(4)], "/bureau/insurance/insurers", {"name": name})

    assert sorted(answer.status_code for answer in answers) == [302, 422, 422, 422]
    for refused in (answer for answer in answers if answer.status_code == 422):
        assert "Deze verzekeraar bestaat al." in refused.get_data(as_text=True)
    assert count(engine, Insurer, Insurer.name == name) == 1
