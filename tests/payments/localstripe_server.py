"""Runs localstripe on 127.0.0.1:<port>, in memory, with Stripe's idempotency keys in front.

localstripe itself ignores ``Idempotency-Key``; Stripe replays the first answer to a key and
refuses the key with other parameters. This thin layer does the same, so the adapter's keys are
tested against a server rather than taken on trust. It also takes the ``mandate_data`` that
Stripe requires to confirm a SEPA setup intent server-side (localstripe refuses the unknown
parameter) and keeps it, readable at ``/_test/mandates/<setup intent id>``, so a test can see
what acceptance was sent, and attaches the confirmed payment method to the setup intent's
customer, as Stripe does (localstripe leaves it unattached), so detaching it can be seen.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from localstripe import resources

_confirm_setup = resources.SetupIntent._api_confirm
_mandates: dict[str, Any] = {}


def _confirm_with_mandate(id: str, mandate_data: Any = None, **data: Any) -> Any:
    if mandate_data is not None:
        _mandates[id] = mandate_data
    setup = _confirm_setup(id, **data)
    if setup.status == "succeeded" and setup.customer and setup.payment_method:
        # As Stripe does: a setup intent that succeeds attaches its method to its customer.
        resources.PaymentMethod._api_retrieve(setup.payment_method).customer = setup.customer
    return setup


# Before localstripe's server module reads the routes from this list.
resources.extra_apis[:] = [
    (method, url, _confirm_with_mandate if func == _confirm_setup else func)
    for method, url, func in resources.extra_apis
]

from localstripe import server  # noqa: E402

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_replies: dict[str, tuple[str, int, bytes]] = {}


def _keep_in_memory(_store: object) -> None:
    """localstripe pickles its store to one shared /tmp file on every write; not here."""


@web.middleware
async def idempotency(request: web.Request, handler: Handler) -> web.StreamResponse:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    fingerprint = hashlib.sha256(request.path.encode() + await request.read()).hexdigest()
    if key in _replies:
        seen, status, body = _replies[key]
        if seen != fingerprint:
            return web.json_response(
                {"error": {"type": "idempotency_error", "message": "Keys for idempotent"
                           " requests can only be used with the same parameters."}},
                status=400,
            )  # fmt: skip
        return web.Response(
            body=body, status=status, content_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )  # fmt: skip
    response = await handler(request)
    if isinstance(response, web.Response) and response.status < 500:
        _replies[key] = (fingerprint, response.status, bytes(response.body or b""))
    return response


async def mandate_of(request: web.Request) -> web.Response:
    return web.json_response(_mandates.get(request.match_info["id"]))


def main() -> None:
    resources.Store.dump_to_disk = _keep_in_memory  # type: ignore[method-assign]
    server.app.middlewares.insert(0, idempotency)
    server.app.router.add_get("/_test/mandates/{id}", mandate_of)
    web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
