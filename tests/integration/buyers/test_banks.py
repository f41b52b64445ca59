"""Banks in the registry: registered like buyers, rated on rank, assets, capital adequacy
and history, with an aggregate limit for letters of credit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast


def test_a_bank_is_rated_on_rank_assets_capital_and_history(
    app_client: TestClient, cast: Cast
) -> None:
    r = app_client.post(
        "/api/v1/buyers",
        headers=cast.exporter.headers,
        json={
            "kind": "bank",
            "name": "Hanse Handelsbank AG",
            "country": "DE",
            "registration_number": "HRB 777",
            "bank_rank": 120,
            "total_assets_usd": "250000000000",
            "capital_adequacy_ratio": "0.135",
        },
    )
    assert r.status_code == 201, r.text
    bank = r.json()["buyer"]
    assert bank["kind"] == "bank"
    [rating] = app_client.get(
        f"/api/v1/buyers/{bank['id']}/ratings", headers=cast.underwriter.headers
    ).json()
    points = {c["factor"]: c["points"] for c in rating["contributions"]}
    assert {
        k: points[k]
        for k in ("rank", "total_assets", "capital_adequacy_ratio", "defaults_on_record")
    } == {"rank": 8, "total_assets": 5, "capital_adequacy_ratio": 3, "defaults_on_record": 2}
    agg = app_client.get(
        f"/api/v1/buyers/{bank['id']}/aggregate", headers=cast.underwriter.headers
    ).json()
    assert agg["aggregate"] == agg["suggested"]
    assert agg["aggregate"]["amount"] != "0.00"
    bad = app_client.post(
        "/api/v1/buyers",
        headers=cast.exporter.headers,
        json={"kind": "bank", "name": "Negative Bank", "country": "DE", "total_assets_usd": "-1"},
    )
    assert bad.status_code == 422
