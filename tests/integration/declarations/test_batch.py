"""A batch is decided set-based yet item by item: one limit is split in the batch's order,
a refused item writes nothing, and every declaration is audited in its limit's chain."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.buyers import add_buyer
from tests.builders.declarations import World, body, shipment, world
from tests.builders.limits import add_limit
from tests.builders.principals import exporter_principal as exporter
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts, outstanding_by_view, reserved
from tradecover.audit import service as audit
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.declarations import service
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.wiring import store_for


def _second_limit(db: Database, w: World, amount: int) -> tuple[int, int]:
    with transaction(db.factory) as s:
        buyer = add_buyer(s, org_id=w.org_id, name="Lyon Outillage SA", country="DE")
        limit_id, _ = add_limit(
            s,
            org_id=w.org_id,
            policy_id=w.policy_id,
            buyer_id=buyer,
            amount=amount,
            effective_from=w.inception,
        )
    return buyer, limit_id


def test_a_limit_is_split_in_the_batch_order(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db, limit=25_000)
    other_buyer, other_limit = _second_limit(db, w, 8_000)
    items = [
        shipment(w, invoice_number="A1", invoice_amount=Decimal("10000")),
        shipment(w, invoice_number="A2", invoice_amount=Decimal("10000")),
        shipment(w, invoice_number="A1", invoice_amount=Decimal("99")),  # twice in the batch
        shipment(w, invoice_number="A3", invoice_amount=Decimal("10000")),
        shipment(w, buyer_id=other_buyer, invoice_number="B1", invoice_amount=Decimal("9000")),
        shipment(w, invoice_number="A4", prepayment=Decimal("20000")),  # bad input
        shipment(w, invoice_number="A5", invoice_amount=Decimal("1000")),
    ]
    with transaction(db.factory) as s:
        outcomes = service.attach_many(
            s,
            principal=exporter(db, cast),
            shipments=items,
            channel="api",
            today=business_today(),
            store=store_for(db.engine),
        )
    got = [
        (o.declaration.cover_status, o.declaration.covered_minor)
        if o.declaration
        else o.error.code
        if o.error
        else None
        for o in outcomes
    ]
    assert got == [
        ("covered_in_full", 1_000_000),
        ("covered_in_full", 1_000_000),
        "duplicate_invoice_number",
        ("covered_partly", 500_000),
        ("covered_partly", 800_000),
        "prepayment_exceeds_invoice",
        ("not_covered", 0),
    ]
    assert outcomes[6].declaration is not None
    assert outcomes[6].declaration.reason_code == "limit_exhausted"
    assert reserved(db, w.limit_id) == 2_500_000 == outstanding_by_view(db, w.limit_id)
    assert reserved(db, other_limit) == 800_000 == outstanding_by_view(db, other_limit)
    with transaction(db.factory) as s:
        entries = (
            s.execute(
                select(AuditEntry)
                .where(AuditEntry.entity_type == "declaration")
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        by_entity = {e.entity_id: e.chain for e in entries}
        assert audit.verify_all(s) == []
    accepted = [o.declaration for o in outcomes if o.declaration is not None]
    assert sorted(by_entity) == sorted(str(d.id) for d in accepted)
    for declaration in accepted:
        assert by_entity[str(declaration.id)] == audit.chain_for(declaration.buyer_id)


def test_a_batch_of_only_refused_items_writes_nothing(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    before = counts(db)
    answer = app_client.post(
        "/api/v1/declarations",
        json={
            "declarations": [
                body(w, invoice_number="R1", prepayment="20000"),
                body(w, invoice_number="R2", buyer_id=999_999),
                body(w, invoice_number="R3", hs_code="0000.00"),
            ]
        },
        headers={**cast.exporter.headers, "Idempotency-Key": "all-bad"},
    )
    assert answer.status_code == 200, answer.text
    assert [i["problem"]["code"] for i in answer.json()["items"]] == [
        "prepayment_exceeds_invoice",
        "buyer_not_found",
        "unknown_hs_code",
    ]
    assert counts(db) == before


def test_a_batch_over_the_limit_is_refused_whole(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    before = counts(db)
    with pytest.raises(ValidationFailed) as refused, transaction(db.factory) as s:
        service.attach_many(
            s,
            principal=exporter(db, cast),
            channel="api",
            today=business_today(),
            store=store_for(db.engine),
            shipments=[shipment(w, invoice_number=f"M{i}") for i in range(service.MAX_BATCH + 1)],
        )
    assert refused.value.code == "batch_too_large"
    assert counts(db) == before
