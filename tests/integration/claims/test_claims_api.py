"""Collections, notices and claims through HTTP: problem responses, ownership, idempotent pay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database
from tests.integration.claims.conftest import DUE, TODAY, Book, counts, principal, run
from tests.integration.claims.documents import accept_documents_via_api
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.kit.errors import ValidationFailed
from tradecover.ledger.model import LedgerEntry


def test_confirmations_and_notices_over_http(
    app_client: TestClient, cast: Cast, db: Database, book: Book
) -> None:
    first = book.declarations[0]
    h = cast.exporter.headers
    r = app_client.post(
        "/api/v1/collections/confirmations",
        headers=h,
        json={
            "declaration_id": first,
            "outcome": "paid_in_part",
            "amount": "5000.00",
            "currency": "USD",
            "paid_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    assert (r.json()["amount"], r.json()["freed_limit"]) == (
        {"amount": "5000.00", "currency": "USD"},
        {"amount": "5000.00", "currency": "USD"},
    )
    before = counts(db)
    r = app_client.post(
        "/api/v1/collections/confirmations",
        headers=h,
        json={
            "declaration_id": first,
            "outcome": "paid_in_part",
            "amount": "25000.01",
            "currency": "USD",
            "paid_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "collection_exceeds_invoice"
    r = app_client.post(
        "/api/v1/collections/confirmations",
        headers=cast.other_exporter.headers,
        json={"declaration_id": first, "outcome": "unpaid"},
    )
    assert r.status_code == 404
    r = app_client.post(
        "/api/v1/collections/confirmations",
        headers=h,
        json={
            "declaration_id": first,
            "outcome": "paid_in_part",
            "amount": 5.5,
            "currency": "USD",
            "paid_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 422  # a float is not money
    assert counts(db) == before
    # not overdue yet: a notice for protracted default is refused
    r = app_client.post(
        "/api/v1/overdue/notices",
        headers=h,
        json={"declaration_id": first, "cause": "protracted_default"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "notice_before_due")
    assert app_client.get("/api/v1/overdue", headers=h).json()["total"] == 0
    due = TODAY + timedelta(days=61)
    overdue = app_client.get(f"/api/v1/overdue?today={due.isoformat()}", headers=h).json()
    assert [(i["declaration_id"], i["days_overdue"]) for i in overdue["items"]] == [
        (first, 1),
        (book.declarations[1], 1),
    ]
    assert (
        app_client.get(
            f"/api/v1/overdue?today={due.isoformat()}", headers=cast.other_exporter.headers
        ).json()["total"]
        == 0
    )


def test_claim_pay_is_idempotent_and_never_twice(
    app_client: TestClient, cast: Cast, db: Database, book: Book
) -> None:
    exporter = principal(db, cast.exporter)
    first = book.declarations[0]
    run(
        db,
        lambda s: collections.file_notice(
            s, principal=exporter, declaration_id=first, cause=LossCauseHint.INSOLVENCY, today=TODAY
        ),
    )
    r = app_client.post(
        "/api/v1/claims",
        headers=cast.exporter.headers,
        json={"cause": "insolvency", "currency": "USD", "lines": [{"declaration_id": first}]},
    )
    assert r.status_code == 201, r.text
    claim = r.json()
    assert (claim["state"], claim["indemnity"]) == (
        "filed",
        {"amount": "27000.00", "currency": "USD"},
    )
    cid = claim["id"]
    assert (
        app_client.get(f"/api/v1/claims/{cid}", headers=cast.other_exporter.headers).status_code
        == 404
    )
    r = app_client.post(
        "/api/v1/claims",
        headers=cast.other_exporter.headers,
        json={"cause": "insolvency", "currency": "USD", "lines": [{"declaration_id": first}]},
    )
    assert r.status_code == 404
    handler = cast.claims_handler.headers
    assert app_client.post(f"/api/v1/claims/{cid}/start-checks", headers=handler).status_code == 200
    assert (
        app_client.post(f"/api/v1/claims/{cid}/approve", headers=cast.exporter.headers).status_code
        == 403
    )
    accept_documents_via_api(app_client, cast.exporter, cast.claims_handler, cid)
    r = app_client.post(f"/api/v1/claims/{cid}/approve", headers=handler)
    assert (r.status_code, r.json()["state"]) == (200, "approved")
    pay_headers = {**cast.finance.headers, "Idempotency-Key": "pay-1"}
    first_pay = app_client.post(f"/api/v1/claims/{cid}/pay", headers=pay_headers)
    assert (first_pay.status_code, first_pay.json()["state"]) == (200, "paid")
    replay = app_client.post(f"/api/v1/claims/{cid}/pay", headers=pay_headers)
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first_pay.json()
    again = app_client.post(
        f"/api/v1/claims/{cid}/pay", headers={**cast.finance.headers, "Idempotency-Key": "pay-2"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "claim_already_paid")
    r = app_client.post(
        f"/api/v1/claims/{cid}/recoveries",
        headers=handler,
        json={
            "source": "estate",
            "gross": "3000.00",
            "costs": "0",
            "currency": "USD",
            "received_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    assert (r.json()["insurer_share"], r.json()["insured_share"]) == (
        {"amount": "2700.00", "currency": "USD"},
        {"amount": "300.00", "currency": "USD"},
    )
    with db.factory() as s:
        assert (
            s.execute(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.key == f"claim:{cid}:paid")
            ).scalar_one()
            == 1
        )
    queue = app_client.get("/api/v1/claims?state=paid", headers=handler).json()
    assert (queue["total"], queue["items"][0]["id"]) == (1, cid)
    assert (
        app_client.get("/api/v1/claims", headers=cast.other_exporter.headers).json()["total"] == 0
    )
    speed = app_client.get("/api/v1/claims/speed", headers=handler).json()
    assert [(m["month"], m["filed"], m["decided"], m["paid"]) for m in speed["months"]] == [
        (f"{TODAY:%Y-%m}", 1, 1, 1)
    ]
    assert speed["months"][0]["avg_claim_to_decision_days"] == "0.0"
    assert speed["at_risk"] == []


def test_an_approved_extension_moves_the_deadlines(
    app_client: TestClient, cast: Cast, db: Database, book: Book
) -> None:
    first, second = book.declarations
    h = cast.exporter.headers
    new_due = DUE + timedelta(days=30)
    r = app_client.post(
        "/api/v1/overdue/extensions",
        headers=h,
        json={"declaration_id": first, "kind": "extension", "new_due_date": new_due.isoformat()},
    )
    assert r.status_code == 201, r.text
    arrangement = r.json()
    assert (arrangement["status"], arrangement["new_due_date"]) == (
        "requested",
        new_due.isoformat(),
    )
    r = app_client.post(
        "/api/v1/overdue/extensions",
        headers=cast.other_exporter.headers,
        json={"declaration_id": first, "kind": "extension", "new_due_date": new_due.isoformat()},
    )
    assert r.status_code == 404
    aid = arrangement["id"]
    assert (
        app_client.post(f"/api/v1/overdue/extensions/{aid}/approve", headers=h, json={}).status_code
        == 403
    )
    handler = cast.claims_handler.headers
    before = counts(db)
    r = app_client.post(f"/api/v1/overdue/extensions/{aid}/refuse", headers=handler, json={})
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    assert counts(db) == before
    r = app_client.post(f"/api/v1/overdue/extensions/{aid}/approve", headers=handler, json={})
    assert (r.status_code, r.json()["status"]) == (200, "approved")
    r = app_client.post(
        f"/api/v1/overdue/extensions/{aid}/refuse", headers=handler, json={"reason": "too late"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "already_decided")
    day = DUE + timedelta(days=10)
    overdue = app_client.get(f"/api/v1/overdue?today={day.isoformat()}", headers=h).json()
    assert [(i["declaration_id"], i["notice_deadline"]) for i in overdue["items"]] == [
        (second, (DUE + timedelta(days=90)).isoformat())
    ]
    later = new_due + timedelta(days=1)
    overdue = app_client.get(f"/api/v1/overdue?today={later.isoformat()}", headers=h).json()
    assert [
        (i["declaration_id"], i["due_date"], i["notice_deadline"]) for i in overdue["items"]
    ] == [
        (second, DUE.isoformat(), (DUE + timedelta(days=90)).isoformat()),
        (first, new_due.isoformat(), (new_due + timedelta(days=90)).isoformat()),
    ]
    exporter = principal(db, cast.exporter)
    with pytest.raises(ValidationFailed) as exc:
        run(
            db,
            lambda s: collections.file_notice(
                s,
                principal=exporter,
                declaration_id=first,
                cause=LossCauseHint.PROTRACTED_DEFAULT,
                today=day,
            ),
        )
    assert exc.value.code == "notice_before_due"
