"""Policy builders: application and schedule bodies, drafts and issued policies through the
API, a policy issued through the policies service, and investment-debt policies ([004])."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Actor, Cast
from tradecover.access import service as access
from tradecover.kit.dates import business_today, utc_now
from tradecover.kit.money import Money
from tradecover.policies import service as policies
from tradecover.policies.model import Policy, RenewalOffer
from tradecover.policies.schedule import (
    DeclarationFrequency,
    InsurableScope,
    PolicySchedule,
    Product,
)
from tradecover.reference.payment_terms import PaymentTerms

# --- short-term policies through the API ----------------------------------------------------


def schedule_body(**over: Any) -> dict[str, Any]:
    """The JSON schedule of a monthly USD whole-turnover policy (HS 84, OA/DA/DP up to 180
    days, Russia excluded), ``over`` replacing top-level terms."""
    body: dict[str, Any] = {
        "currency": "USD",
        "expected_turnover": "12000000",
        "maximum_liability": "5000000",
        "indemnity_commercial_pct": "90",
        "indemnity_political_pct": "95",
        "declaration_frequency": "monthly",
        "rate_table": "ST-2026",
        "base_rate_pct": "0.45",
        "whole_turnover": True,
        "scope": {
            "destination_countries": [],
            "excluded_countries": ["RU"],
            "payment_terms": ["DP", "DA", "OA"],
            "max_credit_days": 180,
            "hs_chapters": ["84"],
        },
        "dispute_resolution": "arbitration",
        "dispute_venue": "CIETAC, Beijing",
        "possible_loss_notice_days": 90,
    }
    body.update(over)
    return body


def application_body(**over: Any) -> dict[str, Any]:
    """The JSON of a short-term comprehensive application starting today."""
    body: dict[str, Any] = {
        "product": "short_term_comprehensive",
        "currency": "USD",
        "expected_turnover": "12000000",
        "requested_inception": business_today().isoformat(),
        "destination_countries": ["DE", "US"],
        "payment_terms": ["OA", "DA"],
        "max_credit_days": 120,
        "hs_chapters": ["84", "85"],
        "notes": "first policy",
    }
    body.update(over)
    return body


def apply(client: TestClient, actor: Actor, **over: Any) -> dict[str, Any]:
    """Submit an application as ``actor``; the answer."""
    r = client.post("/api/v1/applications", json=application_body(**over), headers=actor.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def draft(
    client: TestClient,
    cast: Cast,
    *,
    exporter: Actor | None = None,
    inception: date | None = None,
    **schedule: Any,
) -> dict[str, Any]:
    """A draft policy of ``exporter`` (the cast's exporter unless given), underwritten from
    ``inception`` (today unless given) on :func:`schedule_body` with ``schedule``."""
    app = apply(client, exporter or cast.exporter)
    r = client.post(
        f"/api/v1/applications/{app['id']}/underwrite",
        json={
            "inception": (inception or business_today()).isoformat(),
            "schedule": schedule_body(**schedule),
        },
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def active(
    client: TestClient,
    cast: Cast,
    *,
    exporter: Actor | None = None,
    inception: date | None = None,
    **schedule: Any,
) -> dict[str, Any]:
    """A :func:`draft` quoted by the underwriter and issued on the exporter's acceptance;
    the issued policy."""
    holder = exporter or cast.exporter
    policy = draft(client, cast, exporter=holder, inception=inception, **schedule)
    r = client.post(f"/api/v1/policies/{policy['id']}/quote", headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/policies/{policy['id']}/issue", headers=holder.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def expiring_inception(days_left: int) -> date:
    """An inception such that the one-year term expires ``days_left`` days from today."""
    today = business_today()
    expiry = today + timedelta(days=days_left)
    # one_year_term(inception) = inception + 1 year - 1 day
    start = expiry + timedelta(days=1)
    try:
        return start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year - 1, day=28)


# --- a short-term policy through the policies service ---------------------------------------


def make_policy(
    session: Session,
    *,
    exporter_org_id: int,
    currency: str = "USD",
    inception: date = date(2026, 1, 1),
    expected_turnover: str = "12000000",
    maximum_liability: str = "5000000",
    endorsement: str | None = None,
    suspend: bool = False,
    with_offer: bool = False,
) -> Policy:
    """Apply, underwrite, quote and issue a short-term comprehensive policy in ``session``
    (optionally endorsed, suspended, or with an open renewal offer)."""
    insurer = access.system_principal(session, actor="user:underwriter")
    terms = [PaymentTerms.LC, PaymentTerms.OA]
    application = policies.submit_application(
        session,
        principal=insurer,
        exporter_org_id=exporter_org_id,
        product=Product.SHORT_TERM_COMPREHENSIVE,
        currency=currency,
        expected_turnover=Money.of(expected_turnover, currency),
        requested_inception=inception,
        destination_countries=["DE", "US"],
        payment_terms=terms,
        max_credit_days=180,
        hs_chapters=[],
        notes=None,
    )
    schedule = PolicySchedule(
        currency=currency,
        expected_turnover=Money.of(expected_turnover, currency),
        maximum_liability=Money.of(maximum_liability, currency),
        indemnity_commercial_pct=Decimal(90),
        indemnity_political_pct=Decimal(95),
        declaration_frequency=DeclarationFrequency.MONTHLY,
        rate_table="short-term-2026",
        base_rate_pct=Decimal("0.45"),
        scope=InsurableScope(
            destination_countries=("DE", "US"), payment_terms=tuple(terms), max_credit_days=180
        ),
    )
    policy = policies.underwrite(
        session,
        principal=insurer,
        application_id=application.id,
        schedule=schedule,
        inception=inception,
    )
    policies.quote(session, principal=insurer, policy_id=policy.id)
    policies.issue(session, principal=insurer, policy_id=policy.id, today=inception)
    if endorsement:
        policies.add_endorsement(
            session,
            principal=insurer,
            policy_id=policy.id,
            text=endorsement,
            effective_date=inception,
        )
    if suspend:
        policies.suspend(
            session,
            principal=insurer,
            policy_id=policy.id,
            reason="premium three months in arrears",
        )
    if with_offer:
        # The review inputs (declarations, limits, claims) belong to other contexts: the
        # offer row is written as the renewal review leaves it.
        session.add(
            RenewalOffer(
                policy_id=policy.id,
                status="offered",
                review_metrics={
                    "compliance_rate": "0.96",
                    "loss_ratio": "0.125",
                    "outstanding_liability": "250000.00",
                },
                proposed_terms={"base_rate_pct": "0.42"},
                explanation={},
                offered_at=utc_now(),
                offered_by="user:underwriter",
            )
        )
        session.flush()
    return policy


# --- investment-debt policies ([004]) -------------------------------------------------------

APPS = "/api/v1/investment-debt/applications"
"""Where investment-debt applications are submitted and underwritten."""

LOAN: dict[str, Any] = {
    "currency": "USD",
    "requested_inception": "2027-01-01",
    "host_country": "KZ",
    "drawdown_periods": [
        {"drawn": "6000000", "interest": "180000"},
        {"drawn": "4000000", "interest": "420000"},
    ],
    "repayment_periods": [
        {"principal": "5000000", "interest": "600000"},
        {"principal": "5000000", "interest": "300000"},
    ],
}
"""The loan of [004] 3.2: drawdowns of 6 m and 4 m, two repayments of 5 m."""


def issued_investment_debt_policy(
    client: TestClient, cast: Cast, inception: date, **loan: Any
) -> int:
    """Apply for cover of :data:`LOAN` (``loan`` replacing its terms), underwrite at 0.85 %,
    quote and issue; the policy id."""
    r = client.post(APPS, json={**LOAN, **loan}, headers=cast.exporter.headers)
    assert r.status_code == 201, r.text
    r = client.post(
        f"{APPS}/{r.json()['application']['id']}/underwrite",
        json={"rate": "0.0085", "inception": inception.isoformat()},
        headers=cast.underwriter.headers,
    )
    assert r.status_code == 201, r.text
    pid = int(r.json()["policy"]["id"])
    r = client.post(f"/api/v1/policies/{pid}/quote", headers=cast.underwriter.headers)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/policies/{pid}/issue", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    return pid
