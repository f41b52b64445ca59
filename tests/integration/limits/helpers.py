"""Shared steps of the credit limit tests: a policy, buyers, applications, counts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Actor, Cast, Database
from tests.integration.policies.helpers import active
from tradecover.audit.model import AuditEntry
from tradecover.buyers.model import Buyer, BuyerMatchReview, BuyerRating, ExporterBuyerRelationship
from tradecover.limits.model import (
    BuyerAggregate,
    CountryExposure,
    CreditLimit,
    CreditLimitVersion,
    LimitApplication,
    LimitNotification,
)

TABLES = (Buyer, ExporterBuyerRelationship, BuyerMatchReview, BuyerRating, LimitApplication,
          CreditLimit, CreditLimitVersion, LimitNotification, AuditEntry)


def counts(db: Database) -> dict[str, int]:
    """Rows of every table this context writes, audit entries included."""
    with db.factory() as s:
        return {m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
                for m in TABLES}


def committed(db: Database, *, buyer_id: int, country: str) -> tuple[int, int]:
    """USD minor units committed on the buyer aggregate and in the country."""
    with db.factory() as s:
        agg = s.execute(select(BuyerAggregate.committed_minor).where(
            BuyerAggregate.buyer_id == buyer_id)).scalar_one()
        ctry = s.execute(select(CountryExposure.committed_minor).where(
            CountryExposure.country == country)).scalar_one_or_none()
        return int(agg), int(ctry or 0)


def policy(client: TestClient, cast: Cast) -> dict[str, Any]:
    """An active USD policy of ``cast.exporter`` (OA/DA/DP up to 180 days)."""
    return active(client, cast)


def buyer(client: TestClient, actor: Actor, **over: Any) -> dict[str, Any]:
    """Register a buyer as ``actor`` and return the registration answer."""
    body: dict[str, Any] = {"name": "Müller Maschinenbau GmbH", "country": "DE",
                            "registration_number": "HRB 12345", "sector": "machinery",
                            "size": "large", "company_type": "listed",
                            "financials": {"current_ratio": "2.1", "debt_to_equity": "0.4",
                                           "net_margin": "0.12", "interest_cover": "9"},
                            "days_beyond_terms": 0, "own_reference": "CUST-1"}
    body.update(over)
    r = client.post("/api/v1/buyers", json=body, headers=actor.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def application(client: TestClient, actor: Actor, *, policy_id: int, buyer_id: int,
                amount: str, expect: int = 201, **over: Any) -> dict[str, Any]:
    """Apply for a limit and check the status code."""
    body: dict[str, Any] = {"policy_id": policy_id, "buyer_id": buyer_id,
                            "request_type": "new_limit", "amount": amount, "currency": "USD",
                            "payment_terms": "OA", "credit_period_days": 90}
    body.update(over)
    r = client.post("/api/v1/limit-applications", json=body, headers=actor.headers)
    assert r.status_code == expect, r.text
    return dict(r.json())
