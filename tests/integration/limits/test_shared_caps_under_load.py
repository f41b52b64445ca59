"""Concurrent limit decisions on many buyers never push one country cap over.

``test_concurrency.py`` races approvals on one buyer (the buyer aggregate binds); here the
country cap binds: one application on each of 16 buyers in one country, all approved at
the same moment (threads released by one barrier), directly through the service and
through HTTP, on SQLite and on PostgreSQL, over several trials.  Afterwards the committed
amount equals the sum of the limits in force, never exceeds the cap, and exactly as many
approvals were accepted as fit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.builders.buyers import register_buyer
from tests.conftest import Cast, Database
from tests.integration.limits.caps_book import (
    apply,
    committed,
    insureds,
    limits_total,
    set_country_cap,
)
from tradecover import reporting
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.kit.money import Money
from tradecover.limits import service
from tradecover.limits.request import DecisionOutcome, ReasonCode

CLIENTS = 16
TRIALS = 3
EACH = "100000"  # USD per application: above the automatic threshold, below four eyes
CAP = "1000000"  # room for exactly 10 of them
FITS = 10


def _race(count: int, work: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        barrier.wait()
        try:
            result = work(n)
        except DomainError as error:
            result = error.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _decide_direct(db: Database, app_id: int) -> str:
    with transaction(db.factory) as s:
        p = access.system_principal(s, actor="system:underwriter")
        service.decide(
            s,
            principal=p,
            application_id=app_id,
            outcome=DecisionOutcome.APPROVED,
            amount=Money.of(EACH, "USD"),
            reasons=[ReasonCode.UNDERWRITER_JUDGEMENT],
            today=business_today(),
            rules=service.LimitRules(),
            read_context=reporting.limit_decision_context,
        )
    return "ok"


def _decide_http(client: TestClient, cast: Cast, app_id: int) -> str:
    r = client.post(
        f"/api/v1/limit-applications/{app_id}/decision",
        headers=cast.underwriter.headers,
        json={"outcome": "approved", "amount": EACH, "reasons": []},
    )
    if r.status_code == 200:
        return "ok"
    assert r.status_code == 409, r.text  # a refusal is a problem response, never a 500
    return str(r.json()["code"])


@pytest.mark.parametrize("via", ["service", "http"])
def test_one_country_cap_is_never_over_committed(
    app_client: TestClient, cast: Cast, db: Database, via: str
) -> None:
    insured = insureds(app_client, cast, db, 1)[0]
    for trial, country in enumerate(("DE", "FR", "NL")):
        set_country_cap(app_client, cast, country, CAP)
        app_ids = []
        for n in range(CLIENTS):
            buyer_id = register_buyer(
                app_client,
                insured.actor,
                country=country,
                name=f"Buyer {trial}-{n:02d} Industrie",
                tax_id=f"{country}-{trial}-{n}",
            )
            app_ids.append(apply(app_client, insured, buyer_id, EACH)["id"])

        def work(n: int, app_ids: list[int] = app_ids) -> str:
            if via == "service":
                return _decide_direct(db, app_ids[n])
            return _decide_http(app_client, cast, app_ids[n])

        outcomes = _race(CLIENTS, work)
        assert outcomes.count("ok") == FITS, outcomes
        assert sorted(set(outcomes) - {"ok"}) == ["exceeds_room"]
        assert limits_total(db, country=country) == (FITS, 10_000_000 * FITS)
        assert committed(db, country=country) == 10_000_000 * FITS
