"""Omissions (customs exports in scope with no declaration) and the whole-turnover share
computed from customs data, through the API and the CLI; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.builders.declarations import World
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import TODAY, connect_source, customs_record, erp_event
from tests.integration.feeds.test_reconcile import EXITED, SHIPPED, _receive
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.feeds.stream.envelope import FeedSource
from tradecover.policies.model import Policy

START = (TODAY - timedelta(days=40)).isoformat()
ARGS = ["feeds", "omissions", "--turnover", "--start", START]


def _book(db: Database, cast: Cast, policy_id: int) -> None:
    with transaction(db.factory) as session:
        policy = session.get(Policy, policy_id)
        assert policy is not None
        policy.scope = {**policy.scope, "destination_countries": ["DE", "FR"]}
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    _receive(db, cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED, amount="1000.00"))
    _receive(db, cast, FeedSource.CUSTOMS, customs_record("MRN1", invoice="INV-S1", exited=EXITED))
    _receive(db, cast, FeedSource.CUSTOMS, customs_record("MRN2", value="70000.00", exited=EXITED))
    _receive(  # a country the policy does not cover is out of scope
        db,
        cast,
        FeedSource.CUSTOMS,
        customs_record("MRN3", value="500.00", exited=EXITED).replace(b'"DE"', b'"KP"'),
    )


def test_a_customs_export_with_no_declaration_is_an_omission(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    _book(db, cast, covered.policy_id)
    answer = app_client.get(
        "/api/v1/feeds/omissions", params={"start": START}, headers=cast.exporter.headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [i["declaration_number"] for i in body["items"]] == ["MRN2"]
    assert body["items"][0]["shipped"] == EXITED.isoformat()
    (month,) = body["months"]
    assert (month["count"], Decimal(month["amount"]), month["currency"]) == (
        1,
        Decimal("70000.00"),
        "USD",
    )
    assert month["policy_id"] == covered.policy_id


def test_the_declared_share_of_what_customs_saw_exported(
    app_client: TestClient, db: Database, cast: Cast, covered: World
) -> None:
    _book(db, cast, covered.policy_id)
    answer = app_client.get(
        "/api/v1/feeds/turnover", params={"start": START}, headers=cast.exporter.headers
    )
    assert answer.status_code == 200, answer.text
    months = answer.json()
    exported = sum(Decimal(m["customs_exported"]) for m in months)
    declared = sum(Decimal(m["declared"]) for m in months)
    assert (exported, declared) == (Decimal("71000.00"), Decimal("1000.00"))
    assert sum(m["omitted"] for m in months) == 1
    assert all(m["returned"] is None for m in months)
    share = next(m["share"] for m in months if m["customs_records"])
    assert Decimal(share) == Decimal("0.0141")


def test_bad_periods_and_other_exporters_are_refused(
    app_client: TestClient, cast: Cast, covered: World
) -> None:
    backwards = app_client.get(
        "/api/v1/feeds/omissions",
        params={"start": TODAY.isoformat(), "end": START},
        headers=cast.exporter.headers,
    )
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "period_invalid"
    other = app_client.get(
        "/api/v1/feeds/turnover",
        params={"exporter_org_id": cast.exporter.org_id + 100},
        headers=cast.exporter.headers,
    )
    assert other.status_code == 404


def test_the_cli_lists_omissions_per_month(
    db: Database, cast: Cast, covered: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _book(db, cast, covered.policy_id)
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli_app,
            [*ARGS, "--exporter", cast.exporter.org_slug],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "70,000.00 USD" in result.output
    assert "1.41%" in result.output
