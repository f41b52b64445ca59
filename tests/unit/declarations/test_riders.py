"""The request's key rides in the PostgreSQL store's statements: under parameter names of
its own (a clash would silently bind the wrong value), and only when the request has one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tradecover.declarations.attachment.postgres_repository import PostgresStore, _write_sql
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.idempotency import service as idempotency
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.reporting import attachment_facts_pg as read

STORE = PostgresStore(read.PipelinedAttachmentFacts())


def test_the_key_rides_under_parameter_names_of_its_own() -> None:
    shipment = Shipment(
        insured_org_id=1,
        policy_id=2,
        buyer_id=3,
        payment_terms=PaymentTerms("OA"),
        transport_mode=TransportMode.SEA,
        shipment_date=date(2026, 11, 2),
        due_date=date(2027, 1, 1),
        goods_description="LED lights",
        hs_code="9405.11",
        invoice_number="I-1",
        currency="USD",
        invoice_amount=Decimal(10),
    )
    own = {
        *read.parameters(org_id=1, shipments=[shipment]),
        "now",
        "genesis",
        "n",
        "chains",
        "rows",
        "entries",
        "limit_ids",
        "outstanding",
        "taken",
        "caps",
        "seqs",
        "hashes",
    }
    held = idempotency.HeldKey(1, "k-1", "f" * 64)
    (_lock, locking), (_stored, reading) = idempotency.hold_statements(held)
    _store, storing = idempotency.store_statement(held, status_code=201, body_json="{}")
    assert not own & {*locking, *reading, *storing}


def test_the_key_rides_only_with_a_keyed_request() -> None:
    assert idempotency.LOCK_SQL in STORE.facts_sql(True)
    assert idempotency.LOCK_SQL not in STORE.facts_sql(False)
    assert idempotency.STORE_SQL in _write_sql(True)
    assert idempotency.STORE_SQL not in _write_sql(False)
    assert STORE.policies_sql(()) == read.POLICIES
    assert idempotency.STORED_SQL in STORE.policies_sql((idempotency.STORED_SQL,))
