"""A real local Stripe (localstripe, started here on a free port) and the in-memory fake."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe

from purchasing.payments.fake import FakeProvider
from purchasing.payments.stripe_provider import StripeProvider
from tests.payments.drivers import FakeDriver, Receiver, StripeDriver

SECRET_KEY = "sk_test_servicebureau"
WEBHOOK_SECRET = "whsec_servicebureau"
SERVER = Path(__file__).with_name("localstripe_server.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """The base URL of a localstripe server of this test session."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVER), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/v1/balance", auth=(SECRET_KEY, ""), timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    process.stderr.read().decode() if process.stderr else ""
                ) from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def register_webhook(localstripe: str, name: str, url: str) -> None:
    """localstripe's own API: POST every event, signed with our secret, to ``url``."""
    response = requests.post(
        f"{localstripe}/_config/webhooks/{name}",
        data={"url": url, "secret": WEBHOOK_SECRET},
        timeout=5,
    )
    response.raise_for_status()


@pytest.fixture(scope="session")
def receiver(localstripe: str) -> Receiver:
    receiver = Receiver()
    register_webhook(localstripe, "contract", receiver.start())
    return receiver


@pytest.fixture(scope="session")
def stripe_provider(localstripe: str) -> StripeProvider:
    return StripeProvider(SECRET_KEY, WEBHOOK_SECRET, api_base=localstripe)


@pytest.fixture(params=["stripe", "fake"])
def provider_and_driver(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """Each contract test runs against Stripe's adapter on localstripe, and against the fake."""
    if request.param == "fake":
        fake = FakeProvider(webhook_secret=WEBHOOK_SECRET)
        return fake, FakeDriver(fake)
    provider = request.getfixturevalue("stripe_provider")
    client = stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": request.getfixturevalue("localstripe")}
    )
    return provider, StripeDriver(provider, client, request.getfixturevalue("receiver"))


@pytest.fixture
def invoice(session, make_org):
    """An issued membership-fee invoice of EUR 240.00 from the bureau to a member."""
    from purchasing.invoices.documents import issue_invoice
    from purchasing.invoices.parties import Party, set_billing_details
    from tests.purchasing.billing import make_bureau
    from tests.purchasing.test_invoices import fee_invoice

    bureau = make_bureau(make_org, session)
    member = make_org(name="Buurthuis De Linde")
    set_billing_details(
        session,
        member.id,
        Party(name="Stichting De Linde", address="Lindelaan 4", postcode="3701 AA", city="Zeist"),
    )
    invoice_id = issue_invoice(session, fee_invoice(bureau.id, member.id))
    session.commit()
    return Issued(invoice_id, bureau, member)


@dataclass(frozen=True)
class Issued:
    id: int
    bureau: Any
    member: Any
