"""The shared-cap scenario of the limit tests: exporters with active policies, buyer
aggregates and country caps, pending applications, and what they commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.builders.limits import application
from tests.builders.policies import active
from tests.conftest import Actor, Cast, Database, make_key_actor, make_org
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


def insureds(client: TestClient, cast: Cast, db: Database, count: int) -> list[Insured]:
    """``count`` exporters (the cast's exporter first), each with an active policy."""
    actors = [cast.exporter]
    with transaction(db.factory) as s:
        for n in range(1, count):
            make_org(s, slug=f"exporter-{n:02d}")
            actors.append(make_key_actor(s, org_slug=f"exporter-{n:02d}", role=Role.EXPORTER))
    return [Insured(a, int(active(client, cast, exporter=a)["id"])) for a in actors]


def set_aggregate(client: TestClient, cast: Cast, buyer_id: int, amount: str) -> None:
    """A risk manager sets the buyer aggregate limit to ``amount`` USD."""
    r = client.put(
        f"/api/v1/buyers/{buyer_id}/aggregate",
        headers=cast.risk_manager.headers,
        json={"amount": amount, "reason": "test capacity"},
    )
    assert r.status_code == 200, r.text


def set_country_cap(
    client: TestClient, cast: Cast, country: str, amount: str | None, status: str = "open"
) -> None:
    """A risk manager sets the country's exposure cap (USD) and cover status."""
    body: dict[str, Any] = {
        "cover_status": status,
        "reason": "test",
        "effective_from": business_today().isoformat(),
    }
    if amount is None:
        body["remove_exposure_cap"] = True
    else:
        body |= {"exposure_cap_amount": amount, "exposure_cap_currency": "USD"}
    r = client.put(f"/api/v1/countries/{country}", json=body, headers=cast.risk_manager.headers)
    assert r.status_code == 200, r.text


def apply(
    client: TestClient, insured: Insured, buyer_id: int, amount: str, **over: Any
) -> dict[str, Any]:
    """A new-limit application of ``amount`` USD (OA, 90 days) by ``insured``."""
    return application(
        client, insured.actor, policy_id=insured.policy_id, buyer_id=buyer_id, amount=amount, **over
    )


def committed(db: Database, *, buyer_id: int | None = None, country: str | None = None) -> int:
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
        query = select(
            func.count(), func.coalesce(func.sum(CreditLimit.committed_usd_minor), 0)
        ).where(CreditLimit.status == "active")
        for key, value in where.items():
            query = query.where(getattr(CreditLimit, key) == value)
        count, total = s.execute(query).one()
        return int(count), int(total)


def counts(db: Database) -> dict[str, int]:
    """Rows of every table a limit decision writes, and audit entries."""
    with db.factory() as s:
        return {
            m.__tablename__: _count(s, m)
            for m in (
                LimitApplication,
                CreditLimit,
                CreditLimitVersion,
                LimitNotification,
                AuditEntry,
            )
        } | {
            "committed": int(
                s.execute(
                    select(func.coalesce(func.sum(BuyerAggregate.committed_minor), 0))
                ).scalar_one()
            ),
            "country_committed": int(
                s.execute(
                    select(func.coalesce(func.sum(CountryExposure.committed_minor), 0))
                ).scalar_one()
            ),
        }


def _count(session: Session, model: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())
