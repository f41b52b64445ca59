"""The exporter's page of shipments waiting for its confirmation ([domain A-3]): it lists
them with their deadlines, confirms the ticked ones with one click, withdraws others.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.declarations import World
from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.feeds.helpers import declaration_count, documents, erp_event
from tradecover.access.roles import Role
from tradecover.db.engine import transaction
from tradecover.feeds import service
from tradecover.feeds.confirmation_repository import model_attacher
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.wiring import store_for


def _awaiting(db: Database, cast: Cast, *shipments: str) -> list[int]:
    ids: list[int] = []
    for shipment in shipments:
        envelope = Envelope.new(
            source=FeedSource.ERP, exporter_org_id=cast.exporter.org_id, content=erp_event(shipment)
        )
        with transaction(db.factory) as s:
            received = service.receive(s, envelope, attach=model_attacher(store_for(db.engine)))
        assert received.status == "awaiting_confirmation" and received.row_id is not None
        ids.append(received.row_id)
    return ids


def test_the_exporter_confirms_and_withdraws_on_its_page(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    first, second, third = _awaiting(db, cast, "S1", "S2", "S3")
    sign_in(app_client, make_person(db, "acme-exports", Role.EXPORTER, "ops@acme.example"))
    page = app_client.get("/feeds/confirmations")
    assert page.status_code == 200, page.text
    assert all(f'data-testid="awaiting-{i}"' in page.text for i in (first, second, third))
    assert "Berlin Machines GmbH" in page.text
    confirmed = app_client.post(
        "/feeds/confirmations", data={"action": "confirm", "document_ids": [first, second]}
    )
    assert confirmed.status_code == 200 and 'data-testid="confirmed"' in confirmed.text
    assert f'data-testid="awaiting-{first}"' not in confirmed.text
    assert declaration_count(db) == 2
    again = app_client.post(
        "/feeds/confirmations", data={"action": "confirm", "document_ids": [first]}
    )
    assert again.status_code == 409 and 'data-testid="problem"' in again.text
    withdrawn = app_client.post(
        "/feeds/confirmations", data={"action": "withdraw", "document_ids": [third]}
    )
    assert withdrawn.status_code == 200 and 'data-testid="none"' in withdrawn.text
    assert [r.status for r in documents(db)] == ["attached", "attached", "withdrawn"]
    sign_in(app_client, make_person(db, "other-exports", Role.EXPORTER, "it@other.example"))
    theirs = app_client.get("/feeds/confirmations")
    assert theirs.status_code == 200 and 'data-testid="none"' in theirs.text
