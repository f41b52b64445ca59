"""The buyer registry through the API: matching, visibility, ratings, reviews, aggregates."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.buyers import buyer
from tests.conftest import Cast, Database
from tests.integration.limits.helpers import counts


def test_the_same_buyer_asked_for_by_two_exporters_is_one_record(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    first = buyer(app_client, cast.exporter, own_reference="ACME-7")
    assert (first["verdict"], first["created"]) == ("different", True)
    second = buyer(
        app_client, cast.other_exporter, name="MULLER MASCHINENBAU GMBH", own_reference="OTHER-1"
    )
    assert (second["verdict"], second["created"]) == ("same", False)
    assert second["buyer"]["id"] == first["buyer"]["id"]
    assert counts(db)["buyers"] == 1
    assert counts(db)["exporter_buyer_relationships"] == 2
    lists = [
        app_client.get("/api/v1/buyers", headers=a.headers).json()["total"]
        for a in (cast.exporter, cast.other_exporter, cast.underwriter)
    ]
    assert lists == [1, 1, 1]
    assert app_client.get("/api/v1/buyers", headers=cast.bank.headers).status_code == 403


def test_an_exporter_sees_only_buyers_it_trades_with(app_client: TestClient, cast: Cast) -> None:
    b = buyer(app_client, cast.exporter)["buyer"]
    assert (
        app_client.get(f"/api/v1/buyers/{b['id']}", headers=cast.other_exporter.headers).status_code
        == 404
    )
    assert (
        app_client.get(
            f"/api/v1/buyers/{b['id'] + 99}", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    assert (
        app_client.get("/api/v1/buyers", headers=cast.other_exporter.headers).json()["total"] == 0
    )
    assert (
        app_client.get(
            f"/api/v1/buyers/{b['id']}/ratings", headers=cast.exporter.headers
        ).status_code
        == 403
    )


def test_rating_shows_every_factor_and_sets_the_aggregate(
    app_client: TestClient, cast: Cast
) -> None:
    b = buyer(app_client, cast.exporter)["buyer"]
    ratings = app_client.get(
        f"/api/v1/buyers/{b['id']}/ratings", headers=cast.underwriter.headers
    ).json()
    assert len(ratings) == 1
    rating = ratings[0]
    assert rating["model_version"] == "buyer-rating-2026.1"
    assert rating["hard_stop"] is False
    factors = {c["factor"] for c in rating["contributions"]}
    assert {"country_class", "company_type", "size", "sector"} <= factors
    agg = app_client.get(
        f"/api/v1/buyers/{b['id']}/aggregate", headers=cast.underwriter.headers
    ).json()
    assert agg["override"] is None
    assert agg["aggregate"] == agg["suggested"]
    assert agg["committed"] == {"amount": "0.00", "currency": "USD"}
    refused = app_client.put(
        f"/api/v1/buyers/{b['id']}/aggregate",
        headers=cast.underwriter.headers,
        json={"amount": "100", "reason": "x"},
    )
    assert refused.status_code == 403
    r = app_client.put(
        f"/api/v1/buyers/{b['id']}/aggregate",
        headers=cast.risk_manager.headers,
        json={"amount": "750000", "reason": "group guarantee"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["aggregate"] == {"amount": "750000.00", "currency": "USD"}
    assert r.json()["override_reason"] == "group guarantee"
    # an adverse event re-rates the buyer at once: an insolvency filing is a hard stop
    r = app_client.put(
        f"/api/v1/buyers/{b['id']}/assessment",
        headers=cast.underwriter.headers,
        json={
            "sector": "machinery",
            "size": "large",
            "company_type": "listed",
            "adverse_events": ["insolvency_filing"],
            "reason": "court notice",
        },
    )
    assert r.status_code == 200, r.text
    latest = app_client.get(
        f"/api/v1/buyers/{b['id']}/ratings", headers=cast.underwriter.headers
    ).json()[0]
    assert (latest["grade"], latest["hard_stop"]) == (20, True)


def test_an_uncertain_match_waits_for_a_risk_manager(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    first = buyer(app_client, cast.exporter, registration_number=None)
    maybe = buyer(
        app_client,
        cast.other_exporter,
        name="Müller Maschinenbau Handels GmbH",
        registration_number=None,
    )
    assert (maybe["verdict"], maybe["created"]) == ("possible", True)
    queue = app_client.get("/api/v1/buyer-match-reviews", headers=cast.underwriter.headers)
    assert queue.status_code == 200
    [review] = queue.json()["items"]
    assert (review["buyer_id"], review["candidate_id"]) == (
        maybe["buyer"]["id"],
        first["buyer"]["id"],
    )
    url = f"/api/v1/buyer-match-reviews/{review['id']}/resolve"
    assert (
        app_client.post(
            url, headers=cast.underwriter.headers, json={"resolution": "merge"}
        ).status_code
        == 403
    )
    r = app_client.post(
        url,
        headers=cast.risk_manager.headers,
        json={"resolution": "merge", "note": "same register entry"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged"
    # the other exporter now sees the surviving record through its moved relationship
    assert (
        app_client.get(
            f"/api/v1/buyers/{first['buyer']['id']}", headers=cast.other_exporter.headers
        ).status_code
        == 200
    )
    before = counts(db)
    again = app_client.post(
        url, headers=cast.risk_manager.headers, json={"resolution": "keep_separate"}
    )
    assert again.status_code == 409
    assert counts(db) == before
