"""Builders for the declaration tests: an active policy, buyers, limits and shipments."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Cast, Database
from tests.integration.policies.helpers import active, expiring_inception
from tradecover.audit.model import AuditEntry
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration, LimitReservation, TurnoverReturn
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.kit.dates import business_today, utc_now
from tradecover.limits.model import CreditLimit, CreditLimitVersion
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


FLAT_RATE = {"flat_rate_option": True, "flat_rate_pct": "0.45"}
"""The schedule terms of an agreed flat rate of 0.45 % (the premium tests' round numbers)."""


def policy(client: TestClient, cast: Cast, **schedule: Any) -> dict[str, Any]:
    """An active monthly USD policy, incepted about 65 days ago (scope: HS 84, OA/DA/DP),
    at an agreed flat rate of 0.45 % unless ``schedule`` says otherwise.
    """
    return active(client, cast, inception=expiring_inception(300), **{**FLAT_RATE, **schedule})


def add_buyer(session: Session, *, org_id: int, name: str = "Berlin Machines GmbH",
              country: str = "DE", related: bool = True) -> int:
    """A buyer in the registry, related to ``org_id``."""
    now = utc_now()
    buyer = Buyer(kind="buyer", legal_name=name, normalised_name=name.lower(), other_names=[],
                  country=country, financials={}, adverse_events=[], overdue_reports=0,
                  defaults_on_record=0, created_at=now, created_by="test", updated_at=now)
    session.add(buyer)
    session.flush()
    if related:
        session.add(ExporterBuyerRelationship(org_id=org_id, buyer_id=buyer.id, created_at=now))
        session.flush()
    return buyer.id


def add_limit(session: Session, *, org_id: int, policy_id: int, buyer_id: int,
              amount: int, effective_from: date, currency: str = "USD",
              country: str = "DE") -> tuple[int, int]:
    """A limit of ``amount`` (major units) and its first version; returns both ids."""
    now = utc_now()
    limit = CreditLimit(org_id=org_id, policy_id=policy_id, buyer_id=buyer_id, country=country,
                        currency=currency, amount_minor=amount * 100, committed_usd_minor=0,
                        status="active", payment_terms="OA", credit_period_days=180,
                        effective_from=effective_from, current_version=1, created_at=now,
                        updated_at=now)
    session.add(limit)
    session.flush()
    version = add_version(session, limit_id=limit.id, number=1, kind="new_limit",
                          amount=amount, effective_from=effective_from, currency=currency)
    return limit.id, version


def add_version(session: Session, *, limit_id: int, number: int, kind: str, amount: int,
                effective_from: date, currency: str = "USD") -> int:
    """Append a limit version (reduction, cancellation, ...); returns its id."""
    version = CreditLimitVersion(limit_id=limit_id, number=number, kind=kind, currency=currency,
                                 amount_minor=amount * 100, effective_from=effective_from,
                                 created_at=utc_now(), created_by="test")
    session.add(version)
    session.flush()
    limit = session.get(CreditLimit, limit_id)
    assert limit is not None
    limit.current_version = number
    if kind == "cancellation":
        limit.status = "cancelled"
    session.flush()
    return version.id


def world(client: TestClient, cast: Cast, db: Database, *, limit: int = 100_000,
          **schedule: Any) -> World:
    """A policy (``schedule`` overriding its terms), a related buyer and a limit of
    ``limit`` USD from the policy's inception.
    """
    p = policy(client, cast, **schedule)
    inception = date.fromisoformat(p["inception"])
    with transaction(db.factory) as s:
        buyer_id = add_buyer(s, org_id=cast.exporter.org_id)
        limit_id, version_id = add_limit(s, org_id=cast.exporter.org_id, policy_id=p["id"],
                                         buyer_id=buyer_id, amount=limit,
                                         effective_from=inception)
    return World(p["id"], cast.exporter.org_id, buyer_id, limit_id, version_id, inception)


def shipment(w: World, **over: Any) -> Shipment:
    """A valid on-time shipment under ``w`` (shipped today, 60 days' credit)."""
    base = Shipment(insured_org_id=w.org_id, policy_id=w.policy_id, buyer_id=w.buyer_id,
                    payment_terms=PaymentTerms.OA, transport_mode=TransportMode.SEA,
                    shipment_date=TODAY, due_date=TODAY + timedelta(days=60),
                    goods_description="CNC milling machines", hs_code="8459.61",
                    invoice_number="INV-1", currency="USD", invoice_amount=Decimal("10000.00"),
                    prepayment=Decimal("0"))
    return replace(base, **over)


def body(w: World, **over: Any) -> dict[str, Any]:
    """The JSON body of :func:`shipment`."""
    data: dict[str, Any] = {
        "policy_id": w.policy_id, "buyer_id": w.buyer_id, "payment_terms": "OA",
        "transport_mode": "sea", "shipment_date": TODAY.isoformat(),
        "due_date": (TODAY + timedelta(days=60)).isoformat(),
        "goods_description": "CNC milling machines", "hs_code": "8459.61",
        "invoice_number": "INV-1", "currency": "USD", "invoice_amount": "10000.00",
        "prepayment": "0"}
    data.update(over)
    return data


def counts(db: Database) -> dict[str, int]:
    """Rows of the tables attachment writes, audit entries, and what is reserved."""
    with db.factory() as s:
        out = {m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
               for m in (Declaration, TurnoverReturn, AuditEntry)}
        out["reserved_minor"] = int(s.execute(select(func.coalesce(
            func.sum(LimitReservation.outstanding_minor), 0))).scalar_one())
        return out


def reserved(db: Database, limit_id: int) -> int:
    """What the reservation row holds on ``limit_id`` (minor units)."""
    with db.factory() as s:
        return int(s.execute(select(LimitReservation.outstanding_minor)
                             .where(LimitReservation.limit_id == limit_id)).scalar_one())


def outstanding_by_view(db: Database, limit_id: int) -> int:
    """What the ``limit_outstanding`` view sums on ``limit_id`` (minor units)."""
    from sqlalchemy import text

    with db.factory() as s:
        return int(s.execute(text(
            "SELECT COALESCE(SUM(outstanding_minor), 0) FROM limit_outstanding "
            "WHERE limit_id = :l"), {"l": limit_id}).scalar_one())
