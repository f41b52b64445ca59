"""The two attachment stores are one behaviour: for the same batch on the same database
they give the same outcomes (decisions, premiums, refusals), both read every limit of a
policy however many, and a key held by one is held by the other (one idempotency
protocol).  On SQLite only the portable store exists; on PostgreSQL both are compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.buyers import add_buyer
from tests.builders.declarations import shipment, world
from tests.builders.limits import add_limit
from tests.builders.principals import exporter_principal as exporter
from tests.conftest import Cast, Database
from tradecover.declarations.attachment.portable_repository import PortableStore
from tradecover.declarations.attachment.postgres_repository import PostgresStore
from tradecover.declarations.attachment.repository import AttachmentStore, KeyedRequest
from tradecover.declarations.attachment.service import Outcome, attach_batch
from tradecover.declarations.shipment import Shipment
from tradecover.idempotency import service as idempotency
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.reporting.attachment_facts import PortableAttachmentFacts
from tradecover.reporting.attachment_facts_pg import PipelinedAttachmentFacts


def _stores(db: Database) -> list[AttachmentStore]:
    portable = PortableStore(PortableAttachmentFacts())
    if db.backend != "postgresql":
        return [portable]
    return [portable, PostgresStore(PipelinedAttachmentFacts())]


def _seen(outcomes: Sequence[Outcome]) -> list[Any]:
    """What an outcome says, but for the ids and the time it was written."""
    seen: list[Any] = []
    for o in outcomes:
        if o.declaration is None:
            assert o.error is not None
            seen.append((o.index, o.error.code, o.error.field))
        else:
            values = dict(vars(o.declaration))
            for key in ("id", "declared_at"):
                values.pop(key)
            seen.append((o.index, values))
    return seen


def _each_store(db: Database, cast: Cast, items: Sequence[Shipment]) -> list[list[Any]]:
    """The outcomes of ``items`` on each store, each from the same start (rolled back)."""
    results = []
    for store in _stores(db):
        with db.factory() as s:
            outcomes = attach_batch(
                store,
                s,
                principal=exporter(db, cast),
                shipments=items,
                channel="api",
                today=business_today(),
            )
            s.rollback()
        results.append(_seen(outcomes))
    return results


def test_both_stores_decide_a_batch_alike(app_client: TestClient, cast: Cast, db: Database) -> None:
    w = world(app_client, cast, db, limit=25_000, flat_rate_option=False, flat_rate_pct=None)
    items = [
        shipment(w, invoice_number="A1", invoice_amount=Decimal("10000")),
        shipment(w, invoice_number="A2", invoice_amount=Decimal("10000")),
        shipment(w, invoice_number="A1", invoice_amount=Decimal("99")),
        shipment(w, invoice_number="A3", invoice_amount=Decimal("10000")),
        shipment(w, invoice_number="A4", prepayment=Decimal("20000")),
        shipment(w, buyer_id=w.buyer_id + 1000, invoice_number="X1"),
    ]
    first, *others = _each_store(db, cast, items)
    assert [o[1]["cover_status"] if isinstance(o[1], dict) else o[1] for o in first] == [
        "covered_in_full",
        "covered_in_full",
        "duplicate_invoice_number",
        "covered_partly",
        "prepayment_exceeds_invoice",
        "buyer_not_found",
    ]
    assert all(other == first for other in others)


def test_a_policy_with_more_than_a_hundred_limits_in_one_batch(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db, limit=1_000)
    buyers = []
    with db.factory() as s:
        for n in range(120):
            buyer = add_buyer(s, org_id=w.org_id, name=f"Buyer {n}")
            add_limit(
                s,
                org_id=w.org_id,
                policy_id=w.policy_id,
                buyer_id=buyer,
                amount=1_000 + n,
                effective_from=w.inception,
            )
            buyers.append(buyer)
        s.commit()
    items = [
        shipment(w, buyer_id=b, invoice_number=f"M{b}", invoice_amount=Decimal(2_000))
        for b in buyers
    ]
    first, *others = _each_store(db, cast, items)
    assert [o[1]["covered_minor"] for o in first] == [(1_000 + n) * 100 for n in range(120)]
    assert all(other == first for other in others)


def test_a_key_held_by_one_store_is_held_by_the_other(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    principal = exporter(db, cast)
    items = [shipment(w, invoice_number="K1")]
    for n, store in enumerate(_stores(db)):
        held = idempotency.HeldKey(principal.org_id, f"key-{n}", "f" * 64)
        with db.factory() as s:
            attach_batch(
                store,
                s,
                principal=principal,
                shipments=[shipment(w, invoice_number=f"K{n}")],
                channel="erp",
                today=business_today(),
                keyed=KeyedRequest(held, 200, principal),
                answer=lambda o: b'{"n": 1}',
                commit=True,
            )
        for other in _stores(db):
            with db.factory() as s, pytest.raises(idempotency.Replayed) as replayed:
                attach_batch(
                    other,
                    s,
                    principal=principal,
                    shipments=items,
                    channel="erp",
                    today=business_today(),
                    keyed=KeyedRequest(held, 200, principal),
                    answer=lambda o: b"{}",
                    commit=True,
                )
            assert replayed.value.replay == idempotency.Replay(200, {"n": 1})
            with db.factory() as s, pytest.raises(ValidationFailed) as refused:
                attach_batch(
                    other,
                    s,
                    principal=principal,
                    shipments=items,
                    channel="erp",
                    today=business_today(),
                    keyed=KeyedRequest(
                        idempotency.HeldKey(principal.org_id, held.key, "e" * 64), 200, principal
                    ),
                    answer=lambda o: b"{}",
                    commit=True,
                )
            assert refused.value.code == "idempotency_key_reused"
