"""Many underwriters approving limits on one buyer at once never over-commit a shared cap.

Each trial registers a fresh buyer, files one application per policy (24 of them, each
above the automatic threshold), then fires every approval at the same moment (threads
behind a barrier), directly through the services and through HTTP.  Afterwards the total
committed on the buyer aggregate and in the country is within the cap, and exactly as many
approvals were accepted as fit.  Runs on SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import active
from tests.conftest import Cast, Database
from tests.integration.limits.helpers import committed
from tradecover import reporting
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import Conflict
from tradecover.kit.money import Money
from tradecover.limits import service
from tradecover.limits.model import CreditLimit
from tradecover.limits.request import DecisionOutcome

CLIENTS = 24
TRIALS = 3
AMOUNT = "100000"


def _fire(n: int, work: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(n)
    results: list[str] = [""] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def policies(app_client: TestClient, cast: Cast) -> list[dict[str, Any]]:
    return [active(app_client, cast) for _ in range(CLIENTS)]


def _trial_apps(
    client: TestClient, cast: Cast, policies: list[dict[str, Any]], trial: int, *, aggregate: str
) -> tuple[int, list[int]]:
    b = buyer(
        client,
        cast.exporter,
        name=f"Concurrent Buyer {trial} GmbH",
        registration_number=f"HRB 7{trial:04d}",
    )["buyer"]
    r = client.put(
        f"/api/v1/buyers/{b['id']}/aggregate",
        headers=cast.risk_manager.headers,
        json={"amount": aggregate, "reason": "concurrency trial"},
    )
    assert r.status_code == 200, r.text
    apps = [
        application(client, cast.exporter, policy_id=p["id"], buyer_id=b["id"], amount=AMOUNT)["id"]
        for p in policies
    ]
    return b["id"], apps


def _limits_on(db: Database, buyer_id: int) -> int:
    with db.factory() as s:
        return int(
            s.execute(
                select(func.count())
                .select_from(CreditLimit)
                .where(CreditLimit.buyer_id == buyer_id, CreditLimit.status == "active")
            ).scalar_one()
        )


@pytest.mark.parametrize("channel", ["service", "http"])
def test_concurrent_approvals_never_exceed_the_buyer_aggregate_or_country_cap(
    app_client: TestClient, cast: Cast, db: Database, policies: list[dict[str, Any]], channel: str
) -> None:
    secret = cast.underwriter.headers["X-API-Key"]
    rules = service.LimitRules()

    def by_service(app_id: int) -> str:
        try:
            with transaction(db.factory) as s:
                principal = access.principal_from_api_key(s, secret)
                service.decide(
                    s,
                    principal=principal,
                    application_id=app_id,
                    outcome=DecisionOutcome.APPROVED,
                    amount=Money.of(AMOUNT, "USD"),
                    reasons=[],
                    today=business_today(),
                    rules=rules,
                    read_context=reporting.limit_decision_context,
                )
            return "ok"
        except Conflict as exc:
            return exc.code

    def by_http(app_id: int) -> str:
        r = app_client.post(
            f"/api/v1/limit-applications/{app_id}/decision",
            headers=cast.underwriter.headers,
            json={"outcome": "approved", "amount": AMOUNT},
        )
        return "ok" if r.status_code == 200 else str(r.json().get("code"))

    work = by_service if channel == "service" else by_http
    country_committed = 0
    for trial in range(TRIALS):
        # odd trials: the country cap binds (room for 4 more); even: the aggregate (10)
        if trial % 2:
            cap = Decimal(country_committed) / 100 + 400_000
            r = app_client.put(
                "/api/v1/countries/DE",
                headers=cast.risk_manager.headers,
                json={
                    "exposure_cap_amount": str(cap),
                    "exposure_cap_currency": "USD",
                    "effective_from": business_today().isoformat(),
                    "reason": "concurrency trial",
                },
            )
            assert r.status_code == 200, r.text
            fits = 4
        else:
            r = app_client.put(
                "/api/v1/countries/DE",
                headers=cast.risk_manager.headers,
                json={
                    "remove_exposure_cap": True,
                    "effective_from": business_today().isoformat(),
                    "reason": "concurrency trial",
                },
            )
            assert r.status_code == 200, r.text
            fits = 10
        buyer_id, apps = _trial_apps(
            app_client, cast, policies, trial + 100 * len(channel), aggregate="1000000"
        )
        results = _fire(CLIENTS, lambda i, apps=apps: work(apps[i]))  # type: ignore[misc]
        accepted = results.count("ok")
        assert accepted == fits, results
        assert set(results) <= {"ok", "exceeds_room"}, results
        on_buyer, in_country = committed(db, buyer_id=buyer_id, country="DE")
        assert on_buyer == fits * 10_000_000
        assert on_buyer <= 100_000_000
        assert in_country == country_committed + fits * 10_000_000
        assert _limits_on(db, buyer_id) == fits
        country_committed = in_country
