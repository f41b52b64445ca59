"""An exporter sees and touches only its own policies, applications and profile."""

import pytest
from fastapi.testclient import TestClient

from tests.builders.policies import active, apply, schedule_body
from tests.conftest import Cast, Database
from tests.integration.policies.helpers import counts
from tradecover.kit.dates import business_today

API = "/api/v1"


def test_other_exporter_gets_404_everywhere(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    c = app_client
    p = active(c, cast)
    app_id = p["application_id"]
    c.put(
        f"{API}/exporters/{cast.exporter.org_id}/profile",
        headers=cast.exporter.headers,
        json={
            "legal_name": "Acme",
            "size_class": "small",
            "currency": "USD",
            "previous_year_exports": "100",
        },
    )
    pid = p["id"]
    h = cast.other_exporter.headers
    before = counts(db)
    calls = [
        ("GET", f"/policies/{pid}", None),
        ("GET", f"/policies/{pid}/history", None),
        ("GET", f"/policies/{pid}/endorsements", None),
        ("GET", f"/policies/{pid}/renewal-offers", None),
        ("POST", f"/policies/{pid}/issue", None),
        ("POST", f"/policies/{pid}/terminate", {"kind": "insured_cancellation", "reason": "x"}),
        ("GET", f"/applications/{app_id}", None),
        ("GET", f"/exporters/{cast.exporter.org_id}/profile", None),
        (
            "PUT",
            f"/exporters/{cast.exporter.org_id}/profile",
            {
                "legal_name": "Mine now",
                "size_class": "small",
                "currency": "USD",
                "previous_year_exports": "1",
            },
        ),
    ]
    for method, path, body in calls:
        r = c.request(method, API + path, headers=h, json=body)
        assert r.status_code == 404, (path, r.text)
    assert counts(db) == before
    assert c.get(f"{API}/policies", headers=h).json()["total"] == 0
    assert (
        c.get(f"{API}/policies", params={"exporter": cast.exporter.org_id}, headers=h).json()[
            "total"
        ]
        == 0
    )
    assert c.get(f"{API}/applications", headers=h).json()["total"] == 0
    # and it cannot file for someone else
    r = c.post(
        f"{API}/applications",
        headers=h,
        json={
            "exporter_org_id": cast.exporter.org_id,
            "currency": "USD",
            "expected_turnover": "1000",
            "requested_inception": "2027-01-01",
            "payment_terms": ["OA"],
            "max_credit_days": 90,
        },
    )
    assert r.status_code == 404
    assert counts(db) == before


def test_renewal_offer_of_another_exporter_is_404(app_client: TestClient, cast: Cast) -> None:
    from tests.builders.policies import expiring_inception

    c = app_client
    p = active(c, cast, inception=expiring_inception(3))
    offer = c.post(
        f"{API}/policies/{p['id']}/renewal-offers", headers=cast.underwriter.headers
    ).json()
    for method, path in [("GET", ""), ("POST", "/accept")]:
        r = c.request(
            method, f"{API}/renewal-offers/{offer['id']}{path}", headers=cast.other_exporter.headers
        )
        assert (r.status_code, r.json()["code"]) == (404, "renewal_offer_not_found")
    r = c.post(
        f"{API}/renewal-offers/{offer['id']}/decline",
        json={"reason": "x"},
        headers=cast.other_exporter.headers,
    )
    assert r.status_code == 404


@pytest.mark.parametrize("who", ["exporter", "bank", "claims_handler", "risk_manager"])
def test_roles_that_cannot_underwrite_get_403(
    app_client: TestClient, cast: Cast, db: Database, who: str
) -> None:
    c = app_client
    app = apply(c, cast.exporter)
    before = counts(db)
    r = c.post(
        f"{API}/applications/{app['id']}/underwrite",
        json={"inception": business_today().isoformat(), "schedule": schedule_body()},
        headers=getattr(cast, who).headers,
    )
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts(db) == before


def test_exporter_cannot_run_insurer_actions(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    c = app_client
    p = active(c, cast)
    before = counts(db)
    for path, body in [
        (f"/policies/{p['id']}/suspend", {"reason": "x"}),
        (
            f"/policies/{p['id']}/endorsements",
            {"text": "x", "effective_date": business_today().isoformat()},
        ),
        (f"/policies/{p['id']}/renewal-offers", None),
        ("/policies/jobs/expire", {}),
        ("/policies/jobs/offer-renewals", {}),
    ]:
        r = c.post(API + path, json=body, headers=cast.exporter.headers)
        assert r.status_code == 403, (path, r.text)
    r = c.post(f"{API}/policies/jobs/expire", json={}, headers=cast.underwriter.headers)
    assert r.status_code == 403
    assert counts(db) == before


def test_no_credential_is_401(app_client: TestClient, cast: Cast) -> None:
    assert app_client.get(f"{API}/policies").status_code == 401
