"""Country risk: the shipped OECD baseline, risk managers' edits and their history."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast


def test_baseline_is_loaded_with_source(app_client: TestClient, cast: Cast) -> None:
    de = app_client.get("/api/v1/countries/DE", headers=cast.exporter.headers).json()
    cn = app_client.get("/api/v1/countries/CN", headers=cast.exporter.headers).json()
    assert (de["risk_class"], cn["risk_class"]) == (0, 2)
    assert de["cover_status"] == "open"
    assert "OECD" in de["source"] or "Country Risk" in de["source"]
    everything = app_client.get("/api/v1/countries", headers=cast.exporter.headers).json()
    assert len(everything) == 249
    assert any(c["risk_class"] is None for c in everything)


def test_risk_manager_change_keeps_history(app_client: TestClient, cast: Cast) -> None:
    change = {
        "cover_status": "off_cover",
        "effective_from": "2026-11-23",
        "reason": "sanctions",
        "exposure_cap_amount": "1000000",
        "exposure_cap_currency": "USD",
    }
    answer = app_client.put("/api/v1/countries/RU", json=change, headers=cast.risk_manager.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["cover_status"] == "off_cover"
    assert answer.json()["exposure_cap"] == {"amount": "1000000.00", "currency": "USD"}
    history = app_client.get("/api/v1/countries/RU/history", headers=cast.underwriter.headers)
    assert [v["cover_status"] for v in history.json()] == ["open", "off_cover"]
    assert history.json()[-1]["reason"] == "sanctions"
    audit = app_client.get(
        "/api/v1/audit/entries?entity_type=country&entity_id=RU", headers=cast.admin.headers
    ).json()
    assert audit["items"][0]["before"]["cover_status"] == "open"
    assert audit["items"][0]["after"]["cover_status"] == "off_cover"


def test_bad_changes_are_refused_and_change_nothing(app_client: TestClient, cast: Cast) -> None:
    base = {"effective_from": "2026-11-23", "reason": "x"}
    cases = [
        (cast.exporter, "CN", {**base, "risk_class": 3}, 403, "forbidden"),
        (cast.risk_manager, "XX", {**base, "risk_class": 3}, 422, "unknown_country"),
        (cast.risk_manager, "CN", {**base, "risk_class": 9}, 422, "invalid_request"),
        (
            cast.risk_manager,
            "CN",
            {**base, "exposure_cap_amount": "5", "exposure_cap_currency": "ABC"},
            422,
            "unknown_currency",
        ),
        (cast.risk_manager, "CN", {**base, "reason": ""}, 422, "invalid_request"),
    ]
    for actor, country, body, status, code in cases:
        answer = app_client.put(f"/api/v1/countries/{country}", json=body, headers=actor.headers)
        assert (answer.status_code, answer.json()["code"]) == (status, code), body
    history = app_client.get("/api/v1/countries/CN/history", headers=cast.exporter.headers)
    assert len(history.json()) == 1
