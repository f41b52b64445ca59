"""The webhooks page: a person of the organisation adds an endpoint, sees it, its
deliveries, and replays from an event.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.webhooks.helpers import drain, endpoint_for, record
from tests.receivers import WebhookReceiver
from tradecover.access.roles import Role


def test_a_person_adds_an_endpoint_and_follows_its_deliveries(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "it@acme.example")
    sign_in(app_client, person)
    empty = app_client.get("/webhooks")
    assert empty.status_code == 200 and 'data-testid="endpoints"' in empty.text
    added = app_client.post(
        "/webhooks",
        data={
            "url": "https://erp.acme.example/in",
            "event_types": ["limit.decided"],
            "description": "ERP",
        },
    )
    assert added.status_code == 200 and 'data-testid="secret"' in added.text
    assert "https://erp.acme.example/in" in added.text
    refused = app_client.post(
        "/webhooks", data={"url": "http://erp.acme.example/", "event_types": ["*"]}
    )
    assert refused.status_code == 422 and 'data-testid="problem"' in refused.text
    page = app_client.get("/webhooks/1")
    assert page.status_code == 200 and 'data-testid="deliveries"' in page.text
    sign_in(app_client, make_person(db, "other-exports", Role.EXPORTER, "it@other.example"))
    assert app_client.get("/webhooks/1").status_code == 404


def test_the_page_shows_each_attempt_and_replays(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    person = make_person(db, "acme-exports", Role.EXPORTER, "ops@acme.example")
    sign_in(app_client, person)
    with WebhookReceiver(lambda r: 500) as receiver:
        endpoint_id, _ = endpoint_for(db, "acme-exports", receiver.url)
        ids = record(db, cast.exporter.org_id, [("s:1", 1)])
        drain(db)
    page = app_client.get(f"/webhooks/{endpoint_id}")
    assert "500" in page.text and ids[0] in page.text
    replayed = app_client.post(f"/webhooks/{endpoint_id}/replay", data={"from_event_id": ids[0]})
    assert replayed.status_code == 200 and 'data-testid="replayed"' in replayed.text
