"""Credit limit builders: applications through the API, a limit in force on a new buyer,
and limit rows with their versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders.buyers import buyer
from tests.conftest import Actor
from tradecover.kit.dates import utc_now
from tradecover.limits.model import CreditLimit, CreditLimitVersion


def application(
    client: TestClient,
    actor: Actor,
    *,
    policy_id: int,
    buyer_id: int,
    amount: str,
    expect: int = 201,
    **over: Any,
) -> dict[str, Any]:
    """Apply for a new USD limit (OA, 90 days; ``over`` replacing fields) and check the
    status code; the answer."""
    body: dict[str, Any] = {
        "policy_id": policy_id,
        "buyer_id": buyer_id,
        "request_type": "new_limit",
        "amount": amount,
        "currency": "USD",
        "payment_terms": "OA",
        "credit_period_days": 90,
    }
    body.update(over)
    r = client.post("/api/v1/limit-applications", json=body, headers=actor.headers)
    assert r.status_code == expect, r.text
    return dict(r.json())


@dataclass(frozen=True)
class LimitInForce:
    """A limit decided automatically on a newly registered buyer."""

    application: dict[str, Any]
    buyer_id: int
    limit_id: int


def limit_in_force(
    client: TestClient, actor: Actor, *, policy_id: int, amount: str = "40000", **buyer_over: Any
) -> LimitInForce:
    """Register a buyer (:func:`tests.builders.buyers.buyer` with ``buyer_over``) and apply
    for ``amount`` USD on it; the application must be decided automatically."""
    registered = buyer(client, actor, **buyer_over)["buyer"]
    app = application(client, actor, policy_id=policy_id, buyer_id=registered["id"], amount=amount)
    assert app["status"] == "decided", app
    return LimitInForce(app, int(registered["id"]), int(app["limit_id"]))


def add_limit(
    session: Session,
    *,
    org_id: int,
    policy_id: int,
    buyer_id: int,
    amount: int,
    effective_from: date,
    currency: str = "USD",
    country: str = "DE",
) -> tuple[int, int]:
    """A limit row of ``amount`` (major units) and its first version; both ids."""
    now = utc_now()
    limit = CreditLimit(
        org_id=org_id,
        policy_id=policy_id,
        buyer_id=buyer_id,
        country=country,
        currency=currency,
        amount_minor=amount * 100,
        committed_usd_minor=0,
        status="active",
        payment_terms="OA",
        credit_period_days=180,
        effective_from=effective_from,
        current_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(limit)
    session.flush()
    version = add_version(
        session,
        limit_id=limit.id,
        number=1,
        kind="new_limit",
        amount=amount,
        effective_from=effective_from,
        currency=currency,
    )
    return limit.id, version


def add_version(
    session: Session,
    *,
    limit_id: int,
    number: int,
    kind: str,
    amount: int,
    effective_from: date,
    currency: str = "USD",
) -> int:
    """Append a limit version (reduction, cancellation, ...); its id."""
    version = CreditLimitVersion(
        limit_id=limit_id,
        number=number,
        kind=kind,
        currency=currency,
        amount_minor=amount * 100,
        effective_from=effective_from,
        created_at=utc_now(),
        created_by="test",
    )
    session.add(version)
    session.flush()
    limit = session.get(CreditLimit, limit_id)
    assert limit is not None
    limit.current_version = number
    if kind == "cancellation":
        limit.status = "cancelled"
    session.flush()
    return version.id
