"""The market over HTTP on both backends: the rule set, classification, declines and
routing; every refusal changes nothing [domain MK-6]..[domain MK-10].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import Cast, Database, make_org
from tradecover import access
from tradecover.access import OrganisationKind
from tradecover.audit.model import AuditEntry
from tradecover.cli.main import app
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.market.model import (
    MarketClassification,
    MarketDecline,
    MarketRouting,
    MarketRuleSet,
)
from tradecover.market.rules import shipped_rule_set_data

M = "/api/v1/market"


@dataclass(frozen=True)
class Market:
    """The market of a test: two commercial insurers and the platform's insurer as the
    insurer of last resort.
    """

    alpha: int
    beta: int
    state: int


@pytest.fixture
def market(db: Database, cast: Cast, app_client: TestClient) -> Market:
    with transaction(db.factory) as s:
        alpha = make_org(s, slug="alpha-credit", kind=OrganisationKind.COINSURER, region=None)
        beta = make_org(s, slug="beta-cover", kind=OrganisationKind.COINSURER, region=None)
        state = access.insurer(s).id
    for org_id, last in ((alpha, False), (beta, False), (state, True)):
        answer = app_client.post(
            f"{M}/insurers",
            json={"org_id": org_id, "last_resort": last},
            headers=cast.admin.headers,
        )
        assert answer.status_code == 201, answer.text
    return Market(alpha, beta, state)


def _classify(client: TestClient, cast: Cast, **changes: Any) -> dict[str, Any]:
    body = {
        "exporter_org_id": cast.exporter.org_id,
        "subject_kind": "policy_application",
        "subject_id": 41,
        "buyer_country": "DE",
        "risk_period_days": 180,
        "risk_types": ["commercial", "political"],
        "export_turnover": "5000000.00",
        "turnover_currency": "EUR",
        **changes,
    }
    answer = client.post(f"{M}/classifications", json=body, headers=cast.underwriter.headers)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _counts(db: Database) -> tuple[int, ...]:
    with db.factory() as s:
        return tuple(
            s.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (
                MarketClassification,
                MarketDecline,
                MarketRouting,
                MarketRuleSet,
                AuditEntry,
            )
        )


def _decline(client: TestClient, cast: Cast, cid: int, insurer: int, days_ago: int = 0) -> Any:
    return client.post(
        f"{M}/declines",
        json={
            "classification_id": cid,
            "insurer_org_id": insurer,
            "declined_on": (business_today() - timedelta(days=days_ago)).isoformat(),
            "reason": "country capacity full",
        },
        headers=cast.underwriter.headers,
    )


def _route(client: TestClient, cast: Cast, cid: int, insurer: int) -> Any:
    return client.post(
        f"{M}/routings",
        json={"classification_id": cid, "insurer_org_id": insurer},
        headers=cast.underwriter.headers,
    )


def test_classify_stores_the_rule_version_and_citation(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    # [domain MK-1] [domain MK-6]
    got = _classify(app_client, cast)
    assert (got["outcome"], got["rule_id"], got["rule_domain"], got["rule_set_version"]) == (
        "marketable",
        "EU-STEC-MARKETABLE",
        "MK-1",
        1,
    )
    small = _classify(app_client, cast, export_turnover="2000000.00")
    assert (small["outcome"], small["rule_id"]) == ("non_marketable", "EU-STEC-SME")
    with db.factory() as s:
        entry = s.execute(
            select(AuditEntry).where(
                AuditEntry.action == "market.classified", AuditEntry.entity_id == str(got["id"])
            )
        ).scalar_one()
    assert entry.org_id == cast.exporter.org_id
    assert entry.actor == "apikey:2"
    assert entry.after["outcome"] == "marketable"
    assert entry.after["citation"] == got["citation"]
    listed = app_client.get(f"{M}/classifications", headers=cast.risk_manager.headers).json()
    assert [c["id"] for c in listed] == [small["id"], got["id"]]


def test_marketable_risk_reaches_the_state_insurer_only_after_the_market_declined(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    # [domain MK-8] [domain MK-10]
    cid = _classify(app_client, cast)["id"]
    # the market may have declined before the state insurer classified the risk
    assert _decline(app_client, cast, cid, market.alpha, days_ago=3).status_code == 201
    before = _counts(db)
    refused = _route(app_client, cast, cid, market.state)
    assert refused.status_code == 422
    assert refused.json()["code"] == "market_declines_missing"
    assert refused.json()["detail"].endswith(f"missing declines of organisations {market.beta}")
    assert _counts(db) == before  # the refusal changes nothing

    assert _decline(app_client, cast, cid, market.beta).status_code == 201
    routed = _route(app_client, cast, cid, market.state)
    assert routed.status_code == 201, routed.text
    assert (routed.json()["insurer_org_id"], routed.json()["basis"]) == (
        market.state,
        "market_declined",
    )
    detail = app_client.get(f"{M}/classifications/{cid}", headers=cast.underwriter.headers).json()
    assert [d["insurer_org_id"] for d in detail["declines"]] == [market.alpha, market.beta]
    assert detail["declines"][0]["reason"] == "country capacity full"
    assert (
        detail["declines"][0]["declined_on"] == (business_today() - timedelta(days=3)).isoformat()
    )
    assert detail["routing"]["basis"] == "market_declined"
    again = _route(app_client, cast, cid, market.alpha)
    assert (again.status_code, again.json()["code"]) == (409, "already_routed")


def test_marketable_risk_goes_to_a_commercial_insurer_and_non_marketable_to_the_state(
    app_client: TestClient, cast: Cast, market: Market
) -> None:
    # [domain MK-8] [domain MK-9]
    marketable = _classify(app_client, cast)["id"]
    routed = _route(app_client, cast, marketable, market.alpha)
    assert (routed.status_code, routed.json()["basis"]) == (201, "commercial_insurer")
    chinese = _classify(app_client, cast, buyer_country="CN")
    assert (chinese["outcome"], chinese["rule_id"]) == ("non_marketable", "EU-STEC-COUNTRIES")
    routed = _route(app_client, cast, chinese["id"], market.state)
    assert (routed.status_code, routed.json()["basis"]) == (201, "non_marketable")


def test_bad_declines_and_routings_change_nothing(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    cid = _classify(app_client, cast)["id"]
    before = _counts(db)
    state = _decline(app_client, cast, cid, market.state)
    assert (state.status_code, state.json()["code"]) == (422, "not_a_commercial_insurer")
    future = app_client.post(
        f"{M}/declines",
        json={
            "classification_id": cid,
            "insurer_org_id": market.alpha,
            "declined_on": (business_today() + timedelta(days=1)).isoformat(),
            "reason": "no",
        },
        headers=cast.underwriter.headers,
    )
    assert (future.status_code, future.json()["code"]) == (422, "date_in_future")
    assert _counts(db) == before
    assert _decline(app_client, cast, cid, market.alpha).status_code == 201
    before = _counts(db)
    again = _decline(app_client, cast, cid, market.alpha)
    assert (again.status_code, again.json()["code"]) == (409, "decline_recorded")
    stranger = _route(app_client, cast, cid, cast.other_exporter.org_id)
    assert (stranger.status_code, stranger.json()["code"]) == (422, "not_a_market_insurer")
    exporter = app_client.post(
        f"{M}/routings",
        json={"classification_id": cid, "insurer_org_id": market.alpha},
        headers=cast.exporter.headers,
    )
    assert exporter.status_code == 403
    missing = _route(app_client, cast, 999_999, market.alpha)
    assert (missing.status_code, missing.json()["code"]) == (404, "classification_not_found")
    assert _counts(db) == before


def test_an_admin_replaces_the_rule_set_and_later_classifications_use_it(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    # [domain MK-4] [domain MK-6]: declare Greece temporarily non-marketable
    data = shipped_rule_set_data()
    del data["version"], data["source"]
    data["rules"][2]["countries"] = ["GR"]
    before = _counts(db)
    underwriter = app_client.put(f"{M}/rule-set", json=data, headers=cast.underwriter.headers)
    assert underwriter.status_code == 403
    bad = dict(data, rules=data["rules"][:-1])
    refused = app_client.put(f"{M}/rule-set", json=bad, headers=cast.admin.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_rule_set")
    assert _counts(db) == before
    answer = app_client.put(f"{M}/rule-set", json=data, headers=cast.admin.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 2
    assert answer.json()["rules"][2]["countries"] == ["GR"]
    greek = _classify(app_client, cast, buyer_country="GR")
    assert (greek["outcome"], greek["rule_id"], greek["rule_set_version"]) == (
        "non_marketable",
        "EU-STEC-TEMPORARY",
        2,
    )
    shown = app_client.get(f"{M}/rule-set", headers=cast.underwriter.headers).json()
    assert shown["version"] == 2


def test_a_second_last_resort_is_refused(app_client: TestClient, cast: Cast, db: Database) -> None:
    # [domain MK-7]
    with transaction(db.factory) as s:
        alpha = make_org(s, slug="alpha-credit", kind=OrganisationKind.COINSURER, region=None)
        state = access.insurer(s).id
    first = app_client.post(
        f"{M}/insurers", json={"org_id": state, "last_resort": True}, headers=cast.admin.headers
    )
    assert first.status_code == 201
    second = app_client.post(
        f"{M}/insurers", json={"org_id": alpha, "last_resort": True}, headers=cast.admin.headers
    )
    assert (second.status_code, second.json()["code"]) == (409, "last_resort_registered")
    exporter = app_client.post(
        f"{M}/insurers",
        json={"org_id": cast.exporter.org_id, "last_resort": False},
        headers=cast.admin.headers,
    )
    assert (exporter.status_code, exporter.json()["code"]) == (422, "not_an_insurer")
    listed = app_client.get(f"{M}/insurers", headers=cast.underwriter.headers).json()
    assert [(i["org_id"], i["last_resort"]) for i in listed] == [(state, True)]


def test_cli_rules_and_classify(db: Database, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        rules = runner.invoke(app, ["market", "rules"])
        assert rules.exit_code == 0, rules.output
        assert "EU short-term export credit (2012/C 392/01 as amended), version 1" in rules.output
        assert "EU-STEC-SME" in rules.output
        result = runner.invoke(
            app,
            [
                "market",
                "classify",
                "--exporter",
                "acme-exports",
                "--subject-kind",
                "limit_application",
                "--subject-id",
                "9",
                "--country",
                "kr",
                "--days",
                "90",
                "--turnover",
                "9000000",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "non_marketable by EU-STEC-COUNTRIES [MK-3]" in result.output
        with db.factory() as s:
            row = s.execute(select(MarketClassification)).scalar_one()
        assert (row.buyer_country, row.subject_kind, row.decided_by) == (
            "KR",
            "limit_application",
            "system:cli",
        )
    finally:
        get_settings.cache_clear()
