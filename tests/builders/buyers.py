"""Buyer builders: buyers registered through the API, or written straight to the registry."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Actor
from tradecover.buyers import normalise_name
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship
from tradecover.kit.dates import utc_now


def buyer(client: TestClient, actor: Actor, **over: Any) -> dict[str, Any]:
    """Register a large listed German machinery buyer (``over`` replacing fields) as
    ``actor``; the registration answer."""
    body: dict[str, Any] = {
        "name": "Müller Maschinenbau GmbH",
        "country": "DE",
        "registration_number": "HRB 12345",
        "sector": "machinery",
        "size": "large",
        "company_type": "listed",
        "financials": {
            "current_ratio": "2.1",
            "debt_to_equity": "0.4",
            "net_margin": "0.12",
            "interest_cover": "9",
        },
        "days_beyond_terms": 0,
        "own_reference": "CUST-1",
    }
    body.update(over)
    r = client.post("/api/v1/buyers", json=body, headers=actor.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def register_buyer(
    client: TestClient,
    actor: Actor,
    *,
    name: str = "Hamburg Maschinen GmbH",
    country: str = "DE",
    tax_id: str | None = None,
) -> int:
    """Register (or find) a clean buyer known by its tax id only; its id."""
    body: dict[str, Any] = {
        "name": name,
        "country": country,
        "tax_id": tax_id or f"TAX-{name[:12]}",
        "sector": "machinery",
        "size": "large",
        "company_type": "listed",
        "financials": {
            "current_ratio": "1.8",
            "debt_to_equity": "0.9",
            "net_margin": "0.06",
            "interest_cover": "5",
        },
        "days_beyond_terms": 0,
    }
    r = client.post("/api/v1/buyers", json=body, headers=actor.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["buyer"]["id"])


def add_buyer(
    session: Session,
    *,
    org_id: int,
    name: str = "Berlin Machines GmbH",
    country: str = "DE",
    related: bool = True,
) -> int:
    """A buyer row in the registry, related to ``org_id`` unless ``related`` is false."""
    now = utc_now()
    row = Buyer(
        kind="buyer",
        legal_name=name,
        normalised_name=normalise_name(name),
        other_names=[],
        country=country,
        financials={},
        adverse_events=[],
        overdue_reports=0,
        defaults_on_record=0,
        created_at=now,
        created_by="test",
        updated_at=now,
    )
    session.add(row)
    session.flush()
    if related:
        session.add(ExporterBuyerRelationship(org_id=org_id, buyer_id=row.id, created_at=now))
        session.flush()
    return row.id
