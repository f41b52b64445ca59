"""Bulk actions by sector and by buyer (the country scope is in ``test_tracking``), and the
four-eyes rule held by the database itself, not only by the service."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tests.builders.buyers import buyer
from tests.builders.limits import application, limit_in_force
from tests.builders.policies import active
from tests.conftest import Cast, Database
from tests.integration.limits.helpers import committed, counts
from tradecover.db.engine import transaction
from tradecover.limits.model import LimitApplication


def _limit(client: TestClient, cast: Cast, pol: int, n: int, sector: str) -> tuple[int, int]:
    made = limit_in_force(
        client,
        cast.exporter,
        policy_id=pol,
        name=f"Scope Buyer {n} Trading GmbH",
        sector=sector,
        registration_number=f"HRB 5{n:04d}",
        own_reference=f"S-{n}",
    )
    return made.buyer_id, made.limit_id


def test_bulk_cancel_by_sector_and_cut_by_buyer_touch_only_their_scope(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)["id"]
    steel_buyer, steel = _limit(app_client, cast, pol, 1, "metals")
    machine_buyer, machine = _limit(app_client, cast, pol, 2, "machinery")
    before = counts(db)
    r = app_client.post(
        "/api/v1/limits/bulk-actions",
        headers=cast.risk_manager.headers,
        json={"sector": "metals", "cancel": True, "reason": "steel tariffs"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"changed": [steel], "skipped": {}}
    assert committed(db, buyer_id=steel_buyer, country="DE") == (0, 4_000_000)
    after = counts(db)
    assert after["limit_notifications"] == before["limit_notifications"] + 1
    assert after["audit_entries"] == before["audit_entries"] + 2  # the cancellation, the action

    r = app_client.post(
        "/api/v1/limits/bulk-actions",
        headers=cast.risk_manager.headers,
        json={"buyer_id": machine_buyer, "cut_pct": "25", "reason": "late payments"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"changed": [machine], "skipped": {}}
    assert committed(db, buyer_id=machine_buyer, country="DE") == (3_000_000, 3_000_000)
    refused = app_client.post(
        "/api/v1/limits/bulk-actions",
        headers=cast.exporter.headers,
        json={"sector": "machinery", "cancel": True, "reason": "x"},
    )
    assert refused.status_code == 403


def test_the_database_refuses_one_person_as_maker_and_checker(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)["id"]
    b = buyer(app_client, cast.exporter)["buyer"]
    app = application(app_client, cast.exporter, policy_id=pol, buyer_id=b["id"], amount="300000")
    assert app["status"] == "pending"
    with pytest.raises(IntegrityError), transaction(db.factory) as s:
        s.execute(
            update(LimitApplication)
            .where(LimitApplication.id == app["id"])
            .values(maker_actor="user:7", checker_actor="user:7")
        )
    with transaction(db.factory) as s:  # two people are fine
        s.execute(
            update(LimitApplication)
            .where(LimitApplication.id == app["id"])
            .values(maker_actor="user:7", checker_actor="user:8")
        )


def test_a_large_limit_puts_its_buyer_on_the_watch_list(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    pol = active(app_client, cast)["id"]
    b = buyer(app_client, cast.exporter)["buyer"]
    small = buyer(
        app_client,
        cast.exporter,
        name="Klein Handel GmbH",
        registration_number="HRB 4242",
        own_reference="K-1",
    )["buyer"]
    application(app_client, cast.exporter, policy_id=pol, buyer_id=small["id"], amount="40000")
    r = app_client.put(
        f"/api/v1/buyers/{b['id']}/aggregate",
        headers=cast.risk_manager.headers,
        json={"amount": "8000000", "reason": "parent guarantee"},
    )
    assert r.status_code == 200, r.text
    app = application(app_client, cast.exporter, policy_id=pol, buyer_id=b["id"], amount="6000000")
    url = f"/api/v1/limit-applications/{app['id']}"
    first = app_client.post(
        f"{url}/decision",
        headers=cast.underwriter.headers,
        json={"outcome": "approved", "amount": "6000000", "reasons": ["underwriter_judgement"]},
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "pending_second_approval"
    assert (
        app_client.get("/api/v1/limits/watch-list", headers=cast.risk_manager.headers).json() == []
    )
    second = app_client.post(f"{url}/second-approval", headers=cast.admin.headers)
    assert second.status_code == 200, second.text
    watch = app_client.get("/api/v1/limits/watch-list", headers=cast.risk_manager.headers)
    assert watch.status_code == 200
    assert watch.json() == [
        {
            "buyer_id": b["id"],
            "largest": {"amount": "6000000.00", "currency": "USD"},
            "total": {"amount": "6000000.00", "currency": "USD"},
            "limits": 1,
            "reasons": ["large_single_limit"],
        }
    ]
    assert (
        app_client.get("/api/v1/limits/watch-list", headers=cast.exporter.headers).status_code
        == 403
    )
