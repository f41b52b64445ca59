"""Nobody decides their own organisation's limit application (bad input)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.buyers import register_buyer
from tests.conftest import Cast, Database
from tests.integration.limits.caps_book import apply, counts, insureds


def test_a_decision_by_the_applicants_own_organisation_is_refused(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    insured = insureds(app_client, cast, db, 1)[0]
    buyer_id = register_buyer(app_client, insured.actor)
    app = apply(app_client, insured, buyer_id, "300000")
    assert (app["status"], app["route"]) == ("pending", "underwriter")
    before = counts(db)
    url = f"/api/v1/limit-applications/{app['id']}"
    for path, body in (
        (f"{url}/decision", {"outcome": "approved", "amount": "300000"}),
        (f"{url}/second-approval", None),
    ):
        r = app_client.post(path, json=body, headers=insured.actor.headers)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "own_application"
        assert r.json()["detail"] == ("an organisation cannot decide its own limit application")
    assert counts(db) == before
    after = app_client.get(url, headers=insured.actor.headers).json()
    assert (after["status"], after["outcome"]) == ("pending", None)
