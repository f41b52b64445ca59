"""The insurer's side of limits: reduce and cancel with notice, bulk cuts, watch list,
the idle-limit job and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.builders.limits import limit_in_force
from tests.builders.policies import active
from tests.conftest import Cast, Database
from tests.integration.limits.helpers import committed, counts
from tradecover.audit.model import AuditEntry
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.kit.dates import business_today
from tradecover.limits.model import CreditLimit, CreditLimitVersion


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _limit(
    client: TestClient, cast: Cast, amount: str = "40000", **buyer_over: str
) -> tuple[dict[str, object], int, int]:
    pol = active(client, cast)
    made = limit_in_force(client, cast.exporter, policy_id=pol["id"], amount=amount, **buyer_over)
    return made.application, made.buyer_id, made.limit_id


def test_insurer_reduces_the_exporter_is_notified_and_acknowledges(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    _, buyer_id, limit_id = _limit(app_client, cast)
    refused = app_client.post(
        f"/api/v1/limits/{limit_id}/reduce",
        headers=cast.exporter.headers,
        json={"amount": "10000", "reason": "mine"},
    )
    assert refused.status_code == 403
    r = app_client.post(
        f"/api/v1/limits/{limit_id}/reduce",
        headers=cast.underwriter.headers,
        json={"amount": "25000", "reason": "payment delays"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["amount"] == {"amount": "25000.00", "currency": "USD"}
    assert committed(db, buyer_id=buyer_id, country="DE") == (2_500_000, 2_500_000)
    versions = app_client.get(
        f"/api/v1/limits/{limit_id}/versions", headers=cast.exporter.headers
    ).json()
    assert [(v["number"], v["kind"], v["amount"]["amount"], v["reason"]) for v in versions] == [
        (1, "new_limit", "40000.00", "auto_rule"),
        (2, "reduction", "25000.00", "payment delays"),
    ]
    notes = app_client.get(
        "/api/v1/limit-notifications?unacknowledged=true", headers=cast.exporter.headers
    ).json()
    assert notes["total"] == 1
    note = notes["items"][0]
    assert (note["limit_id"], note["kind"]) == (limit_id, "reduced")
    assert note["message"] == (
        f"Your credit limit {limit_id} on Müller Maschinenbau GmbH is reduced to 25000.00 USD"
        f" from {business_today().isoformat()}: payment delays"
    )
    assert (
        app_client.get("/api/v1/limit-notifications", headers=cast.other_exporter.headers).json()[
            "total"
        ]
        == 0
    )
    assert (
        app_client.post(
            f"/api/v1/limit-notifications/{note['id']}/acknowledge",
            headers=cast.other_exporter.headers,
        ).status_code
        == 404
    )
    ack = app_client.post(
        f"/api/v1/limit-notifications/{note['id']}/acknowledge", headers=cast.exporter.headers
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["acknowledged_at"] is not None
    again = app_client.post(
        f"/api/v1/limit-notifications/{note['id']}/acknowledge", headers=cast.exporter.headers
    )
    assert again.status_code == 409
    cancel = app_client.post(
        f"/api/v1/limits/{limit_id}/cancel",
        headers=cast.underwriter.headers,
        json={"reason": "insolvency"},
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] == "cancelled"
    assert committed(db, buyer_id=buyer_id, country="DE") == (0, 0)
    use = app_client.get(f"/api/v1/limits/{limit_id}/utilisation", headers=cast.exporter.headers)
    assert use.status_code == 409


def test_utilisation_of_a_fresh_limit(app_client: TestClient, cast: Cast) -> None:
    _, _, limit_id = _limit(app_client, cast)
    r = app_client.get(f"/api/v1/limits/{limit_id}/utilisation", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "limit_id": limit_id,
        "approved": {"amount": "40000.00", "currency": "USD"},
        "outstanding": {"amount": "0.00", "currency": "USD"},
        "available": {"amount": "40000.00", "currency": "USD"},
        "rate": "0",
    }


def test_bulk_cut_on_a_country_writes_versions_notices_and_audit(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    _, buyer_id, limit_id = _limit(app_client, cast)
    before = counts(db)
    r = app_client.post(
        "/api/v1/limits/bulk-actions",
        headers=cast.risk_manager.headers,
        json={"country": "DE", "cut_pct": "30", "reason": "tariff shock"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"changed": [limit_id], "skipped": {}}
    after = counts(db)
    assert after["credit_limit_versions"] == before["credit_limit_versions"] + 1
    assert after["limit_notifications"] == before["limit_notifications"] + 1
    assert after["audit_entries"] == before["audit_entries"] + 2  # the cut, the action
    assert committed(db, buyer_id=buyer_id, country="DE") == (2_800_000, 2_800_000)
    bad = app_client.post(
        "/api/v1/limits/bulk-actions",
        headers=cast.risk_manager.headers,
        json={"country": "DE", "buyer_id": buyer_id, "cancel": True, "reason": "x"},
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_scope"
    assert counts(db) == after
    watch = app_client.get("/api/v1/limits/watch-list", headers=cast.risk_manager.headers)
    assert watch.status_code == 200 and watch.json() == []


def test_idle_job_revokes_unused_limits_once(
    app_client: TestClient, cast: Cast, db: Database, cli: CliRunner
) -> None:
    _, buyer_id, limit_id = _limit(app_client, cast)
    with db.factory() as s, s.begin():
        s.execute(update(CreditLimit).values(effective_from=business_today() - timedelta(days=200)))
    result = cli.invoke(cli_app, ["limits", "revoke-idle"])
    assert result.exit_code == 0, result.output
    assert "1 limits revoked" in result.output
    with db.factory() as s:
        assert s.execute(select(CreditLimit.status)).scalar_one() == "cancelled"
        assert s.execute(
            select(AuditEntry.action).where(AuditEntry.action == "limit.cancellation")
        ).scalars().all() == ["limit.cancellation"]
    assert committed(db, buyer_id=buyer_id, country="DE") == (0, 0)
    again = cli.invoke(cli_app, ["limits", "revoke-idle"])
    assert "0 limits revoked" in again.output
    history = cli.invoke(cli_app, ["limits", "history", str(limit_id)])
    assert history.exit_code == 0 and "cancellation" in history.output
    with db.factory() as s:
        reasons = s.execute(
            select(CreditLimitVersion.reason)
            .where(CreditLimitVersion.limit_id == limit_id)
            .order_by(CreditLimitVersion.number)
        )
        assert list(reasons.scalars()) == ["auto_rule", "unused for 180 days"]
