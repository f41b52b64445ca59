"""Selective filtering at the feed's storage step [domain CS-11]: the exporter chooses
the fields a source's documents share (API; bad input writes nothing); a withheld field is
in no table afterwards — not the stored document, the declaration, the audit log nor the
outbox — while the minimum attachment needs still declares the shipment (both databases).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.declarations import World
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import documents, erp_event
from tradecover.consents.model import FieldSharing
from tradecover.db.base import Base
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.feeds import service
from tradecover.feeds.attach_bridge import document_attacher
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.withholding import PROJECTION
from tradecover.wiring import store_for

SECRET_GOODS = "SECRET-GRINDER-X99"
SECRET_PRICE = "777.13"
URL = "/api/v1/data-sharing/sources"


def _receive(db: Database, content: bytes, cast: Cast) -> service.Received:
    envelope = Envelope.new(
        source=FeedSource.ERP, exporter_org_id=cast.exporter.org_id, content=content
    )
    with transaction(db.factory) as session:
        return service.receive(session, envelope, attach=document_attacher(store_for(db.engine)))


def _secret_event(shipment: str) -> bytes:
    return erp_event(
        shipment,
        amount="2500.00",
        lines=[
            {
                "line_id": "1",
                "description": SECRET_GOODS,
                "quantity": "3",
                "amount": SECRET_PRICE,
                "hs_code": "845961",
            },
            {"line_id": "2", "description": "spare parts", "amount": "1722.87"},
        ],
    )


def _tables_holding(db: Database, needle: str) -> list[str]:
    """Every table whose stored rows hold ``needle`` anywhere (text, JSON or bytes)."""
    found = []
    with db.factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                text = " ".join(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                )
                if needle in text:
                    found.append(table.name)
                    break
    return found


def _withhold(client: TestClient, cast: Cast, withheld: list[str], **over: Any) -> Any:
    actor = over.pop("actor", cast.exporter)
    source = over.pop("source", "erp")
    return client.put(f"{URL}/{source}", json={"withheld": withheld, **over}, headers=actor.headers)


def test_a_withheld_field_is_in_no_table_and_the_minimum_still_attaches(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    chosen = _withhold(app_client, cast, ["line_items", "goods_description"])
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["withheld"]["erp"] == ["goods_description", "line_items"]
    assert "cannot see goods description, line items with unit prices" in chosen.json()["summary"]

    received = _receive(db, _secret_event("S1"), cast)

    assert received.status == "attached"
    (row,) = documents(db)
    stored = json.loads(row.content)
    assert stored["projection"] == PROJECTION and stored["document"]["lines"] == []
    assert stored["document"]["hs_codes"] == ["845961"]
    with db.factory() as s:
        declaration = s.get(Declaration, row.declaration_id)
        assert declaration is not None
        assert declaration.goods_description == "goods of HS 845961"
        assert declaration.invoice_minor == 250_000 and declaration.buyer_id == covered.buyer_id
    assert _tables_holding(db, SECRET_GOODS) == []
    assert _tables_holding(db, SECRET_PRICE) == []
    # the aggregates risk monitoring reads (exposure per buyer) still see the shipment
    exposure = app_client.get(
        f"/api/v1/buyers/{covered.buyer_id}", headers=cast.underwriter.headers
    )
    assert exposure.status_code == 200


def test_shared_fields_are_stored_as_received(db: Database, cast: Cast, covered: World) -> None:
    _receive(db, _secret_event("S2"), cast)
    assert "feed_documents" in _tables_holding(db, SECRET_GOODS)
    assert "declarations" in _tables_holding(db, SECRET_GOODS)


def test_a_quarantined_projection_is_resubmitted_with_its_content(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    assert _withhold(app_client, cast, ["transport_document"]).status_code == 200
    received = _receive(db, b"{not json", cast)
    assert received.status == "quarantined"
    (row,) = documents(db)
    assert row.content == b"" and len(row.content_sha256) == 64
    answer = app_client.post(
        f"/api/v1/feeds/documents/{row.id}/resubmit", headers=cast.exporter.headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "document_content_required"


def test_bad_sharing_choices_write_nothing(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    cases = [
        (_withhold(app_client, cast, ["trade_secrets"]), 422, "unknown_field"),
        (_withhold(app_client, cast, ["amounts"]), 422, "field_in_minimum"),
        (_withhold(app_client, cast, ["line_items"], source="fax"), 422, "unknown_source"),
        (_withhold(app_client, cast, ["line_items"], actor=cast.underwriter), 403, None),
        (_withhold(app_client, cast, ["line_items"], actor=cast.bank), 403, None),
    ]
    for answer, status, code in cases:
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        if code:
            assert answer.json()["code"] == code
    with db.factory() as s:
        assert s.execute(select(func.count()).select_from(FieldSharing)).scalar_one() == 0
