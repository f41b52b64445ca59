"""A domestic trade credit policy's whole life through the API, on the export engines
([domain DT-1] to [domain DT-7]): apply, underwrite on the domestic table, issue, a limit
and a declaration on a buyer at home, the premium notice, a notice and an insolvency claim
paid; a buyer abroad, a foreign currency and a political cause refused, writing nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.buyers import buyer
from tests.builders.policies import application_body, expiring_inception, schedule_body
from tests.conftest import Cast, Database, make_person, sign_in
from tests.integration.claims.documents import accept_documents_via_api
from tradecover.access.roles import Role
from tradecover.billing.model import PremiumNotice
from tradecover.claims import service as claims_service
from tradecover.claims.model import ClaimRow
from tradecover.collections.model import PossibleLossNotice
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import business_today
from tradecover.limits.model import CreditLimit, LimitApplication
from tradecover.policies.model import Policy, PolicyApplication

TODAY = business_today()
TABLES = (
    PolicyApplication,
    Policy,
    LimitApplication,
    CreditLimit,
    Declaration,
    PossibleLossNotice,
    ClaimRow,
)
DOMESTIC: dict[str, Any] = {
    "product": "domestic_trade_credit",
    "currency": "CNY",
    "expected_turnover": "80000000",
    "destination_countries": [],
    "hs_chapters": [],
}
HOME_BUYER: dict[str, Any] = {
    "name": "Hangzhou Precision Machinery Co., Ltd.",
    "country": "CN",
    "registration_number": "91330100MA2H0DK123",
    "own_reference": "CUST-CN-1",
}


def _counts(db: Database) -> dict[str, int]:
    with db.factory() as s:
        return {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in TABLES
        }


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s (a month is billed once it is over)."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _refused(answer: Any, code: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code, answer.text


def _shipment(policy_id: int, buyer_id: int, shipped: date, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "policy_id": policy_id,
        "buyer_id": buyer_id,
        "payment_terms": "OA",
        "transport_mode": "road",
        "shipment_date": shipped.isoformat(),
        "due_date": (shipped + timedelta(days=75)).isoformat(),
        "goods_description": "CNC milling machines",
        "hs_code": "8459.61",
        "invoice_number": "DT-INV-1",
        "currency": "CNY",
        "invoice_amount": "100000.00",
        "prepayment": "0",
    }
    body.update(over)
    return body


def _issued_domestic_policy(client: TestClient, cast: Cast, db: Database) -> dict[str, Any]:
    """Apply, underwrite on DT-2026, quote and issue; the refusals on the way write nothing."""
    exporter, underwriter = cast.exporter.headers, cast.underwriter.headers
    before = _counts(db)
    foreign = client.post(
        "/api/v1/applications",
        json=application_body(**{**DOMESTIC, "destination_countries": ["DE"]}),
        headers=exporter,
    )
    _refused(foreign, "domestic_buyer_foreign")
    assert foreign.json()["field"] == "destination_countries[0]"
    dollars = client.post(
        "/api/v1/applications",
        json=application_body(**{**DOMESTIC, "currency": "USD"}),
        headers=exporter,
    )
    _refused(dollars, "domestic_currency_not_local")
    assert _counts(db) == before
    r = client.post("/api/v1/applications", json=application_body(**DOMESTIC), headers=exporter)
    assert r.status_code == 201, r.text
    app = r.json()
    assert (app["product"], app["currency"], app["destination_countries"]) == (
        "domestic_trade_credit",
        "CNY",
        ["CN"],
    )
    inception = expiring_inception(300)
    terms: dict[str, Any] = {
        "currency": "CNY",
        "expected_turnover": "80000000",
        "maximum_liability": "30000000",
        "rate_table": "DT-2026",
        "base_rate_pct": "0.40",
        "scope": {
            "destination_countries": [],
            "excluded_countries": [],
            "payment_terms": ["DP", "DA", "OA"],
            "max_credit_days": 180,
            "hs_chapters": [],
        },
    }
    url = f"/api/v1/applications/{app['id']}/underwrite"
    on_export_table = client.post(
        url,
        json={
            "inception": inception.isoformat(),
            "schedule": schedule_body(**{**terms, "rate_table": "ST-2026"}),
        },
        headers=underwriter,
    )
    _refused(on_export_table, "domestic_rate_table_required")
    abroad = dict(terms, scope={**terms["scope"], "destination_countries": ["US"]})
    r = client.post(
        url,
        json={"inception": inception.isoformat(), "schedule": schedule_body(**abroad)},
        headers=underwriter,
    )
    _refused(r, "domestic_buyer_foreign")
    assert _counts(db) == {**before, "policy_applications": before["policy_applications"] + 1}
    r = client.post(
        url,
        json={"inception": inception.isoformat(), "schedule": schedule_body(**terms)},
        headers=underwriter,
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = client.post(f"/api/v1/policies/{pid}/quote", headers=underwriter)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/policies/{pid}/issue", headers=exporter)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_domestic_policy_from_application_to_a_paid_claim(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    client, exporter = app_client, cast.exporter.headers
    policy = _issued_domestic_policy(client, cast, db)
    pid = policy["id"]
    assert policy["number"].startswith("DT-")
    assert policy["product"] == "domestic_trade_credit"
    assert policy["schedule"]["currency"] == "CNY"
    assert policy["schedule"]["scope"]["destination_countries"] == ["CN"]

    # no political risk to give a second carrier [domain MK-12]
    before = _counts(db)
    carrier = {"insurer_org_id": 1, "rate_pct": "0.2", "maximum_liability": "1000"}
    r = client.put(
        f"/api/v1/market/policies/{pid}/carriers",
        json={"commercial": carrier, "political": carrier, "reason": "double insurance"},
        headers=cast.underwriter.headers,
    )
    _refused(r, "domestic_not_double_insurable")
    assert _counts(db) == before

    # the schedule page shows the product's own wording [domain DT-5]
    person = make_person(db, "acme-exports", Role.EXPORTER, "domestic@acme.example")
    sign_in(client, person)
    page = client.get(f"/policies/{pid}")
    assert page.status_code == 200
    assert "political risks are not covered" in page.text
    assert "Domestic buyers" in page.text
    client.cookies.clear()

    # a limit on a buyer at home; one abroad is refused and nothing is written
    home = buyer(client, cast.exporter, **HOME_BUYER)["buyer"]
    abroad = buyer(client, cast.exporter)["buyer"]  # the German buyer
    limit_body = {
        "policy_id": pid,
        "request_type": "new_limit",
        "amount": "200000",
        "currency": "CNY",
        "payment_terms": "OA",
        "credit_period_days": 90,
    }
    before = _counts(db)
    r = client.post(
        "/api/v1/limit-applications",
        json={**limit_body, "buyer_id": abroad["id"]},
        headers=exporter,
    )
    _refused(r, "domestic_buyer_foreign")
    assert r.json()["field"] == "buyer_id"
    assert _counts(db) == before
    r = client.post(
        "/api/v1/limit-applications", json={**limit_body, "buyer_id": home["id"]}, headers=exporter
    )
    assert r.status_code == 201, r.text
    decided = r.json()
    if decided["status"] == "pending":  # sent to the queue: the underwriter approves it
        r = client.post(
            f"/api/v1/limit-applications/{decided['id']}/decision",
            json={"outcome": "approved", "amount": "200000", "reasons": ["underwriter_judgement"]},
            headers=cast.underwriter.headers,
        )
        assert r.status_code == 200, r.text
        decided = r.json()
    assert (decided["outcome"], decided["approved"]) == (
        "approved",
        {"amount": "200000.00", "currency": "CNY"},
    )

    # the declaration attaches on the domestic table; one on the buyer abroad is refused
    shipped = TODAY  # the limit is in force from today
    before = _counts(db)
    r = client.post(
        "/api/v1/declarations",
        json=_shipment(pid, abroad["id"], shipped, invoice_number="DE-1"),
        headers={**exporter, "Idempotency-Key": "dt-foreign"},
    )
    _refused(r, "domestic_buyer_foreign")
    assert _counts(db) == before
    r = client.post(
        "/api/v1/declarations",
        json=_shipment(pid, home["id"], shipped),
        headers={**exporter, "Idempotency-Key": "dt-home"},
    )
    assert r.status_code == 201, r.text
    declared = r.json()
    assert declared["cover_status"] == "covered_in_full", (declared, r.json())
    with db.factory() as s:
        row = s.get(Declaration, declared["id"])
        assert row is not None
        explanation = row.rate_explanation
        assert explanation is not None
        assert (explanation["table"]["code"], explanation["country_class"]) == ("DT-2026", -1)
        assert row.currency == "CNY" and row.premium_minor > 0
        assert Decimal(declared["premium"]) == (Decimal("100000.00") * row.rate).quantize(
            Decimal("0.01")
        )

    # the billing engine sends the premium notice in the local currency
    r = client.post(
        "/api/v1/billing/runs",
        json={"month": f"{shipped:%Y-%m}", "issue_date": _next_month(shipped).isoformat()},
        headers=cast.finance.headers,
    )
    assert r.status_code == 200, r.text
    with db.factory() as s:
        notices = s.execute(select(PremiumNotice).where(PremiumNotice.policy_id == pid)).all()
        assert len(notices) == 1
        assert notices[0][0].currency == "CNY"

    # a political notice is refused; an insolvency is noticed, claimed and paid
    notices_url = "/api/v1/overdue/notices"
    before = _counts(db)
    r = client.post(
        notices_url, json={"declaration_id": declared["id"], "cause": "political"}, headers=exporter
    )
    _refused(r, "domestic_political_cause")
    assert _counts(db) == before
    r = client.post(
        notices_url,
        json={"declaration_id": declared["id"], "cause": "insolvency"},
        headers=exporter,
    )
    assert r.status_code == 201, r.text
    before = _counts(db)
    claim_line = {"currency": "CNY", "lines": [{"declaration_id": declared["id"]}]}
    r = client.post("/api/v1/claims", json={**claim_line, "cause": "war"}, headers=exporter)
    _refused(r, "domestic_political_cause")
    assert _counts(db) == before
    r = client.post("/api/v1/claims", json={**claim_line, "cause": "insolvency"}, headers=exporter)
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["indemnity"] == {"amount": "90000.00", "currency": "CNY"}
    cid = claim["id"]
    with db.factory() as s:
        row_claim = s.get(ClaimRow, cid)
        assert row_claim is not None
        pol = s.get(Policy, pid)
        assert pol is not None
        terms = claims_service.terms_of_policy(pol)
        assert (terms.waiting_period_days, terms.claim_filing_days) == (90, 120)  # DT-6
    handler = cast.claims_handler.headers
    assert client.post(f"/api/v1/claims/{cid}/start-checks", headers=handler).status_code == 200
    accept_documents_via_api(client, cast.exporter, cast.claims_handler, cid)
    r = client.post(f"/api/v1/claims/{cid}/approve", headers=handler)
    assert (r.status_code, r.json()["state"]) == (200, "approved"), r.text
    r = client.post(
        f"/api/v1/claims/{cid}/pay",
        headers={**cast.finance.headers, "Idempotency-Key": "dt-pay"},
    )
    assert (r.status_code, r.json()["state"]) == (200, "paid"), r.text
