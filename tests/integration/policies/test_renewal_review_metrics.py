"""A renewal offer carries the review metrics of the expiring term, computed from its
declarations, turnover returns, notices of possible loss, claims and limits, in the
offer's own transaction (SQLite included), through the API, its renewal job and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.builders.declarations import declaring_policy, shipment, world
from tests.builders.policies import expiring_inception
from tests.builders.principals import exporter_principal
from tests.conftest import Cast, Database
from tests.integration.claims.documents import accept_documents_in
from tradecover import claims
from tradecover.access import service as access
from tradecover.claims.indemnity import ClaimTerms, LossCause
from tradecover.cli.main import app as cli_app
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.config import get_settings
from tradecover.db.engine import transaction
from tradecover.declarations import service as declarations
from tradecover.kit.money import Money
from tradecover.policies.model import RenewalOffer
from tradecover.wiring import store_for

# The term's record, worked by hand (USD policy, 0.45 % flat rate, 90 % commercial cover,
# one limit of 100,000 on the only buyer):
#   shipment 1: 30,000, declared on time          -> premium 135.00
#   shipment 2: 10,000, declared two days late     -> not covered, no premium
#   shipment 3: 20,000, declared on time, unpaid   -> premium 90.00; notice, claim on
#               insolvency, indemnity 20,000 x 90 % = 18,000 paid
# declared 60,000; on time 2 of 3; returned turnover 75,000; premium 225.00.
EXPECTED = {
    "compliance_rate": "0.6667",
    "declared_share_of_turnover": "0.8000",
    "declared_amount": "60000.00",
    "premium_earned": "225.00",
    "possible_loss_rate": "0.3333",
    "claims_paid": "18000.00",
    "loss_ratio": "80.0000",
    "largest_buyer_share": "1.0000",
    "outstanding_liability": "50000.00",
    "limit_utilisation": "0.5000",
}


@dataclass(frozen=True)
class Term:
    """The expiring policy with its year's record."""

    policy_id: int
    inception: date


def _on_time(shipped: date) -> date:
    """The last day a monthly declaration of ``shipped`` is on time (the 15th after)."""
    return (shipped.replace(day=1) + timedelta(days=32)).replace(day=15)


def _term_with_a_record(client: TestClient, cast: Cast, db: Database) -> Term:
    """A policy expiring in 20 days with the record of :data:`EXPECTED`."""
    w = world(client, cast, db, inception=expiring_inception(20))
    inception = w.inception
    exporter = exporter_principal(db, cast)
    months = [inception + timedelta(days=d) for d in (30, 61, 92)]
    rows = []
    for n, (shipped, amount, late) in enumerate(
        zip(months, ("30000", "10000", "20000"), (0, 2, 0), strict=True), start=1
    ):
        with transaction(db.factory) as s:
            rows.append(
                declarations.attach(
                    s,
                    principal=exporter,
                    channel="api",
                    today=_on_time(shipped) + timedelta(late),
                    store=store_for(db.engine),
                    shipment=shipment(
                        w,
                        shipment_date=shipped,
                        due_date=shipped + timedelta(60),
                        invoice_number=f"INV-{n}",
                        invoice_amount=Decimal(amount),
                    ),
                )
            )
    assert [r.cover_status for r in rows] == ["covered_in_full", "not_covered", "covered_in_full"]
    with transaction(db.factory) as s:
        for shipped, turnover in zip(months, ("40000", "10000", "25000"), strict=True):
            declarations.submit_turnover_return(
                s,
                principal=exporter,
                policy_id=w.policy_id,
                month=shipped.replace(day=1),
                amount=Money.of(turnover, "USD"),
            )
    due = rows[2].due_date
    terms = ClaimTerms(waiting_period_days=120)
    with transaction(db.factory) as s:
        insurer = access.system_principal(s)
        collections.file_notice(
            s,
            principal=exporter,
            declaration_id=rows[2].id,
            cause=LossCauseHint.INSOLVENCY,
            today=due + timedelta(10),
        )
        claim = claims.file_claim(
            s,
            principal=exporter,
            cause=LossCause.INSOLVENCY,
            lines=[claims.LineIn(declaration_id=rows[2].id)],
            today=due + timedelta(25),
        )
        claims.start_checks(s, principal=insurer, claim_id=claim.id)
        accept_documents_in(s, exporter=exporter, handler=insurer, claim_id=claim.id)
        claims.approve(
            s, principal=insurer, claim_id=claim.id, today=due + timedelta(40), terms=terms
        )
        claims.pay(s, principal=insurer, claim_id=claim.id, today=due + timedelta(45), terms=terms)
    return Term(w.policy_id, inception)


def _offer_metrics(db: Database, policy_id: int) -> dict[str, str]:
    with db.factory() as s:
        offer = s.execute(
            select(RenewalOffer).where(RenewalOffer.policy_id == policy_id)
        ).scalar_one()
        return {k: str(v) for k, v in offer.review_metrics.items() if k in EXPECTED}


def test_renewal_offer_through_the_api_shows_the_terms_record(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    term = _term_with_a_record(app_client, cast, db)

    r = app_client.post(
        f"/api/v1/policies/{term.policy_id}/renewal-offers", headers=cast.underwriter.headers
    )

    assert r.status_code == 201, r.text
    metrics = r.json()["review_metrics"]
    assert {k: metrics[k] for k in EXPECTED} == EXPECTED
    assert _offer_metrics(db, term.policy_id) == EXPECTED


def test_the_renewal_job_offers_with_the_terms_record(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    term = _term_with_a_record(app_client, cast, db)

    r = app_client.post("/api/v1/policies/jobs/offer-renewals", json={}, headers=cast.admin.headers)

    assert r.status_code == 200, r.text
    assert r.json()["processed"] == 1
    assert _offer_metrics(db, term.policy_id) == EXPECTED


def test_the_cli_offers_with_the_terms_record(
    app_client: TestClient, cast: Cast, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    term = _term_with_a_record(app_client, cast, db)
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["policies", "offer-renewal", str(term.policy_id)])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert _offer_metrics(db, term.policy_id) == EXPECTED


def test_a_term_without_activity_reviews_as_zeros(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    policy = declaring_policy(app_client, cast, inception=expiring_inception(20))

    r = app_client.post(
        f"/api/v1/policies/{policy['id']}/renewal-offers", headers=cast.underwriter.headers
    )

    assert r.status_code == 201, r.text
    metrics = r.json()["review_metrics"]
    assert {k: Decimal(metrics[k]) for k in EXPECTED} == {k: Decimal(0) for k in EXPECTED}
