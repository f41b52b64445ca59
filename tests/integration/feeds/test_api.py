"""The feed routes: the signed ERP webhook, uploads, the exporter's documents, resubmission."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.builders.declarations import World, world
from tests.conftest import TEST_SECRET, Cast, Database
from tests.integration.feeds.helpers import (
    connect_source,
    declaration_count,
    documents,
    drain,
    erp_event,
    ubl_invoice_to_the_test_buyer,
)
from tests.unit.feeds._fixtures import fixture
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.feeds import connection_repository as connections
from tradecover.feeds import sign
from tradecover.feeds.confirmation_repository import correction_step, model_attacher
from tradecover.feeds.stream.envelope import FeedSource
from tradecover.feeds.stream.nats_stream import Publisher, StreamSettings
from tradecover.feeds.worker import Worker
from tradecover.wiring import store_for


@pytest.fixture
def client(app_client: TestClient, stream: StreamSettings) -> Iterator[TestClient]:
    """The app, publishing on the test's own stream."""
    publisher = Publisher(stream)
    app_client.app.state.feeds_publisher = publisher  # type: ignore[attr-defined]
    yield app_client
    publisher.close()


def _erp_connection(db: Database, cast: Cast) -> tuple[int, str]:
    with transaction(db.factory) as s:
        connection_id = connections.create_connection(
            s,
            principal=access.system_principal(s),
            exporter_org_id=cast.exporter.org_id,
            source=FeedSource.ERP,
        ).id
        secret = connections.add_secret(
            s,
            principal=access.system_principal(s),
            connection_id=connection_id,
            signing_key=TEST_SECRET,
        )
    return connection_id, secret


def _post_event(
    client: TestClient,
    connection_id: int,
    body: bytes,
    secret: str,
    stamp: int | None = None,
    header: str | None = None,
) -> object:
    signature = header if header is not None else sign(body, secret, stamp or int(time.time()))
    return client.post(
        f"/api/v1/feeds/erp/{connection_id}/events",
        content=body,
        headers={"Tradecover-Signature": signature, "Content-Type": "application/json"},
    )


def test_a_signed_erp_event_is_streamed_and_attached(
    client: TestClient, db: Database, cast: Cast, stream: StreamSettings
) -> None:
    world(client, cast, db)
    connection_id, secret = _erp_connection(db, cast)
    r = _post_event(client, connection_id, erp_event("S1"), secret)
    assert r.status_code == 202, r.text  # type: ignore[attr-defined]
    message_id = r.json()["message_id"]  # type: ignore[attr-defined]
    drain(db, stream)
    listed = client.get("/api/v1/feeds/documents", headers=cast.exporter.headers).json()
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert (item["message_id"], item["status"], item["kind"]) == (
        message_id,
        "attached",
        "erp_shipment",
    )
    assert item["declaration_id"] is not None
    assert declaration_count(db) == 1


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("secret", "signature_mismatch"),
        ("expired", "signature_expired"),
        ("missing", "signature_missing"),
        ("malformed", "signature_malformed"),
    ],
)
def test_a_bad_signature_is_refused_401_with_its_code(
    client: TestClient, db: Database, cast: Cast, tamper: str, code: str
) -> None:
    connection_id, secret = _erp_connection(db, cast)
    body = erp_event("S1")
    stamp = int(time.time()) - (3600 if tamper == "expired" else 0)
    header = {"missing": "", "malformed": "v1=abc"}.get(tamper)
    r = _post_event(
        client, connection_id, body, "whsec_wrong" if tamper == "secret" else secret, stamp, header
    )
    assert r.status_code == 401  # type: ignore[attr-defined]
    assert r.json()["code"] == code  # type: ignore[attr-defined]


def test_a_replayed_request_is_refused_and_an_unknown_connection_tells_nothing(
    client: TestClient, db: Database, cast: Cast
) -> None:
    connection_id, secret = _erp_connection(db, cast)
    body, stamp = erp_event("S1"), int(time.time())
    assert _post_event(client, connection_id, body, secret, stamp).status_code == 202  # type: ignore[attr-defined]
    replay = _post_event(client, connection_id, body, secret, stamp)
    assert replay.status_code == 401  # type: ignore[attr-defined]
    assert replay.json()["code"] == "signature_replayed"  # type: ignore[attr-defined]
    unknown = _post_event(client, connection_id + 99, body, secret)
    assert unknown.json()["code"] == "signature_mismatch"  # type: ignore[attr-defined]


def test_secrets_rotate_several_valid_until_revoked(
    client: TestClient, db: Database, cast: Cast
) -> None:
    connection_id, old = _erp_connection(db, cast)
    with transaction(db.factory) as s:
        new = connections.add_secret(
            s,
            principal=access.system_principal(s),
            connection_id=connection_id,
            signing_key=TEST_SECRET,
        )
    assert _post_event(client, connection_id, erp_event("S1"), old).status_code == 202  # type: ignore[attr-defined]
    assert _post_event(client, connection_id, erp_event("S2"), new).status_code == 202  # type: ignore[attr-defined]
    with transaction(db.factory) as s:
        first = connections.valid_secret_rows(s, connection_id)[0]
        connections.revoke_secret(
            s, principal=access.system_principal(s), connection_id=connection_id, secret_id=first.id
        )
        assert "whsec" not in first.encrypted
    refused = _post_event(client, connection_id, erp_event("S3"), old)
    assert refused.json()["code"] == "signature_mismatch"  # type: ignore[attr-defined]
    assert _post_event(client, connection_id, erp_event("S4"), new).status_code == 202  # type: ignore[attr-defined]


def test_an_upload_needs_the_callers_connection_and_a_key_makes_it_one_message(
    client: TestClient, db: Database, cast: Cast
) -> None:
    url = "/api/v1/feeds/ubl/documents?filename=inv.xml"
    data = fixture("ubl_export_invoice.xml")
    r = client.post(url, content=data, headers=cast.exporter.headers)
    assert (r.status_code, r.json()["code"]) == (404, "source_not_connected")
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    keyed = {**cast.exporter.headers, "Idempotency-Key": "upload-1"}
    first = client.post(url, content=data, headers=keyed)
    again = client.post(url, content=data, headers=keyed)
    assert first.status_code == again.status_code == 202
    assert first.json()["message_id"] == again.json()["message_id"]
    other = client.post(url, content=data, headers=cast.exporter.headers)
    assert other.json()["message_id"] != first.json()["message_id"]
    empty = client.post(url, content=b"  ", headers=cast.exporter.headers)
    assert (empty.status_code, empty.json()["code"]) == (422, "document_empty")


def test_documents_are_the_exporters_own_and_a_quarantined_one_is_resubmitted(
    client: TestClient, db: Database, cast: Cast, stream: StreamSettings, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    url = "/api/v1/feeds/ubl/documents?filename=broken.xml"
    assert client.post(url, content=b"<Invoice>", headers=cast.exporter.headers).status_code == 202
    drain(db, stream)
    quarantined = client.get(
        "/api/v1/feeds/documents?status=quarantined", headers=cast.exporter.headers
    ).json()["items"]
    assert len(quarantined) == 1
    assert quarantined[0]["reasons"][0]["code"] == "xml_malformed"
    assert quarantined[0]["filename"] == "broken.xml"
    theirs = client.get("/api/v1/feeds/documents", headers=cast.other_exporter.headers)
    assert theirs.json()["total"] == 0
    row_id = quarantined[0]["id"]
    assert (
        client.get(
            f"/api/v1/feeds/documents/{row_id}", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/feeds/documents/{row_id}/resubmit",
        content=ubl_invoice_to_the_test_buyer(),
        headers=cast.exporter.headers,
    )
    assert r.status_code == 202, r.text
    drain(db, stream)
    old, new = documents(db)
    assert old.status == "superseded" and new.resubmission_of_id == old.id
    assert new.status == "attached" and new.filename == "broken.xml"
    again = client.post(f"/api/v1/feeds/documents/{row_id}/resubmit", headers=cast.exporter.headers)
    assert (again.status_code, again.json()["code"]) == (409, "document_not_quarantined")
    withdrawn = client.post(
        f"/api/v1/feeds/documents/{row_id}/withdraw", headers=cast.exporter.headers
    )
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (409, "document_not_withdrawable")


def test_a_quarantined_document_is_withdrawn_by_its_exporter_only(
    client: TestClient, db: Database, cast: Cast, stream: StreamSettings, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    client.post("/api/v1/feeds/ubl/documents", content=b"<Invoice>", headers=cast.exporter.headers)
    drain(db, stream)
    (row,) = documents(db)
    url = f"/api/v1/feeds/documents/{row.id}/withdraw"
    assert client.post(url, headers=cast.other_exporter.headers).status_code == 404
    withdrawn = client.post(url, headers=cast.exporter.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    resubmit = client.post(
        f"/api/v1/feeds/documents/{row.id}/resubmit", headers=cast.exporter.headers
    )
    assert resubmit.json()["code"] == "document_not_quarantined"


def test_a_stream_that_cannot_be_reached_answers_503_and_keeps_the_signature_unused(
    app_client: TestClient, db: Database, cast: Cast, stream: StreamSettings
) -> None:
    connection_id, secret = _erp_connection(db, cast)
    down = Publisher(StreamSettings(servers=("nats://127.0.0.1:1",)))
    app_client.app.state.feeds_publisher = down  # type: ignore[attr-defined]
    body, stamp = erp_event("S1"), int(time.time())
    r = _post_event(app_client, connection_id, body, secret, stamp)
    assert r.status_code == 503  # type: ignore[attr-defined]
    assert r.json()["code"] == "stream_unavailable"  # type: ignore[attr-defined]
    down.close()
    up = Publisher(stream)
    app_client.app.state.feeds_publisher = up  # type: ignore[attr-defined]
    assert _post_event(app_client, connection_id, body, secret, stamp).status_code == 202  # type: ignore[attr-defined]
    up.close()


def test_the_exporter_lists_confirms_and_withdraws_what_waits_for_its_confirmation(
    client: TestClient, db: Database, cast: Cast, stream: StreamSettings, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    headers = cast.exporter.headers
    for content in (ubl_invoice_to_the_test_buyer(), erp_event("S9", currency="EUR")):
        source = "ubl" if content.startswith(b"<") else "erp"
        assert client.post(f"/api/v1/feeds/{source}/documents", content=content, headers=headers)
    store = store_for(db.engine)
    worker = Worker(
        db.factory, stream, attach=model_attacher(store), correct=correction_step(store)
    )
    asyncio.run(worker.run(idle_exit_seconds=1.0, fetch_timeout=0.25))
    waiting = client.get("/api/v1/feeds/awaiting-confirmation", headers=headers)
    assert waiting.status_code == 200, waiting.text
    (item,) = waiting.json()
    assert item["document_id"] == "RW-2026-0042" and item["standing"] == "open"
    assert item["amount"] == "1950.00" and item["currency"] == "USD"
    euro = client.get("/api/v1/feeds/documents?status=quarantined", headers=headers).json()
    assert euro["items"][0]["reasons"][0]["code"] == "currency_not_allowed"
    assert (
        client.get(
            "/api/v1/feeds/awaiting-confirmation", headers=cast.other_exporter.headers
        ).json()
        == []
    )
    url = f"/api/v1/feeds/documents/{item['id']}/confirm"
    assert client.post(url, headers=cast.other_exporter.headers).status_code == 404
    confirmed = client.post(url, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "attached" and confirmed.json()["declaration_id"]
    many = client.post(
        "/api/v1/feeds/confirm", json={"document_ids": [item["id"]]}, headers=headers
    )
    assert many.status_code == 200
    assert many.json()[0]["code"] == "document_not_awaiting_confirmation"
    assert (
        client.post("/api/v1/feeds/confirm", json={"document_ids": []}, headers=headers).status_code
        == 422
    )
    refused = client.post(f"/api/v1/feeds/documents/{item['id']}/withdraw", headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "withdrawal_not_allowed")
    assert declaration_count(db) == 1
