"""The declaration routes: ERP API with Idempotency-Key (single and batch), reading with
history, corrections, cancellations, ownership, status by frequency and turnover returns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.buyers import add_buyer
from tests.builders.declarations import TODAY, World, body, world
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import counts, reserved
from tradecover.db.engine import transaction
from tradecover.declarations.schemas import ShipmentIn
from tradecover.idempotency import service as idempotency
from tradecover.idempotency.model import IdempotencyRecord
from tradecover.kit.dates import utc_now


@pytest.fixture
def w(app_client: TestClient, cast: Cast, db: Database) -> World:
    return world(app_client, cast, db)


def post(client: TestClient, headers: dict[str, str], payload: Any, key: str | None) -> Any:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/declarations", json=payload, headers={**headers, **extra})


def test_declare_one_and_replay_with_the_same_key(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    first = post(app_client, cast.exporter.headers, body(w), "erp-1")
    assert first.status_code == 201, first.text
    data = first.json()
    assert (data["cover_status"], data["covered_amount"], data["premium"], data["channel"]) == (
        "covered_in_full",
        "10000.00",
        "45.00",
        "erp",
    )
    before = counts(db)
    again = post(app_client, cast.exporter.headers, body(w), "erp-1")
    assert (again.status_code, again.json()) == (201, data)
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = post(app_client, cast.exporter.headers, body(w, invoice_amount="9.00"), "erp-1")
    assert (changed.status_code, changed.json()["code"]) == (422, "idempotency_key_reused")
    assert counts(db) == before
    # keys are per organisation: another exporter's same key is its own (and 404s here)
    other = post(app_client, cast.other_exporter.headers, body(w), "erp-1")
    assert (other.status_code, other.json()["code"]) == (404, "policy_not_found")
    assert counts(db) == before


def test_key_is_required_and_bad_input_writes_nothing(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    before = counts(db)
    missing = post(app_client, cast.exporter.headers, body(w), None)
    assert (missing.status_code, missing.json()["code"]) == (422, "idempotency_key_required")
    bad = post(app_client, cast.exporter.headers, body(w, prepayment="10000.01"), "k-2")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert (bad.json()["code"], bad.json()["field"]) == ("prepayment_exceeds_invoice", "prepayment")
    floats = post(app_client, cast.exporter.headers, body(w, invoice_amount=10000.0), "k-3")
    assert floats.status_code == 422
    extra = post(app_client, cast.exporter.headers, {**body(w), "status": "paid"}, "k-4")
    assert extra.status_code == 422
    assert counts(db) == before
    # the refused request released its key: the corrected retry goes through
    fixed = post(app_client, cast.exporter.headers, body(w), "k-2")
    assert fixed.status_code == 201, fixed.text


def test_batch_reports_each_item(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    items = [
        body(w, invoice_number="B-1", invoice_amount="95000"),
        body(w, invoice_number="B-2", prepayment="99999999"),
        body(w, invoice_number="B-1"),
        body(w, invoice_number="B-3", invoice_amount="20000"),
        body(w, invoice_number="B-4", hs_code="0000"),
    ]
    answer = post(app_client, cast.exporter.headers, {"declarations": items}, "batch-1")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert (data["accepted"], data["rejected"]) == (2, 3)
    summary = [
        (
            i["index"],
            i["outcome"],
            (i["declaration"] or {}).get("cover_status"),
            (i["problem"] or {}).get("code"),
        )
        for i in data["items"]
    ]
    assert summary == [
        (0, "accepted", "covered_in_full", None),
        (1, "rejected", None, "prepayment_exceeds_invoice"),
        (2, "rejected", None, "duplicate_invoice_number"),
        (3, "accepted", "covered_partly", None),
        (4, "rejected", None, "unknown_hs_code"),
    ]
    assert data["items"][3]["declaration"]["uninsured_amount"] == "15000.00"
    assert reserved(db, w.limit_id) == 10_000_000
    replay = post(app_client, cast.exporter.headers, {"declarations": items}, "batch-1")
    assert (replay.status_code, replay.json()) == (200, data)
    too_many = post(
        app_client, cast.exporter.headers, {"declarations": [body(w)] * 1001}, "batch-2"
    )
    assert too_many.status_code == 422


def test_a_batch_with_every_item_refused_is_answered_and_replayed(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    """Nothing to write is still an answer: it is stored with the key and replayed."""
    before = counts(db)
    items = [
        body(w, invoice_number="N-1", hs_code="0000"),
        body(w, invoice_number="N-2", prepayment="99999999"),
    ]
    answer = post(app_client, cast.exporter.headers, {"declarations": items}, "none-1")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["accepted"], answer.json()["rejected"]) == (0, 2)
    assert counts(db) == before
    replay = post(app_client, cast.exporter.headers, {"declarations": items}, "none-1")
    assert (replay.status_code, replay.json()) == (200, answer.json())
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_a_claim_left_by_a_crashed_request_is_taken_over_only_when_stale(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    """A key claimed by the two-transaction protocol and never completed (its process
    died) answers 409 while it is fresh and is taken over once stale."""
    payload = body(w, invoice_number="CRASH-1")
    fingerprint = idempotency.fingerprint(
        method="POST",
        path="/api/v1/declarations",
        body=ShipmentIn.model_validate(payload).model_dump(mode="json"),
    )
    with transaction(db.factory) as s:
        record = IdempotencyRecord(
            org_id=w.org_id,
            key="crash-1",
            fingerprint=fingerprint,
            status="in_progress",
            created_at=utc_now(),
        )
        s.add(record)
        s.flush()
        record_id = record.id
    fresh = post(app_client, cast.exporter.headers, payload, "crash-1")
    assert (fresh.status_code, fresh.json()["code"]) == (409, "idempotency_in_progress")
    with transaction(db.factory) as s:
        stale = s.get(IdempotencyRecord, record_id)
        assert stale is not None
        stale.created_at = utc_now() - idempotency.STALE_AFTER - timedelta(seconds=1)
    taken = post(app_client, cast.exporter.headers, payload, "crash-1")
    assert taken.status_code == 201, taken.text
    replay = post(app_client, cast.exporter.headers, payload, "crash-1")
    assert (replay.status_code, replay.json()) == (201, taken.json())
    with db.factory() as s:
        assert s.get(IdempotencyRecord, record_id).status == "completed"  # type: ignore[union-attr]


def test_read_correct_cancel_and_ownership(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    created = post(app_client, cast.exporter.headers, body(w), "r-1").json()
    did = created["id"]
    other = cast.other_exporter.headers
    before = counts(db)
    assert app_client.get(f"/api/v1/declarations/{did}", headers=other).status_code == 404
    assert (
        app_client.post(
            f"/api/v1/declarations/{did}/cancellation", headers=other, json={"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        app_client.post(
            f"/api/v1/declarations/{did}/corrections",
            headers=other,
            json={**body(w), "reason": "x"},
        ).status_code
        == 404
    )
    assert app_client.get("/api/v1/declarations", headers=other).json()["total"] == 0
    assert counts(db) == before
    fixed = app_client.post(
        f"/api/v1/declarations/{did}/corrections",
        headers=cast.exporter.headers,
        json={**body(w, invoice_amount="8000.00"), "reason": "typo"},
    )
    assert fixed.status_code == 201, fixed.text
    new_id = fixed.json()["id"]
    shown = app_client.get(f"/api/v1/declarations/{new_id}", headers=cast.underwriter.headers)
    assert shown.status_code == 200
    assert [(h["id"], h["status"], h["invoice_amount"]) for h in shown.json()["history"]] == [
        (did, "corrected", "10000.00"),
        (new_id, "active", "8000.00"),
    ]
    listed = app_client.get(
        "/api/v1/declarations",
        headers=cast.exporter.headers,
        params={"policy_id": w.policy_id, "status": "active", "cover_status": "covered_in_full"},
    ).json()
    assert [d["id"] for d in listed["items"]] == [new_id]
    assert (
        app_client.get(
            "/api/v1/declarations",
            headers=cast.exporter.headers,
            params={"shipped_to": (TODAY - timedelta(days=1)).isoformat()},
        ).json()["total"]
        == 0
    )
    cancelled = app_client.post(
        f"/api/v1/declarations/{new_id}/cancellation",
        headers=cast.exporter.headers,
        json={"reason": "no sale"},
    )
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert reserved(db, w.limit_id) == 0


def test_declaring_on_another_exporters_buyer_is_404(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    with transaction(db.factory) as s:
        theirs = add_buyer(s, org_id=cast.other_exporter.org_id, name="Their Buyer")
    before = counts(db)
    answer = post(app_client, cast.exporter.headers, body(w, buyer_id=theirs), "o-1")
    assert (answer.status_code, answer.json()["code"]) == (404, "buyer_not_found")
    assert counts(db) == before


def test_declaration_status_and_turnover_returns(
    app_client: TestClient, cast: Cast, db: Database, w: World
) -> None:
    post(app_client, cast.exporter.headers, body(w, invoice_amount="30000"), "s-1")
    month = TODAY.strftime("%Y-%m")
    r = app_client.post(
        f"/api/v1/policies/{w.policy_id}/turnover-returns",
        headers=cast.exporter.headers,
        json={"month": month, "amount": "40000.00", "currency": "USD"},
    )
    assert r.status_code == 201, r.text
    assert (
        app_client.post(
            f"/api/v1/policies/{w.policy_id}/turnover-returns",
            headers=cast.other_exporter.headers,
            json={"month": month, "amount": "1", "currency": "USD"},
        ).status_code
        == 404
    )
    status = app_client.get(
        f"/api/v1/policies/{w.policy_id}/declaration-status",
        headers=cast.exporter.headers,
        params={"start": TODAY.replace(day=1).isoformat(), "end": TODAY.isoformat()},
    )
    assert status.status_code == 200, status.text
    data = status.json()
    assert (
        data["frequency"],
        data["declared"],
        data["late"],
        data["compliance_rate"],
        data["declared_amount"],
        data["turnover"],
        data["declared_share_of_turnover"],
    ) == ("monthly", 1, 0, "1.0000", "30000.00", "40000.00", "0.7500")
    # periods whose deadline falls in the range (this month's is due on the 15th of the next)
    assert all(p["due"] <= TODAY.isoformat() for p in data["periods"])
    full = app_client.get(
        f"/api/v1/policies/{w.policy_id}/declaration-status", headers=cast.exporter.headers
    ).json()
    assert [p["start"][:7] for p in full["periods"]] == sorted(
        {p["start"][:7] for p in full["periods"]}
    )
    assert (
        app_client.get(
            f"/api/v1/policies/{w.policy_id}/declaration-status",
            headers=cast.other_exporter.headers,
        ).status_code
        == 404
    )
