"""Underwriting consults the market, over HTTP on both backends [domain MK-11]: the insurer
of last resort underwrites and issues a marketable risk only once every commercial insurer
declined it; a refusal writes nothing; the insurer a policy was issued for is recorded and
shown to the exporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.policies import apply, schedule_body
from tests.conftest import Cast, Database, make_org
from tests.integration.market.test_market_api import M, _classify, _decline, _route
from tradecover import access
from tradecover.access import OrganisationKind
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.market.model import MarketPolicyIssuer
from tradecover.policies.model import Policy, PolicyApplication


@dataclass(frozen=True)
class Market:
    """Two commercial insurers and the platform's insurer as the insurer of last resort."""

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


def _underwrite(client: TestClient, cast: Cast, app_id: int) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/underwrite",
        json={"inception": business_today().isoformat(), "schedule": schedule_body()},
        headers=cast.underwriter.headers,
    )


def _counts(db: Database) -> tuple[int, ...]:
    with db.factory() as s:
        return (
            *(
                s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (Policy, MarketPolicyIssuer, AuditEntry)
            ),
            s.execute(
                select(func.count()).where(PolicyApplication.status == "submitted")
            ).scalar_one(),
            s.execute(select(func.count()).where(Policy.number.is_not(None))).scalar_one(),
        )


def _issue(client: TestClient, cast: Cast, policy_id: int) -> Any:
    r = client.post(f"/api/v1/policies/{policy_id}/quote", headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    return client.post(f"/api/v1/policies/{policy_id}/issue", headers=cast.exporter.headers)


def test_the_state_insurer_underwrites_a_marketable_risk_only_after_every_decline(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    # [domain MK-11] [domain MK-8]
    app = apply(app_client, cast.exporter)
    before = _counts(db)
    r = _underwrite(app_client, cast, app["id"])
    assert (r.status_code, r.json()["code"]) == (422, "market_classification_missing")
    assert _counts(db) == before
    cid = _classify(app_client, cast, subject_id=app["id"])["id"]
    before = _counts(db)
    r = _underwrite(app_client, cast, app["id"])
    assert (r.status_code, r.json()["code"]) == (422, "market_declines_missing")
    assert r.json()["detail"].endswith(f"organisations {market.alpha}, {market.beta}")
    assert _counts(db) == before  # nothing written: no draft, the application still open
    assert _decline(app_client, cast, cid, market.alpha).status_code == 201
    before = _counts(db)
    r = _underwrite(app_client, cast, app["id"])
    assert r.status_code == 422
    assert r.json()["detail"].endswith(f"organisations {market.beta}")
    assert _counts(db) == before
    assert _decline(app_client, cast, cid, market.beta).status_code == 201
    r = _underwrite(app_client, cast, app["id"])
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = _issue(app_client, cast, pid)
    assert r.status_code == 200, r.text
    with db.factory() as s:
        issued = s.execute(select(MarketPolicyIssuer)).scalar_one()
        assert (issued.policy_id, issued.insurer_org_id, issued.basis) == (
            pid,
            market.state,
            "market_declined",
        )
        assert issued.classification_id == cid
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "market.policy_issuer")
        ).scalar_one()
        assert (entry.org_id, entry.after["basis"]) == (cast.exporter.org_id, "market_declined")
    view = app_client.get(f"{M}/policies/{pid}/insurers", headers=cast.exporter.headers).json()
    assert (view["issuer_org_id"], view["issuer_basis"], view["double_insurance"]) == (
        market.state,
        "market_declined",
        False,
    )


def test_issue_checks_again_and_a_refusal_leaves_the_quote_as_it_was(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    # [domain MK-11] [domain MK-9]: a non-marketable risk needs no decline
    app = apply(app_client, cast.exporter)
    _classify(app_client, cast, subject_id=app["id"], buyer_country="CN")
    r = _underwrite(app_client, cast, app["id"])
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    # the risk is classified again (now marketable) before the exporter accepts
    _classify(app_client, cast, subject_id=app["id"], buyer_country="FR")
    r = app_client.post(f"/api/v1/policies/{pid}/quote", headers=cast.underwriter.headers)
    assert r.status_code == 200
    before = _counts(db)
    r = app_client.post(f"/api/v1/policies/{pid}/issue", headers=cast.exporter.headers)
    assert (r.status_code, r.json()["code"]) == (422, "market_declines_missing")
    assert _counts(db) == before
    policy = app_client.get(f"/api/v1/policies/{pid}", headers=cast.exporter.headers).json()
    assert (policy["state"], policy["number"]) == ("quoted", None)


def test_a_risk_routed_to_a_commercial_insurer_is_issued_for_it(
    app_client: TestClient, cast: Cast, db: Database, market: Market
) -> None:
    # [domain MK-11] [domain MK-8]: any risk may go to a commercial insurer
    app = apply(app_client, cast.exporter)
    cid = _classify(app_client, cast, subject_id=app["id"])["id"]
    assert _route(app_client, cast, cid, market.alpha).status_code == 201
    r = _underwrite(app_client, cast, app["id"])
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert _issue(app_client, cast, pid).status_code == 200
    view = app_client.get(f"{M}/policies/{pid}/insurers", headers=cast.exporter.headers).json()
    assert (view["issuer_org_id"], view["issuer_name"], view["issuer_basis"]) == (
        market.alpha,
        view["issuer_name"],
        "commercial_insurer",
    )
    assert view["issuer_name"]
    # another exporter's policy answers 404
    r = app_client.get(f"{M}/policies/{pid}/insurers", headers=cast.other_exporter.headers)
    assert r.status_code == 404


def test_without_a_market_underwriting_is_unchanged(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    # no insurer of last resort registered: nothing to check, nothing recorded
    app = apply(app_client, cast.exporter)
    r = _underwrite(app_client, cast, app["id"])
    assert r.status_code == 201, r.text
    assert _issue(app_client, cast, r.json()["id"]).status_code == 200
    with db.factory() as s:
        assert s.execute(select(func.count()).select_from(MarketPolicyIssuer)).scalar_one() == 0
