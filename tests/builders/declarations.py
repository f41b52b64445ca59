"""Declaration builders: a declaring policy with a related buyer and a limit (a
:class:`World`), and shipments under it as objects or JSON bodies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.builders.buyers import add_buyer
from tests.builders.limits import add_limit
from tests.builders.policies import active, expiring_inception
from tests.conftest import Cast, Database
from tradecover.db.engine import transaction
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.kit.dates import business_today
from tradecover.reference.payment_terms import PaymentTerms

TODAY = business_today()


@dataclass(frozen=True)
class World:
    """An active policy of ``cast.exporter`` and a buyer in Germany with a limit."""

    policy_id: int
    org_id: int
    buyer_id: int
    limit_id: int
    version_id: int
    inception: date


FLAT_RATE: dict[str, Any] = {"flat_rate_option": True, "flat_rate_pct": "0.45"}
"""The schedule terms of an agreed flat rate of 0.45 % (the premium tests' round numbers)."""


def declaring_policy(
    client: TestClient,
    cast: Cast,
    *,
    inception: date | None = None,
    flat_rate: bool = True,
    **schedule: Any,
) -> dict[str, Any]:
    """An active monthly USD policy (scope: HS 84, OA/DA/DP), incepted about 65 days ago
    unless ``inception`` says otherwise, at an agreed flat rate of 0.45 % if ``flat_rate``
    and unless ``schedule`` says otherwise.
    """
    terms = {**FLAT_RATE, **schedule} if flat_rate else schedule
    return active(client, cast, inception=inception or expiring_inception(300), **terms)


def world(
    client: TestClient,
    cast: Cast,
    db: Database,
    *,
    limit: int = 100_000,
    inception: date | None = None,
    flat_rate: bool = True,
    **schedule: Any,
) -> World:
    """A :func:`declaring_policy` (``inception``, ``flat_rate`` and ``schedule`` passed on),
    a related buyer and a limit of ``limit`` USD from the policy's inception.
    """
    p = declaring_policy(client, cast, inception=inception, flat_rate=flat_rate, **schedule)
    start = date.fromisoformat(p["inception"])
    with transaction(db.factory) as s:
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
        limit_id, version_id = add_limit(
            s,
            org_id=cast.exporter.org_id,
            policy_id=p["id"],
            buyer_id=buyer_id,
            amount=limit,
            effective_from=start,
        )
    return World(p["id"], cast.exporter.org_id, buyer_id, limit_id, version_id, start)


def shipment(w: World, **over: Any) -> Shipment:
    """A valid on-time shipment under ``w`` (shipped today, 60 days' credit)."""
    base = Shipment(
        insured_org_id=w.org_id,
        policy_id=w.policy_id,
        buyer_id=w.buyer_id,
        payment_terms=PaymentTerms.OA,
        transport_mode=TransportMode.SEA,
        shipment_date=TODAY,
        due_date=TODAY + timedelta(days=60),
        goods_description="CNC milling machines",
        hs_code="8459.61",
        invoice_number="INV-1",
        currency="USD",
        invoice_amount=Decimal("10000.00"),
        prepayment=Decimal("0"),
    )
    return replace(base, **over)


def body(w: World, **over: Any) -> dict[str, Any]:
    """The JSON body of :func:`shipment`."""
    data: dict[str, Any] = {
        "policy_id": w.policy_id,
        "buyer_id": w.buyer_id,
        "payment_terms": "OA",
        "transport_mode": "sea",
        "shipment_date": TODAY.isoformat(),
        "due_date": (TODAY + timedelta(days=60)).isoformat(),
        "goods_description": "CNC milling machines",
        "hs_code": "8459.61",
        "invoice_number": "INV-1",
        "currency": "USD",
        "invoice_amount": "10000.00",
        "prepayment": "0",
    }
    data.update(over)
    return data
