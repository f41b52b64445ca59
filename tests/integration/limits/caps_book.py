"""Builders for the shared-cap tests: exporters with active policies, buyers, pending
applications (plain functions with realistic defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
from tests.integration.policies.helpers import application_body, schedule_body
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.limits.model import (
    BuyerAggregate,
    CountryExposure,
    CreditLimit,
    CreditLimitVersion,
    LimitApplication,
    LimitNotification,
)


@dataclass(frozen=True)
class Insured:
    """An exporter with its credential and its active policy."""

    actor: Actor
    policy_id: int


def active_policy(client: TestClient, cast: Cast, actor: Actor) -> int:
    """An active USD policy of ``actor``'s organisation (OA/DA/DP up to 180 days)."""
    r = client.post("/api/v1/applications", json=application_body(), headers=actor.headers)
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/applications/{r.json()['id']}/underwrite",
                    json={"inception": business_today().isoformat(),
                          "schedule": schedule_body()}, headers=cast.underwriter.headers)
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    r = client.post(f"/api/v1/policies/{pid}/quote", headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/policies/{pid}/issue", headers=actor.headers)
    assert r.status_code == 200, r.text
    return pid


def insureds(client: TestClient, cast: Cast, db: Database, count: int) -> list[Insured]:
    """``count`` exporters (the cast's exporter first), each with an active policy."""
    actors = [cast.exporter]
    with transaction(db.factory) as s:
        for n in range(1, count):
            make_org(s, slug=f"exporter-{n:02d}")
            actors.append(make_key_actor(s, org_slug=f"exporter-{n:02d}", role=Role.EXPORTER))
    return [Insured(a, active_policy(client, cast, a)) for a in actors]


def register_buyer(client: TestClient, actor: Actor, *, name: str = "Hamburg Maschinen GmbH",
                   country: str = "DE", tax_id: str | None = None) -> int:
    """Register (or find) a clean, medium-sized buyer and return its id."""
    body: dict[str, Any] = {
        "name": name, "country": country, "tax_id": tax_id or f"TAX-{name[:12]}",
        "sector": "machinery", "size": "large", "company_type": "listed",
        "financials": {"current_ratio": "1.8", "debt_to_equity": "0.9", "net_margin": "0.06",
                       "interest_cover": "5"},
        "days_beyond_terms": 0}
    r = client.post("/api/v1/buyers", json=body, headers=actor.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["buyer"]["id"])


def set_aggregate(client: TestClient, cast: Cast, buyer_id: int, amount: str) -> None:
    """A risk manager sets the buyer aggregate limit to ``amount`` USD."""
    r = client.put(f"/api/v1/buyers/{buyer_id}/aggregate", headers=cast.risk_manager.headers,
                   json={"amount": amount, "reason": "test capacity"})
    assert r.status_code == 200, r.text


def set_country_cap(client: TestClient, cast: Cast, country: str, amount: str | None,
                    status: str = "open") -> None:
    """A risk manager sets the country's exposure cap (USD) and cover status."""
    body: dict[str, Any] = {"cover_status": status, "reason": "test",
                            "effective_from": business_today().isoformat()}
    if amount is None:
        body["remove_exposure_cap"] = True
    else:
        body |= {"exposure_cap_amount": amount, "exposure_cap_currency": "USD"}
    r = client.put(f"/api/v1/countries/{country}", json=body, headers=cast.risk_manager.headers)
    assert r.status_code == 200, r.text


def apply(client: TestClient, insured: Insured, buyer_id: int, amount: str,
          **over: Any) -> dict[str, Any]:
    """A new-limit application of ``amount`` USD (OA, 90 days)."""
    body: dict[str, Any] = {"policy_id": insured.policy_id, "buyer_id": buyer_id,
                            "request_type": "new_limit", "amount": amount, "currency": "USD",
                            "payment_terms": "OA", "credit_period_days": 90}
    body.update(over)
    r = client.post("/api/v1/limit-applications", json=body, headers=insured.actor.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def committed(db: Database, *, buyer_id: int | None = None,
              country: str | None = None) -> int:
    """US dollar minor units committed on a buyer aggregate or a country."""
    with db.factory() as s:
        if buyer_id is not None:
            row = s.get(BuyerAggregate, buyer_id)
            return row.committed_minor if row else 0
        crow = s.get(CountryExposure, country)
        return crow.committed_minor if crow else 0


def limits_total(db: Database, **where: Any) -> tuple[int, int]:
    """Number and USD total of active limits matching ``where``."""
    with db.factory() as s:
        query = select(func.count(), func.coalesce(func.sum(CreditLimit.committed_usd_minor), 0)
                       ).where(CreditLimit.status == "active")
        for key, value in where.items():
            query = query.where(getattr(CreditLimit, key) == value)
        count, total = s.execute(query).one()
        return int(count), int(total)


def counts(db: Database) -> dict[str, int]:
    """Rows of every table a limit decision writes, and audit entries."""
    with db.factory() as s:
        return {m.__tablename__: _count(s, m) for m in
                (LimitApplication, CreditLimit, CreditLimitVersion, LimitNotification,
                 AuditEntry)} | {
            "committed": int(s.execute(select(func.coalesce(func.sum(
                BuyerAggregate.committed_minor), 0))).scalar_one()),
            "country_committed": int(s.execute(select(func.coalesce(func.sum(
                CountryExposure.committed_minor), 0))).scalar_one())}


def _count(session: Session, model: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())
