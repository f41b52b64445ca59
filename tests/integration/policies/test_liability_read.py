"""Which shipments a policy still carries, read through the API and the CLI ([002] 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.builders.policies import active
from tests.conftest import Cast, Database
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.kit.dates import business_today

TODAY = business_today()


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cancellation_then_rescission_as_the_api_and_cli_read_them(
    app_client: TestClient, cast: Cast, cli: CliRunner
) -> None:
    inception = TODAY - timedelta(days=30)
    policy = active(app_client, cast, inception=inception)
    pid = policy["id"]

    def read(shipped: str) -> dict[str, object]:
        r = app_client.get(
            f"/api/v1/policies/{pid}/liability",
            params={"shipment_date": shipped},
            headers=cast.exporter.headers,
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    cancel_on = TODAY + timedelta(days=10)
    r = app_client.post(
        f"/api/v1/policies/{pid}/terminate",
        headers=cast.exporter.headers,
        json={
            "kind": "insured_cancellation",
            "reason": "closing the export business",
            "effective_date": cancel_on.isoformat(),
        },
    )
    assert (r.status_code, r.json()["state"]) == (200, "active"), r.text
    before = read((cancel_on - timedelta(days=1)).isoformat())
    assert (before["keeps_cover"], before["rule"]) == (True, "cancelled")
    after = read(cancel_on.isoformat())
    assert (after["keeps_cover"], after["rule"], after["compared"]) == (
        False,
        "cancelled",
        {"shipment_date": cancel_on.isoformat(), "cancellation_effective": cancel_on.isoformat()},
    )
    r = app_client.post(
        f"/api/v1/policies/{pid}/terminate",
        headers=cast.finance.headers,
        json={"kind": "rescission_for_fraud", "reason": "forged shipping documents"},
    )
    assert (r.status_code, r.json()["state"]) == (200, "rescinded"), r.text
    gone = read(inception.isoformat())
    assert (gone["keeps_cover"], gone["rule"]) == (False, "rescinded_for_fraud")
    assert gone["compared"] == {
        "shipment_date": inception.isoformat(),
        "inception": inception.isoformat(),
        "rescinded_on": TODAY.isoformat(),
    }
    assert (
        app_client.get(
            f"/api/v1/policies/{pid}/liability",
            params={"shipment_date": TODAY.isoformat()},
            headers=cast.other_exporter.headers,
        ).status_code
        == 404
    )
    bad = app_client.get(
        f"/api/v1/policies/{pid}/liability",
        params={"shipment_date": "yesterday"},
        headers=cast.exporter.headers,
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "query.shipment_date")
    result = cli.invoke(
        app, ["policies", "liability", str(pid), "--shipment-date", inception.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()) == (
        f"policy {r.json()['number']}, shipment of {inception.isoformat()}: not covered "
        f"(rescinded_for_fraud): the policy was rescinded for fraud on {TODAY.isoformat()}: "
        f"all liability under it ended, back to inception {inception.isoformat()}; "
        f"shipment of {inception.isoformat()} is not covered"
    )
