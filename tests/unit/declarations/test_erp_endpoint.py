"""The ERP endpoint takes only requests it can answer as the route would, and passes every
other one on to the route untouched, its body included.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tradecover.access.known_keys import KnownApiKeys
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Role
from tradecover.declarations.erp_endpoint import ErpDeclarations

SECRET = "tc_erp1_" + "s" * 40
PRINCIPAL = Principal(
    actor="apikey:1",
    org_id=2,
    org_slug="acme",
    org_kind=OrganisationKind.EXPORTER,
    role=Role.EXPORTER,
)
GOOD = (
    b'{"policy_id": 1, "buyer_id": 1, "payment_terms": "OA", "transport_mode": "sea", '
    b'"shipment_date": "2026-11-02", "due_date": "2027-01-01", "goods_description": '
    b'"LED lights", "hs_code": "9405.11", "invoice_number": "I-1", "currency": "USD", '
    b'"invoice_amount": "10.00", "prepayment": "0"}'
)


def _passed_on(
    *,
    path: str = "/api/v1/declarations",
    method: str = "POST",
    headers: dict[str, str] | None = None,
    body: bytes = GOOD,
    remembered: bool = True,
    known: bool = True,
) -> bytes | None:
    """The body the route received, or ``None`` when the endpoint answered itself (its
    use case fails, having no session factory, to tell the two apart).
    """
    keys = KnownApiKeys()
    if remembered:
        keys.remember(SECRET, PRINCIPAL)
    seen: list[bytes] = []

    async def route(_scope: Any, receive: Any, _send: Any) -> None:
        received = b""
        while True:
            message = await receive()
            received += message["body"]
            if not message["more_body"]:
                break
        seen.append(received)

    endpoint = ErpDeclarations(route, factory=None, store=None, known=keys if known else None)
    sent: list[Any] = []
    chunks = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.request", "body": body[10:], "more_body": False},
    ]

    async def receive() -> Any:
        return chunks.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    all_headers = {
        "x-api-key": SECRET,
        "idempotency-key": "k-1",
        "content-type": "application/json",
        **(headers or {}),
    }
    scope = {
        "type": "http",
        "path": path,
        "method": method,
        "headers": [(k.encode(), v.encode()) for k, v in all_headers.items() if v],
    }
    asyncio.run(endpoint(scope, receive, send))
    if seen:
        return seen[0]
    assert sent[0]["status"] == 500  # the failing use case, answered as a problem
    return None


def test_a_remembered_key_with_a_valid_body_is_answered_by_the_endpoint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert _passed_on() is None
    assert "POST /api/v1/declarations failed" in caplog.text


@pytest.mark.parametrize(
    "case",
    [
        {"path": "/api/v1/declarations/uploads"},
        {"method": "GET"},
        {"remembered": False},
        {"known": False},
        {"headers": {"x-api-key": ""}},
        {"headers": {"x-api-key": "tc_erp1_" + "x" * 40}},
        {"headers": {"idempotency-key": ""}},
        {"headers": {"idempotency-key": "k" * 256}},
        {"headers": {"content-type": "text/csv"}},
    ],
)
def test_what_the_endpoint_cannot_take_goes_to_the_route(case: dict[str, Any]) -> None:
    assert _passed_on(**case) == GOOD


@pytest.mark.parametrize("body", [b"{not json", b'{"policy_id": 1}', GOOD[:-1] + b', "x": 1}'])
def test_a_body_that_does_not_validate_goes_to_the_route_whole(body: bytes) -> None:
    assert _passed_on(body=body) == body
