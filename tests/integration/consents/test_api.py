"""The consents API [domain CS-2] [domain CS-3] [domain CS-5] [domain CS-7] [domain CS-8]:
request, authorise, revoke; bad input refused with nothing written; receipts; the read
guard on feeds documents; the access log with the refused read (both databases)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database
from tradecover.audit import AuditEntry
from tradecover.consents.access_log import REFUSED
from tradecover.consents.model import Consent
from tradecover.db.engine import transaction
from tradecover.events.model import OutboxEvent
from tradecover.feeds.model import ReceivedDocument
from tradecover.kit.dates import utc_now


def _ask(client: TestClient, cast: Cast, **changes: Any) -> Any:
    body: dict[str, Any] = {
        "grantor_org_id": cast.exporter.org_id,
        "scopes": ["invoice_documents", "shipment_core"],
        "purposes": ["cover_attachment"],
        "expires_at": (utc_now() + timedelta(days=30)).isoformat(),
    }
    body.update(changes)
    return client.post("/api/v1/consents", json=body, headers=cast.underwriter.headers)


def _count(db: Database) -> int:
    with db.factory() as s:
        return int(s.execute(select(func.count()).select_from(Consent)).scalar_one())


def _document(db: Database, cast: Cast) -> int:
    with transaction(db.factory) as s:
        row = ReceivedDocument(
            message_id="m-1",
            exporter_org_id=cast.exporter.org_id,
            source="upload",
            kind="invoice",
            status="attached",
            reasons=[],
            content=b"<Invoice/>",
            content_sha256="0" * 64,
            received_at=utc_now(),
            processed_at=utc_now(),
            updated_at=utc_now(),
        )
        s.add(row)
        s.flush()
        return row.id


def test_bad_requests_write_nothing(app_client: TestClient, db: Database, cast: Cast) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"scopes": []}, "scope_missing"),
        ({"purposes": []}, "purpose_missing"),
        ({"scopes": ["trade_secrets"]}, "unknown_scope"),
        ({"expires_at": (utc_now() - timedelta(days=1)).isoformat()}, "expiry_in_past"),
        ({"grantor_org_id": cast.bank.org_id}, "grantor_owns_no_data"),
    ]
    for change, code in cases:
        answer = _ask(app_client, cast, **change)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code
    assert _count(db) == 0


def test_the_consent_opens_the_documents_and_every_read_is_logged(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    document = _document(db, cast)
    url = f"/api/v1/feeds/documents/{document}"
    refused = app_client.get(url, headers=cast.underwriter.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "consent_required"
    assert "invoice_documents" in refused.json()["detail"]

    asked = _ask(app_client, cast)
    assert asked.status_code == 201 and asked.json()["status"] == "awaiting_authorisation"
    consent = asked.json()["id"]
    grantee_tries = app_client.post(
        f"/api/v1/consents/{consent}/authorise", headers=cast.underwriter.headers
    )
    assert grantee_tries.status_code == 403 and grantee_tries.json()["code"] == "not_a_party"
    third = app_client.post(f"/api/v1/consents/{consent}/revoke", headers=cast.bank.headers)
    assert third.status_code == 403 and third.json()["code"] == "not_a_party"
    granted = app_client.post(
        f"/api/v1/consents/{consent}/authorise", headers=cast.exporter.headers
    )
    assert granted.status_code == 200 and granted.json()["status"] == "authorised"

    assert app_client.get(url, headers=cast.underwriter.headers).status_code == 200
    listed = app_client.get("/api/v1/feeds/documents", headers=cast.underwriter.headers)
    assert [d["id"] for d in listed.json()["items"]] == [document]
    visible = app_client.get("/api/v1/consents/visibility", headers=cast.underwriter.headers)
    assert {"basis": "consent", "consent_id": consent}.items() <= visible.json()[-1].items()

    receipt = app_client.get(f"/api/v1/consents/{consent}/receipt", headers=cast.exporter.headers)
    assert receipt.json()["state"] == "authorised"
    odrl = app_client.get(f"/api/v1/consents/{consent}/receipt.odrl", headers=cast.exporter.headers)
    assert odrl.headers["content-type"].startswith("application/ld+json")
    assert len(odrl.json()["permission"]) == 2

    revoked = app_client.post(f"/api/v1/consents/{consent}/revoke", headers=cast.exporter.headers)
    assert revoked.json()["status"] == "revoked"
    after = app_client.get(url, headers=cast.underwriter.headers)
    assert after.status_code == 403 and after.json()["code"] == "consent_required"

    # holding another exporter's consent, the insurer passes the edge; the record's own
    # exporter refuses it, and sees the refusal in its log
    with transaction(db.factory) as s:
        s.add(
            Consent(
                grantor_org_id=cast.other_exporter.org_id,
                grantee_org_id=cast.underwriter.org_id,
                scopes=["invoice_documents"],
                purposes=["cover_attachment"],
                expires_at=utc_now() + timedelta(days=1),
                status="authorised",
                requested_by="test",
                requested_at=utc_now(),
            )
        )
    named = app_client.get(url, headers=cast.underwriter.headers)
    assert named.status_code == 403 and named.json()["code"] == "consent_required"

    log = app_client.get("/api/v1/consents/access-log", headers=cast.exporter.headers).json()
    assert [(r["refused"], r["scope"]) for r in log] == [
        (True, "invoice_documents"),
        (False, "invoice_documents"),
        (False, "invoice_documents"),
    ]
    with db.factory() as s:
        unnamed = s.execute(
            select(AuditEntry.after).where(
                AuditEntry.org_id == cast.underwriter.org_id, AuditEntry.action == REFUSED
            )
        ).scalars()
        refusals = sum(after["reads"] for after in unnamed)
    assert refusals == 2  # before the grant and after the revocation (coalesced)
    read = log[1]
    assert read["consent"] == str(consent) and read["records"] == {"feed_documents": [document]}
    assert (
        read["reader_org_id"] == cast.underwriter.org_id and read["purpose"] == "cover_attachment"
    )
    csv_text = app_client.get(
        "/api/v1/consents/access-log.csv?scope=invoice_documents", headers=cast.exporter.headers
    ).text
    assert csv_text.splitlines()[0].startswith("at,refused,reader_org_id")
    assert len(csv_text.splitlines()) == 4
    verified = app_client.get("/api/v1/audit/verify", headers=cast.admin.headers).json()
    assert verified == {"ok": True, "breaks": []}
    with db.factory() as s:
        events = s.execute(select(OutboxEvent.event_type)).scalars().all()
    assert sorted(events) == ["consent.granted"] * 2 + ["consent.revoked"] * 2


def test_the_contract_keeps_the_insurers_reads_and_logs_them(
    app_client: TestClient, db: Database, cast: Cast
) -> None:
    answer = app_client.get("/api/v1/declarations", headers=cast.underwriter.headers)
    assert answer.status_code == 200
    assert app_client.get("/api/v1/consents/access-log", headers=cast.exporter.headers).json() == []
