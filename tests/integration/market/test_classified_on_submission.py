"""A policy application is classified as it is submitted, when the market has an insurer of
last resort [domain MK-16]: recorded and audited by the submitter, so the insurer of last
resort's underwriting finds it; nothing is classified on a platform without one, nor an
application the rule set cannot classify (a turnover in another currency)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.policies import apply, schedule_body
from tests.conftest import Cast, Database
from tests.integration.market.test_underwriting_routing import market  # noqa: F401  (fixture)
from tradecover.audit.model import AuditEntry
from tradecover.kit.dates import business_today
from tradecover.market.model import MarketClassification
from tradecover.policies.model import PolicyApplication

EUR = {"currency": "EUR", "expected_turnover": "5000000"}


def _underwrite(client: TestClient, cast: Cast, app_id: int, terms: dict[str, str] = EUR) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/underwrite",
        json={"inception": business_today().isoformat(), "schedule": schedule_body(**terms)},
        headers=cast.underwriter.headers,
    )


def _classifications(db: Database, app_id: int) -> list[MarketClassification]:
    with db.factory() as s:
        return list(
            s.execute(
                select(MarketClassification).where(
                    MarketClassification.subject_kind == "policy_application",
                    MarketClassification.subject_id == app_id,
                )
            ).scalars()
        )


@pytest.mark.usefixtures("market")
def test_a_marketable_application_carries_its_classification_from_the_start(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    app = apply(app_client, cast.exporter, destination_countries=["DE", "FR"], **EUR)
    [row] = _classifications(db, app["id"])
    assert (row.outcome, row.rule_id, row.buyer_country, row.risk_period_days) == (
        "marketable",
        "EU-STEC-MARKETABLE",
        "DE",
        120,
    )
    with db.factory() as s:
        submitter = s.get(PolicyApplication, app["id"])
        assert submitter is not None and row.decided_by == submitter.submitted_by
    assert row.exporter_org_id == cast.exporter.org_id
    assert sorted(row.risk_types) == ["commercial", "political"]
    with db.factory() as s:
        entry = s.execute(
            select(AuditEntry).where(
                AuditEntry.action == "market.classified", AuditEntry.entity_id == str(row.id)
            )
        ).scalar_one()
    assert entry.reason is not None and entry.reason.startswith("on submission: EU-STEC-")
    assert entry.org_id == cast.exporter.org_id
    r = _underwrite(app_client, cast, app["id"])  # classified: now the declines are missing
    assert (r.status_code, r.json()["code"]) == (422, "market_declines_missing")


@pytest.mark.usefixtures("market")
def test_one_non_marketable_destination_lets_the_last_resort_underwrite_at_once(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    app = apply(app_client, cast.exporter, destination_countries=["DE", "CN"], **EUR)
    [row] = _classifications(db, app["id"])
    assert (row.outcome, row.buyer_country) == ("non_marketable", "CN")
    r = _underwrite(app_client, cast, app["id"])
    assert r.status_code == 201, r.text


@pytest.mark.usefixtures("market")
def test_an_application_the_rules_cannot_classify_stays_unclassified(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    app = apply(app_client, cast.exporter)  # turnover in USD: the EUR rule does not apply
    assert _classifications(db, app["id"]) == []
    r = _underwrite(app_client, cast, app["id"], {})
    assert (r.status_code, r.json()["code"]) == (422, "market_classification_missing")


def test_nothing_is_classified_without_an_insurer_of_last_resort(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    app = apply(app_client, cast.exporter, destination_countries=["DE"], **EUR)
    assert _classifications(db, app["id"]) == []
