from datetime import date, timedelta

from fastapi.testclient import TestClient

from tests.builders.policies import active, apply, draft, expiring_inception, schedule_body
from tests.conftest import Cast, Database
from tests.integration.policies.helpers import counts
from tradecover.kit.dates import business_today, one_year_term

API = "/api/v1"


def test_apply_underwrite_quote_issue_endorse_renew(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    application = apply(c, cast.exporter)
    assert application["status"] == "submitted"
    assert application["exporter_org_id"] == cast.exporter.org_id
    assert application["expected_turnover"] == {"amount": "12000000.00", "currency": "USD"}

    inception = expiring_inception(20)
    r = c.post(
        f"{API}/applications/{application['id']}/underwrite",
        json={"inception": inception.isoformat(), "schedule": schedule_body()},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    policy = r.json()
    pid = policy["id"]
    assert policy["state"] == "draft"
    assert policy["number"] is None
    assert policy["expiry"] == one_year_term(inception).isoformat()
    assert policy["schedule"]["liability_guidance"] == {
        "low": {"amount": "4000000.00", "currency": "USD"},
        "high": {"amount": "6000000.00", "currency": "USD"},
        "within": True,
        "ratio": "0.4167",
        "message": "maximum liability is 41.7% of expected turnover, within the usual 1/3 to "
        "1/2 (4000000.00 USD to 6000000.00 USD)",
    }
    assert (
        c.get(f"{API}/applications/{application['id']}", headers=cast.exporter.headers).json()[
            "status"
        ]
        == "underwritten"
    )

    assert (
        c.post(f"{API}/policies/{pid}/quote", headers=cast.underwriter.headers).json()["state"]
        == "quoted"
    )
    r = c.post(f"{API}/policies/{pid}/issue", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    issued = r.json()
    assert issued["state"] == "active"
    assert issued["number"] == f"ST-{inception.year}-{pid:06d}"

    r = c.post(
        f"{API}/policies/{pid}/endorsements",
        json={"text": "BR on LC terms only", "effective_date": business_today().isoformat()},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 1
    r = c.post(
        f"{API}/policies/{pid}/endorsements",
        json={"text": "Second", "effective_date": business_today().isoformat()},
        headers=cast.underwriter.headers,
    )
    assert r.json()["number"] == 2
    assert [
        e["text"]
        for e in c.get(f"{API}/policies/{pid}/endorsements", headers=cast.exporter.headers).json()
    ] == ["BR on LC terms only", "Second"]

    r = c.post(f"{API}/policies/{pid}/renewal-offers", headers=cast.underwriter.headers)
    assert r.status_code == 201, r.text
    offer = r.json()
    expiry = date.fromisoformat(issued["expiry"])
    assert offer["status"] == "offered"
    assert offer["review_metrics"]["loss_ratio"] == "0"
    assert offer["proposed_terms"]["inception"] == (expiry + timedelta(days=1)).isoformat()
    assert offer["proposed_terms"]["base_rate_pct"] == "0.45"
    again = c.post(f"{API}/policies/{pid}/renewal-offers", headers=cast.underwriter.headers)
    assert (again.status_code, again.json()["code"]) == (409, "renewal_offer_open")

    r = c.post(f"{API}/renewal-offers/{offer['id']}/accept", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    renewal = r.json()
    assert renewal["state"] == "active"
    assert renewal["renewal_of_id"] == pid
    assert renewal["inception"] == (expiry + timedelta(days=1)).isoformat()
    assert renewal["expiry"] == one_year_term(expiry + timedelta(days=1)).isoformat()
    assert renewal["number"] == f"ST-{(expiry + timedelta(days=1)).year}-{renewal['id']:06d}"
    # the expiring policy runs to expiry; the job moves it to RENEWED the day after
    assert c.get(f"{API}/policies/{pid}", headers=cast.exporter.headers).json()["state"] == "active"
    job = {"today": (expiry + timedelta(days=1)).isoformat()}
    r = c.post(f"{API}/policies/jobs/expire", json=job, headers=cast.admin.headers)
    assert r.json() == {"today": job["today"], "processed": 1}
    got = c.get(f"{API}/policies/{pid}", headers=cast.exporter.headers).json()
    assert got["state"] == "renewed"
    assert (
        c.post(f"{API}/policies/jobs/expire", json=job, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 0
    )
    assert (
        c.get(f"{API}/policies/{renewal['id']}", headers=cast.exporter.headers).json()["state"]
        == "active"
    )

    history = c.get(f"{API}/policies/{pid}/history", headers=cast.exporter.headers).json()
    assert [h["action"] for h in history] == [
        "policy.drafted",
        "policy.quoted",
        "policy.issued",
        "policy.endorsed",
        "policy.endorsed",
        "renewal.offered",
        "renewal.accepted",
        "policy.renewed",
    ]
    assert (history[2]["before"]["state"], history[2]["after"]["state"]) == ("quoted", "active")
    assert history[2]["before"]["number"] is None
    assert history[-1]["after"]["renewal_policy_id"] == renewal["id"]


def test_revise_goes_back_to_draft_and_withdraw(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    pid = draft(c, cast)["id"]
    c.post(f"{API}/policies/{pid}/quote", headers=cast.underwriter.headers)
    r = c.put(
        f"{API}/policies/{pid}/schedule",
        json={"schedule": schedule_body(maximum_liability="3000000"), "reason": "smaller limit"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "draft"
    assert r.json()["schedule"]["maximum_liability"]["amount"] == "3000000.00"
    assert r.json()["schedule"]["liability_guidance"]["within"] is False
    r = c.post(
        f"{API}/policies/{pid}/withdraw",
        json={"reason": "exporter lost interest"},
        headers=cast.underwriter.headers,
    )
    assert (r.json()["state"], r.json()["state_reason"]) == ("cancelled", "exporter lost interest")


def test_suspend_and_reinstate(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    pid = active(c, cast)["id"]
    r = c.post(
        f"{API}/policies/{pid}/suspend",
        json={"reason": "premium 90 days overdue"},
        headers=cast.finance.headers,
    )
    assert (r.json()["state"], r.json()["state_reason"]) == ("suspended", "premium 90 days overdue")
    again = c.post(
        f"{API}/policies/{pid}/suspend", json={"reason": "x"}, headers=cast.finance.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    r = c.post(
        f"{API}/policies/{pid}/reinstate", json={"reason": "paid"}, headers=cast.finance.headers
    )
    assert r.json()["state"] == "active"


def test_insured_cancellation_today(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    pid = active(c, cast)["id"]
    r = c.post(
        f"{API}/policies/{pid}/terminate",
        json={"kind": "insured_cancellation", "reason": "business closed"},
        headers=cast.exporter.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "cancelled"
    assert body["auto_renew"] is False
    t = body["termination"]
    assert (
        t["kind"],
        t["by"],
        t["status"],
        t["effective_date"],
        t["liability_retained"],
        t["premium_refund"],
    ) == ("insured_cancellation", "insured", "effective", business_today().isoformat(), True, "0")


def test_insurer_cancellation_scheduled_then_applied_by_the_job(
    app_client: TestClient, cast: Cast
) -> None:
    c = app_client
    pid = active(c, cast)["id"]
    later = business_today() + timedelta(days=10)
    r = c.post(
        f"{API}/policies/{pid}/terminate",
        json={
            "kind": "insurer_cancellation",
            "reason": "serious breach",
            "effective_date": later.isoformat(),
        },
        headers=cast.finance.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["termination"]["status"]) == ("active", "scheduled")
    second = c.post(
        f"{API}/policies/{pid}/terminate",
        json={"kind": "insurer_cancellation", "reason": "again"},
        headers=cast.finance.headers,
    )
    assert (second.status_code, second.json()["code"]) == (409, "termination_pending")
    day_before = {"today": (later - timedelta(days=1)).isoformat()}
    assert (
        c.post(f"{API}/policies/jobs/expire", json=day_before, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 0
    )
    on_day = {"today": later.isoformat()}
    assert (
        c.post(f"{API}/policies/jobs/expire", json=on_day, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 1
    )
    got = c.get(f"{API}/policies/{pid}", headers=cast.exporter.headers).json()
    assert (got["state"], got["termination"]["status"]) == ("cancelled", "effective")
    assert (
        c.post(f"{API}/policies/jobs/expire", json=on_day, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 0
    )


def test_non_renewal_runs_to_expiry_then_expires(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    p = active(c, cast)
    r = c.post(
        f"{API}/policies/{p['id']}/terminate",
        json={"kind": "non_renewal", "reason": "moving to another insurer"},
        headers=cast.exporter.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["auto_renew"]) == ("active", False)
    assert r.json()["termination"]["effective_date"] == p["expiry"]
    expiry = date.fromisoformat(p["expiry"])
    window = {"today": (expiry - timedelta(days=10)).isoformat()}
    assert (
        c.post(
            f"{API}/policies/jobs/offer-renewals", json=window, headers=cast.admin.headers
        ).json()["processed"]
        == 0
    )
    after = {"today": (expiry + timedelta(days=1)).isoformat()}
    assert (
        c.post(f"{API}/policies/jobs/expire", json=after, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 1
    )
    assert (
        c.get(f"{API}/policies/{p['id']}", headers=cast.exporter.headers).json()["state"]
        == "expired"
    )


def test_rescission_for_fraud(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    p = active(c, cast)
    by_exporter = c.post(
        f"{API}/policies/{p['id']}/terminate",
        json={"kind": "rescission_for_fraud", "reason": "x"},
        headers=cast.exporter.headers,
    )
    assert (by_exporter.status_code, by_exporter.json()["code"]) == (422, "rescission_by_insured")
    r = c.post(
        f"{API}/policies/{p['id']}/terminate",
        json={"kind": "rescission_for_fraud", "reason": "forged shipping documents"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "rescinded"
    assert body["termination"]["liability_retained"] is False
    assert body["termination"]["effective_date"] == p["inception"]


def test_expiry_job_is_idempotent_and_renewal_job_too(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    c = app_client
    due = active(c, cast, inception=expiring_inception(10))
    not_due = active(c, cast, inception=expiring_inception(40))
    today = {"today": business_today().isoformat()}
    assert (
        c.post(
            f"{API}/policies/jobs/offer-renewals", json=today, headers=cast.admin.headers
        ).json()["processed"]
        == 1
    )
    assert (
        c.post(
            f"{API}/policies/jobs/offer-renewals", json=today, headers=cast.admin.headers
        ).json()["processed"]
        == 0
    )
    assert (
        len(
            c.get(
                f"{API}/policies/{due['id']}/renewal-offers", headers=cast.exporter.headers
            ).json()
        )
        == 1
    )
    assert (
        c.get(
            f"{API}/policies/{not_due['id']}/renewal-offers", headers=cast.exporter.headers
        ).json()
        == []
    )
    after = {"today": (date.fromisoformat(due["expiry"]) + timedelta(days=1)).isoformat()}
    assert (
        c.post(f"{API}/policies/jobs/expire", json=after, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 1
    )
    before = counts(db)
    assert (
        c.post(f"{API}/policies/jobs/expire", json=after, headers=cast.admin.headers).json()[
            "processed"
        ]
        == 0
    )
    assert counts(db) == before
    assert (
        c.get(f"{API}/policies/{due['id']}", headers=cast.exporter.headers).json()["state"]
        == "expired"
    )
    offers = c.get(
        f"{API}/policies/{due['id']}/renewal-offers", headers=cast.exporter.headers
    ).json()
    assert [o["status"] for o in offers] == ["lapsed"]


def test_declining_a_renewal_stops_renewal(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    p = active(c, cast, inception=expiring_inception(5))
    offer = c.post(
        f"{API}/policies/{p['id']}/renewal-offers", headers=cast.underwriter.headers
    ).json()
    r = c.post(
        f"{API}/renewal-offers/{offer['id']}/decline",
        json={"reason": "too dear"},
        headers=cast.exporter.headers,
    )
    assert r.json()["status"] == "declined"
    assert (
        c.get(f"{API}/policies/{p['id']}", headers=cast.exporter.headers).json()["auto_renew"]
        is False
    )
    late = c.post(f"{API}/renewal-offers/{offer['id']}/accept", headers=cast.exporter.headers)
    assert (late.status_code, late.json()["code"]) == (409, "offer_not_open")


def test_profile_roundtrip_and_lists(app_client: TestClient, cast: Cast) -> None:
    c = app_client
    body = {
        "legal_name": "Acme Exports Co., Ltd.",
        "region": "CN-ZJ",
        "size_class": "small",
        "cross_border_ecommerce": True,
        "currency": "USD",
        "previous_year_exports": "6200000",
        "export_history": [
            {"year": 2025, "amount": "6200000"},
            {"year": 2024, "amount": "5400000.5"},
        ],
        "products": ["84 machinery"],
        "destination_countries": ["DE", "US"],
        "main_buyers": [
            {
                "name": "Müller Handels GmbH",
                "country": "DE",
                "years_trading": 6,
                "share_pct": "35",
                "payment_terms": "OA",
            }
        ],
    }
    url = f"{API}/exporters/{cast.exporter.org_id}/profile"
    assert c.get(url, headers=cast.exporter.headers).json()["code"] == "profile_not_found"
    r = c.put(url, json=body, headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    got = c.get(url, headers=cast.underwriter.headers).json()
    assert got["previous_year_exports"] == {"amount": "6200000.00", "currency": "USD"}
    assert got["export_history"] == [
        {"year": 2024, "amount": "5400000.5"},
        {"year": 2025, "amount": "6200000"},
    ]
    assert got["main_buyers"] == body["main_buyers"]

    p1 = active(c, cast)
    draft(c, cast)
    listed = c.get(
        f"{API}/policies", params={"state": "active"}, headers=cast.underwriter.headers
    ).json()
    assert (listed["total"], [i["id"] for i in listed["items"]]) == (1, [p1["id"]])
    by_number = c.get(
        f"{API}/policies", params={"q": p1["number"].lower()}, headers=cast.underwriter.headers
    ).json()
    assert [i["id"] for i in by_number["items"]] == [p1["id"]]
    by_name = c.get(
        f"{API}/policies", params={"q": "acme"}, headers=cast.underwriter.headers
    ).json()
    assert by_name["total"] == 2
    apps = c.get(
        f"{API}/applications", params={"status": "underwritten"}, headers=cast.exporter.headers
    ).json()
    assert apps["total"] == 2
