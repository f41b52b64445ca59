"""Shared steps of the claims tests: a policy, a buyer with a 40,000 limit, two declared
shipments of 30,000, and small helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import active
from tests.conftest import Actor, Cast, Database
from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.audit.model import AuditEntry
from tradecover.claims.model import ClaimLineRow, ClaimRow, RecoveryRow
from tradecover.collections.model import (
    CollectionConfirmation,
    DueDateArrangement,
    PossibleLossNotice,
)
from tradecover.db.engine import transaction
from tradecover.declarations import service as declarations
from tradecover.declarations.model import Declaration
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.kit.dates import business_today
from tradecover.kit.money import Money
from tradecover.ledger.model import LedgerEntry
from tradecover.policies.model import Policy
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.wiring import store_for

TODAY = business_today()
DUE = TODAY + timedelta(days=60)
AFTER_DUE = DUE + timedelta(days=10)
CLAIM_TERMS = {"waiting_period_days": 0}
"""The book's policy sets its own claim terms: no waiting period (the rest: defaults)."""
TABLES = (
    Declaration,
    CollectionConfirmation,
    PossibleLossNotice,
    DueDateArrangement,
    ClaimRow,
    ClaimLineRow,
    RecoveryRow,
    LedgerEntry,
    AuditEntry,
)


def usd(amount: int | str) -> Money:
    return Money.of(amount, "USD")


@dataclass(frozen=True)
class Book:
    """A policy, a buyer with a 40,000 limit and two declared shipments of 30,000."""

    policy_id: int
    buyer_id: int
    limit_id: int
    declarations: tuple[int, int]


def set_claim_terms(db: Database, policy_id: int, **claim_terms: Any) -> None:
    """Change the policy's own claim terms (as an endorsement of its schedule would)."""
    with transaction(db.factory) as s:
        policy = s.get(Policy, policy_id)
        assert policy is not None
        policy.claim_terms = claim_terms


def principal(db: Database, actor: Actor) -> Principal:
    with transaction(db.factory) as s:
        return access.principal_from_api_key(s, actor.headers["X-API-Key"])


def counts(db: Database) -> dict[str, int]:
    with db.factory() as s:
        return {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in TABLES
        }


@pytest.fixture
def book(app_client: TestClient, cast: Cast, db: Database) -> Book:
    pol = active(app_client, cast, claim_terms=CLAIM_TERMS)
    b = buyer(app_client, cast.exporter)["buyer"]
    application(app_client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="40000")
    exporter = principal(db, cast.exporter)
    ids = []
    with transaction(db.factory) as s:
        for n in (1, 2):
            row = declarations.attach(
                s,
                principal=exporter,
                channel="api",
                today=TODAY,
                store=store_for(db.engine),
                shipment=Shipment(
                    insured_org_id=cast.exporter.org_id,
                    policy_id=pol["id"],
                    buyer_id=b["id"],
                    payment_terms=PaymentTerms("OA"),
                    transport_mode=TransportMode.SEA,
                    shipment_date=TODAY,
                    due_date=DUE,
                    goods_description="machine tools",
                    hs_code="8458.11",
                    invoice_number=f"INV-{n}",
                    currency="USD",
                    invoice_amount=Decimal(30_000),
                ),
            )
            ids.append(row.id)
        limit_id = s.get(Declaration, ids[0]).limit_id  # type: ignore[union-attr]
    assert limit_id is not None
    return Book(
        policy_id=pol["id"], buyer_id=b["id"], limit_id=limit_id, declarations=(ids[0], ids[1])
    )


def run(db: Database, work: Callable[[Session], object]) -> object:
    with transaction(db.factory) as s:
        return work(s)
