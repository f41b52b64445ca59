"""Overseas investment debt insurance end to end through the API ([004]).

Application with the loan -> underwriting with its premium schedule -> quote -> issue ->
premium notices due in 30 days -> a missed repayment claimed -> indemnity paid with the
premium due set off -> the policy continues and premium keeps falling due.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.policies import APPS, LOAN, issued_investment_debt_policy
from tests.conftest import Cast, Database
from tests.integration.policies.investment_debt_flow import (
    CLAIMS,
    approve_claim,
    audits,
    dates,
    file_claim,
    notify,
    pay_premium,
)
from tradecover.claims.model import InvestmentDebtClaimRow
from tradecover.db.engine import transaction
from tradecover.policies.model import Policy, PolicyApplication
from tradecover.pricing.model import InvestmentDebtApplication


def _count(db: Database, model: Any) -> int:
    with transaction(db.factory) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_application_underwriting_and_issue(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    r = app_client.post(APPS, json=LOAN, headers=cast.exporter.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        body["application"]["product"],
        body["application"]["status"],
        body["principal"],
        body["maximum_insured_amount"],
        body["host_country"],
    ) == ("investment_debt", "submitted", "10000000.00", None, "KZ")
    app_id = body["application"]["id"]
    r = app_client.post(
        f"{APPS}/{app_id}/underwrite",
        json={"rate": "0.0085", "inception": "2027-01-01"},
        headers=cast.exporter.headers,
    )
    assert r.status_code == 403
    r = app_client.post(
        f"{APPS}/{app_id}/underwrite",
        json={"rate": "0.0085", "inception": "2027-01-01"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    policy, schedule = r.json()["policy"], r.json()["schedule"]
    assert (policy["state"], policy["product"], policy["inception"], policy["expiry"]) == (
        "draft",
        "investment_debt",
        "2027-01-01",
        "2030-12-31",
    )
    # [004] 3.2: drawdown 6.18m, 10.42m; repayment 10m + 600k, 5m + 300k; x 0.85 %
    assert [(p["insured_amount"], p["premium"]) for p in schedule["periods"]] == [
        ("6180000.00", "52530.00"),
        ("10420000.00", "88570.00"),
        ("10600000.00", "90100.00"),
        ("5300000.00", "45050.00"),
    ]
    assert schedule["total_premium"] == "276250.00"
    pid = policy["id"]
    assert (
        app_client.post(f"/api/v1/policies/{pid}/quote", headers=cast.underwriter.headers).json()[
            "state"
        ]
        == "quoted"
    )
    r = app_client.post(f"/api/v1/policies/{pid}/issue", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "active" and r.json()["number"].startswith("ID-2027-")
    r = app_client.post(
        f"{APPS}/{app_id}/underwrite",
        json={"rate": "0.0085", "inception": "2027-01-01"},
        headers=cast.underwriter.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "application_not_open")
    assert (
        app_client.get(f"{APPS}/{app_id}", headers=cast.other_exporter.headers).status_code == 404
    )


def test_partial_cover_caps_every_period_at_scheme_2_maximum(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    r = app_client.post(
        APPS, json={**LOAN, "covered_repayment_periods": 1}, headers=cast.exporter.headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["maximum_insured_amount"] == "5600000.00"  # a_1 + I_1
    r = app_client.post(
        f"{APPS}/{r.json()['application']['id']}/underwrite",
        json={"rate": "0.0085", "inception": "2027-01-01"},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    schedule = r.json()["schedule"]
    assert [(p["insured_amount"], p["premium"]) for p in schedule["periods"]] == [
        ("5600000.00", "47600.00")
    ] * 3
    assert schedule["total_premium"] == "142800.00"
    assert r.json()["policy"]["schedule"]["maximum_liability"]["amount"] == "5600000.00"
    assert r.json()["policy"]["expiry"] == "2029-12-31"


def test_bad_applications_name_the_field_and_write_nothing(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    bad: list[tuple[dict[str, Any], str | None, str]] = [
        (
            {
                "repayment_periods": [
                    {"principal": "5000000", "interest": "600000"},
                    {"principal": "4000000", "interest": "300000"},
                ]
            },
            "schedule_does_not_add_up",
            "drawdown_periods",
        ),
        ({"covered_repayment_periods": 3}, "validation_failed", "covered_repayment_periods"),
        ({"host_country": "XX"}, None, "host_country"),
    ]
    for change, code, field in bad:
        r = app_client.post(APPS, json={**LOAN, **change}, headers=cast.exporter.headers)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field
        if code:
            assert r.json()["code"] == code
    assert (_count(db, PolicyApplication), _count(db, InvestmentDebtApplication)) == (0, 0)
    assert audits(db, "application.submitted") == 0


def test_missed_repayment_claim_sets_premium_off_and_policy_continues(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    today = d.today
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    url = f"/api/v1/policies/{pid}/investment-debt-schedule"
    for position in (1, 2, 3):
        notice = d.notice(position)
        schedule = notify(app_client, cast, pid, position, notice)
        assert (
            schedule["periods"][position - 1]["due_date"]
            == (notice + timedelta(days=30)).isoformat()
        )
        pay_premium(app_client, cast, pid, position, notice + timedelta(days=30))
    claim = file_claim(app_client, cast, pid, d.r1_due)
    assert (
        claim["state"],
        claim["position"],
        claim["loss"],
        claim["indemnity"],
        claim["premium_set_off"],
        claim["net_payable"],
    ) == ("filed", 3, "5600000.00", "5600000.00", "0.00", "5600000.00")
    assert {c["name"]: c["outcome"] for c in claim["checks"]} == {
        "premium_paid": "passed",
        "investment_debt_premiums": "passed",
    }
    # the loss does not end the policy: the next period's premium falls due
    schedule = notify(app_client, cast, pid, 4, today - timedelta(days=5))
    assert schedule["periods"][3]["status"] == "due"
    assert (
        app_client.post(
            f"{CLAIMS}/{claim['id']}/approve", headers=cast.exporter.headers
        ).status_code
        == 403
    )
    approved = approve_claim(app_client, cast, claim["id"])
    assert (approved["state"], approved["premium_set_off"], approved["net_payable"]) == (
        "approved",
        "45050.00",
        "5554950.00",
    )
    r = app_client.post(
        f"{CLAIMS}/{claim['id']}/pay",
        headers={**cast.finance.headers, "Idempotency-Key": "pay-1"},
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["state"],
        r.json()["indemnity"],
        r.json()["premium_set_off"],
        r.json()["set_off_positions"],
        r.json()["net_payable"],
        r.json()["paid_on"],
    ) == ("paid", "5600000.00", "45050.00", [4], "5554950.00", today.isoformat())
    r = app_client.post(
        f"{CLAIMS}/{claim['id']}/pay",
        headers={**cast.finance.headers, "Idempotency-Key": "pay-2"},
    )
    assert (r.status_code, r.json()["code"]) == (409, "claim_already_paid")
    period4 = app_client.get(url, headers=cast.exporter.headers).json()["periods"][3]
    assert (period4["status"], period4["paid_on"]) == ("paid", today.isoformat())
    with transaction(db.factory) as s:
        policy = s.get(Policy, pid)
        assert policy is not None and policy.state == "active"
    assert audits(db, "investment_debt.premium_set_off") == 1
    assert audits(db, "investment_debt_claim.paid") == 1


def test_lump_sum_sets_off_every_later_premium(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    for position in (1, 2, 3):
        notify(app_client, cast, pid, position, d.notice(position))
        pay_premium(app_client, cast, pid, position, d.notice(position))
    claim = file_claim(
        app_client, cast, pid, d.r1_due, settlement="lump_sum", missed_interest="500000"
    )
    # a_1 + part of I_1 + the accelerated a_2: 5m + 500k + 5m
    assert (
        claim["loss"],
        claim["premium_set_off"],
        claim["set_off_positions"],
        claim["net_payable"],
    ) == ("10500000.00", "45050.00", [4], "10454950.00")


def test_claim_refused_when_cover_lapsed_or_input_bad(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    today, r1_due = d.today, d.r1_due
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    for position in (1, 2, 3):  # period 3's premium is never paid: cover lapses
        notify(app_client, cast, pid, position, d.notice(position))
        if position < 3:
            pay_premium(app_client, cast, pid, position, d.notice(position))
    refusals: list[tuple[dict[str, Any], str, str]] = [
        ({"repayment_period": 3}, "no_such_repayment_period", "repayment_period"),
        ({"missed_principal": "5000000.01"}, "exceeds_scheduled_repayment", "missed_principal"),
        (
            {"repayment_due_date": (today + timedelta(days=1)).isoformat()},
            "repayment_not_yet_due",
            "repayment_due_date",
        ),
    ]
    for change, code, field in refusals:
        r = app_client.post(
            CLAIMS,
            json={
                "policy_id": pid,
                "repayment_period": 1,
                "repayment_due_date": r1_due.isoformat(),
                **change,
            },
            headers=cast.exporter.headers,
        )
        assert (r.status_code, r.json()["code"], r.json()["field"]) == (422, code, field)
    assert _count(db, InvestmentDebtClaimRow) == 0
    claim = file_claim(app_client, cast, pid, r1_due)
    assert {c["name"]: c["outcome"] for c in claim["checks"]}["premium_paid"] == "failed"
    cid = claim["id"]
    r = app_client.post(f"{CLAIMS}/{cid}/approve", headers=cast.claims_handler.headers)
    assert (r.status_code, r.json()["code"]) == (409, "blocking_check_failed")
    assert (
        app_client.get(f"{CLAIMS}/{cid}", headers=cast.exporter.headers).json()["state"] == "filed"
    )
    r = app_client.post(
        CLAIMS,
        json={"policy_id": pid, "repayment_period": 1, "repayment_due_date": r1_due.isoformat()},
        headers=cast.exporter.headers,
    )
    assert (r.status_code, r.json()["code"]) == (409, "period_already_claimed")
    assert app_client.get(f"{CLAIMS}/{cid}", headers=cast.other_exporter.headers).status_code == 404
