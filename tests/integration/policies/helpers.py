"""Shared builders for the policy integration tests (plain functions, realistic defaults)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Actor, Cast, Database
from tradecover.audit.model import AuditEntry
from tradecover.kit.dates import business_today
from tradecover.policies.model import (
    Endorsement,
    ExporterProfile,
    Policy,
    PolicyApplication,
    RenewalOffer,
)


def schedule_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "currency": "USD", "expected_turnover": "12000000", "maximum_liability": "5000000",
        "indemnity_commercial_pct": "90", "indemnity_political_pct": "95",
        "declaration_frequency": "monthly", "rate_table": "ST-2026", "base_rate_pct": "0.45",
        "whole_turnover": True,
        "scope": {"destination_countries": [], "excluded_countries": ["RU"],
                  "payment_terms": ["DP", "DA", "OA"], "max_credit_days": 180,
                  "hs_chapters": ["84"]},
        "dispute_resolution": "arbitration", "dispute_venue": "CIETAC, Beijing",
        "possible_loss_notice_days": 90,
    }
    body.update(over)
    return body


def application_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product": "short_term_comprehensive", "currency": "USD",
        "expected_turnover": "12000000", "requested_inception": business_today().isoformat(),
        "destination_countries": ["DE", "US"], "payment_terms": ["OA", "DA"],
        "max_credit_days": 120, "hs_chapters": ["84", "85"], "notes": "first policy",
    }
    body.update(over)
    return body


def apply(client: TestClient, actor: Actor, **over: Any) -> dict[str, Any]:
    r = client.post("/api/v1/applications", json=application_body(**over), headers=actor.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def draft(client: TestClient, cast: Cast, *, inception: date | None = None,
          **schedule: Any) -> dict[str, Any]:
    app = apply(client, cast.exporter)
    r = client.post(f"/api/v1/applications/{app['id']}/underwrite",
                    json={"inception": (inception or business_today()).isoformat(),
                          "schedule": schedule_body(**schedule)},
                    headers=cast.underwriter.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def active(client: TestClient, cast: Cast, *, inception: date | None = None,
           **schedule: Any) -> dict[str, Any]:
    policy = draft(client, cast, inception=inception, **schedule)
    r = client.post(f"/api/v1/policies/{policy['id']}/quote", headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/policies/{policy['id']}/issue", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def expiring_inception(days_left: int) -> date:
    """An inception such that the one-year term expires ``days_left`` days from today."""
    today = business_today()
    expiry = today + timedelta(days=days_left)
    # one_year_term(inception) = inception + 1 year - 1 day
    start = expiry + timedelta(days=1)
    try:
        return start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year - 1, day=28)


def counts(db: Database) -> dict[str, int]:
    """Rows of every table this context writes, and audit entries."""
    with db.factory() as s:
        return {m.__tablename__: _count(s, m) for m in
                (ExporterProfile, PolicyApplication, Policy, Endorsement, RenewalOffer,
                 AuditEntry)}


def _count(session: Session, model: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())
