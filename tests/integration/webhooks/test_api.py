"""The webhooks API: endpoints per organisation, roles, rotation, deliveries, the OpenAPI
``webhooks`` section, and the limit decision that reaches a receiver end to end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import active as policy
from tests.conftest import Cast, Database
from tests.integration.webhooks.helpers import drain
from tests.receivers import WebhookReceiver
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.db.engine import transaction
from tradecover.events.model import OutboxEvent
from tradecover.webhooks import verify

BASE = "/api/v1/webhooks/endpoints"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An app in webhooks development mode (http to loopback allowed)."""
    app = create_app(settings.model_copy(update={"webhooks_development": True}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.engine.dispose()


def test_an_organisation_manages_its_own_endpoints(client: TestClient, cast: Cast) -> None:
    made = client.post(
        BASE,
        headers=cast.exporter.headers,
        json={
            "url": "https://erp.example.com/hooks",
            "event_types": ["limit.decided"],
            "description": "ERP",
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["enabled"] is True
    url = f"{BASE}/{body['id']}"
    shown = client.get(url, headers=cast.exporter.headers).json()
    assert shown["secret"] is None  # shown once
    assert client.get(url, headers=cast.other_exporter.headers).status_code == 404
    assert client.get(BASE, headers=cast.other_exporter.headers).json() == []
    changed = client.patch(
        url, headers=cast.exporter.headers, json={"event_types": ["*"], "enabled": False}
    )
    assert changed.status_code == 200
    assert (changed.json()["event_types"], changed.json()["enabled"]) == (["*"], False)
    rotated = client.post(f"{url}/rotate-secret", headers=cast.exporter.headers).json()
    assert rotated["secret"] != body["secret"] and rotated["previous_secret_until"]
    assert client.delete(url, headers=cast.exporter.headers).status_code == 204
    assert client.get(url, headers=cast.exporter.headers).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"url": "ftp://x.example.com/"},
        {"event_types": ["limit.approved"]},
        {"secret": "not-a-secret"},
    ],
)
def test_a_bad_endpoint_is_refused(
    client: TestClient, cast: Cast, change: dict[str, object]
) -> None:
    body = {"url": "https://erp.example.com/", "event_types": ["*"]} | change
    answer = client.post(BASE, headers=cast.exporter.headers, json=body)
    assert answer.status_code == 422, answer.text


def test_http_is_refused_outside_development_mode(app_client: TestClient, cast: Cast) -> None:
    answer = app_client.post(
        BASE,
        headers=cast.exporter.headers,
        json={"url": "http://127.0.0.1:9/", "event_types": ["*"]},
    )
    assert answer.status_code == 422 and answer.json()["field"] == "url"


def test_a_read_only_member_may_not_register(client: TestClient, cast: Cast) -> None:
    answer = client.post(
        BASE,
        headers=cast.bank.headers,
        json={"url": "https://bank.example.com/", "event_types": ["*"]},
    )
    assert answer.status_code == 403


def test_the_openapi_document_lists_every_event_as_a_webhook(
    client: TestClient, cast: Cast
) -> None:
    document = client.get("/openapi.json").json()
    hooks = document["webhooks"]
    assert "limit.decided.v1" in hooks and "document.quarantined.v1" in hooks
    assert "declaration.reminded.v1" in hooks and "collection.chased.v1" in hooks
    names = {p["name"] for p in hooks["limit.decided.v1"]["post"]["parameters"]}
    assert names == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    types = client.get("/api/v1/webhooks/event-types", headers=cast.exporter.headers).json()
    assert {t["name"] for t in types} >= {"limit.decided", "claim.paid"}


def test_a_limit_decision_reaches_the_receiver(
    client: TestClient, cast: Cast, db: Database
) -> None:
    with WebhookReceiver() as receiver:
        made = client.post(
            BASE,
            headers=cast.exporter.headers,
            json={"url": receiver.url + "/in", "event_types": ["limit.decided"]},
        ).json()
        pol = policy(client, cast)
        b = buyer(client, cast.exporter)["buyer"]
        app = application(
            client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="40000"
        )
        with transaction(db.factory) as session:
            event = session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "limit.decided")
            ).one()
            assert (event.event_type, event.org_id) == ("limit.decided", cast.exporter.org_id)
        drain(db)
    [got] = receiver.received
    verify(made["secret"], got.headers, got.body)
    data = json.loads(got.body)
    assert data["subject"] == f"limit_application:{app['id']}"
    assert (data["data"]["outcome"], data["data"]["approved_amount"]) == ("approved", "40000.00")
    deliveries = client.get(f"{BASE}/{made['id']}/deliveries", headers=cast.exporter.headers).json()
    assert [d["status"] for d in deliveries["items"]] == ["delivered"]
    one = client.get(
        f"{BASE}/{made['id']}/deliveries/{deliveries['items'][0]['id']}",
        headers=cast.exporter.headers,
    ).json()
    assert [a["status_code"] for a in one["attempt_log"]] == [204]
