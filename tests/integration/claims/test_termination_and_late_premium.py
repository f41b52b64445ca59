"""Through the API: termination ends liability as each path says, and late
premium costs the right to claim on losses that arose before it was paid ([002])."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.builders.buyers import buyer
from tests.builders.limits import application
from tests.builders.policies import draft
from tests.conftest import Cast, Database
from tests.integration.claims.conftest import TODAY, Book, counts, principal, run
from tests.integration.claims.documents import accept_documents_via_api
from tradecover.audit.model import AuditEntry
from tradecover.billing.model import PremiumNotice
from tradecover.billing.notice import month_end
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.declarations import service as declarations
from tradecover.declarations.shipment import Shipment, TransportMode
from tradecover.limits.model import CreditLimitVersion
from tradecover.policies import service as policies
from tradecover.premium_waivers.model import PremiumWaiver
from tradecover.reference.payment_terms import PaymentTerms
from tradecover.wiring import store_for


def _claim(client: TestClient, cast: Cast, declaration_id: int, cause: str) -> dict[str, Any]:
    r = client.post(
        "/api/v1/claims",
        headers=cast.exporter.headers,
        json={"cause": cause, "currency": "USD", "lines": [{"declaration_id": declaration_id}]},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _check(claim: dict[str, Any], name: str) -> tuple[str, str]:
    found = [c for c in claim["checks"] if c["name"] == name]
    assert len(found) == 1
    return found[0]["outcome"], found[0]["explanation"]


def test_a_policy_rescinded_for_fraud_after_filing_is_neither_approved_nor_paid(
    app_client: TestClient, cast: Cast, db: Database, book: Book
) -> None:
    exporter = principal(db, cast.exporter)
    first, second = book.declarations
    for d in (first, second):
        run(
            db,
            partial(
                collections.file_notice,
                principal=exporter,
                declaration_id=d,
                cause=LossCauseHint.INSOLVENCY,
                today=TODAY,
            ),
        )
    one, two = (_claim(app_client, cast, d, "insolvency") for d in (first, second))
    expiry = app_client.get(
        f"/api/v1/policies/{book.policy_id}", headers=cast.exporter.headers
    ).json()["expiry"]
    assert _check(one, "policy_liability") == (
        "passed",
        f"shipment {first}: in_force: shipped {TODAY.isoformat()}, within the "
        f"policy period {TODAY.isoformat()} to {expiry}: the policy is in force",
    )
    handler = cast.claims_handler.headers
    for c in (one, two):
        assert (
            app_client.post(f"/api/v1/claims/{c['id']}/start-checks", headers=handler).status_code
            == 200
        )
    accept_documents_via_api(app_client, cast.exporter, cast.claims_handler, two["id"])
    r = app_client.post(f"/api/v1/claims/{two['id']}/approve", headers=handler)
    assert (r.status_code, r.json()["state"]) == (200, "approved"), r.text
    r = app_client.post(
        f"/api/v1/policies/{book.policy_id}/terminate",
        headers=cast.finance.headers,
        json={"kind": "rescission_for_fraud", "reason": "forged invoices"},
    )
    assert (r.status_code, r.json()["state"]) == (200, "rescinded"), r.text
    before = counts(db)
    r = app_client.post(f"/api/v1/claims/{one['id']}/approve", headers=handler)
    assert (r.status_code, r.json()["code"]) == (409, "blocking_check_failed")
    assert r.json()["detail"] == (
        "the claim cannot be approved: policy_liability: shipment "
        f"{first}: rescinded_for_fraud: the policy was rescinded for fraud on "
        f"{TODAY.isoformat()}: all liability under it ended, back to inception "
        f"{TODAY.isoformat()}; shipment of {TODAY.isoformat()} is not covered"
    )
    r = app_client.post(
        f"/api/v1/claims/{two['id']}/pay",
        headers={**cast.finance.headers, "Idempotency-Key": "pay-two"},
    )
    assert (r.status_code, r.json()["code"]) == (409, "blocking_check_failed")
    assert "rescinded_for_fraud" in r.json()["detail"]
    assert counts(db) == before
    states = {
        c["id"]: c["state"]
        for c in app_client.get("/api/v1/claims", headers=handler).json()["items"]
    }
    assert (states[one["id"]], states[two["id"]]) == ("checking", "approved")


@dataclass(frozen=True)
class PastBook:
    """A policy that began months ago, its buyer and limit, and the premium's dates."""

    policy_id: int
    buyer_id: int
    month: date  # the billed month
    premium_due: date


def _past_book(client: TestClient, cast: Cast, db: Database) -> PastBook:
    month = (TODAY - timedelta(days=120)).replace(day=1)
    inception = month - timedelta(days=10)
    pol = draft(
        client,
        cast,
        inception=inception,
        claim_terms={"waiting_period_days": 0, "claim_filing_days": 365},
    )
    for step, who in (("quote", cast.underwriter), ("issue", cast.exporter)):
        r = client.post(f"/api/v1/policies/{pol['id']}/{step}", headers=who.headers)
        assert r.status_code == 200, r.text
    b = buyer(client, cast.exporter)["buyer"]
    limit = application(
        client, cast.exporter, policy_id=pol["id"], buyer_id=b["id"], amount="40000"
    )
    assert limit["status"] == "decided", limit
    with transaction(db.factory) as s:  # the limit was approved at inception
        s.execute(update(CreditLimitVersion).values(effective_from=inception))
    return PastBook(pol["id"], b["id"], month, month_end(month) + timedelta(days=31))


def _declare(
    db: Database, cast: Cast, book: PastBook, *, n: int, shipped: date, declared: date, due: date
) -> int:
    exporter = principal(db, cast.exporter)
    with transaction(db.factory) as s:
        return declarations.attach(
            s,
            principal=exporter,
            channel="api",
            today=declared,
            store=store_for(db.engine),
            shipment=Shipment(
                insured_org_id=cast.exporter.org_id,
                policy_id=book.policy_id,
                buyer_id=book.buyer_id,
                payment_terms=PaymentTerms("OA"),
                transport_mode=TransportMode.SEA,
                shipment_date=shipped,
                due_date=due,
                goods_description="machine tools",
                hs_code="8458.11",
                invoice_number=f"INV-{n}",
                currency="USD",
                invoice_amount=Decimal(15_000),
            ),
        ).id


def test_premium_paid_late_after_the_loss_does_not_restore_the_claim_unless_waived(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    # [002] 8.2.3: 如未在規定期限內繳納保險費，將影響到……索賠權益.  The month's premium fell
    # due on D and was paid on D + 15.  Shipment A's invoice fell due unpaid on D + 5,
    # before the premium was paid: no cover.  Shipment B's fell due on D + 20, after it:
    # covered again.
    book = _past_book(app_client, cast, db)
    due = book.premium_due
    shipped, declared = book.month + timedelta(days=3), book.month + timedelta(days=4)
    a = _declare(
        db, cast, book, n=1, shipped=shipped, declared=declared, due=due + timedelta(days=5)
    )
    b = _declare(
        db, cast, book, n=2, shipped=shipped, declared=declared, due=due + timedelta(days=20)
    )
    r = app_client.post(
        "/api/v1/billing/runs",
        headers=cast.finance.headers,
        json={
            "month": f"{book.month:%Y-%m}",
            "issue_date": (month_end(book.month) + timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["due_date"] == due.isoformat()
    with db.factory() as s:
        notice_id, owed = s.execute(
            select(PremiumNotice.id, PremiumNotice.exporter_owed_minor)
        ).one()
    paid_on = due + timedelta(days=15)
    r = app_client.post(
        "/api/v1/billing/payments",
        headers={**cast.finance.headers, "Idempotency-Key": "late-premium"},
        json={
            "payer_kind": "exporter",
            "payer_id": cast.exporter.org_id,
            "amount": str(Decimal(owed) / 100),
            "currency": "USD",
            "received_on": paid_on.isoformat(),
            "reference": "BANK-LATE",
        },
    )
    assert r.status_code == 201, r.text
    exporter = principal(db, cast.exporter)
    for d, invoice_due in ((a, due + timedelta(days=5)), (b, due + timedelta(days=20))):
        run(
            db,
            partial(
                collections.file_notice,
                principal=exporter,
                declaration_id=d,
                cause=LossCauseHint.PROTRACTED_DEFAULT,
                today=invoice_due + timedelta(days=5),
            ),
        )
    claim_a = _claim(app_client, cast, a, "protracted_default")
    assert _check(claim_a, "premium_paid") == (
        "failed",
        f"shipment {a}: premium_late: premium notice {notice_id}, due "
        f"{due.isoformat()}, not paid by its deadline {due.isoformat()} (paid on "
        f"{paid_on.isoformat()}); the loss's cause arose on "
        f"{(due + timedelta(days=5)).isoformat()}, before the premium was paid: no cover",
    )
    claim_b = _claim(app_client, cast, b, "protracted_default")
    assert _check(claim_b, "premium_paid") == (
        "passed",
        f"shipment {b}: paid_before_cause: premium notice {notice_id}, due "
        f"{due.isoformat()}, not paid by its deadline {due.isoformat()} (paid on "
        f"{paid_on.isoformat()}); the loss's cause arose on "
        f"{(due + timedelta(days=20)).isoformat()}, after the premium was paid: "
        "cover restored",
    )
    handler = cast.claims_handler.headers
    assert (
        app_client.post(f"/api/v1/claims/{claim_a['id']}/start-checks", headers=handler).status_code
        == 200
    )
    r = app_client.post(f"/api/v1/claims/{claim_a['id']}/approve", headers=handler)
    assert (r.status_code, r.json()["code"]) == (409, "blocking_check_failed")
    assert r.json()["detail"].startswith("the claim cannot be approved: premium_paid: ")

    # the insurer waives the late premium: four eyes, audited, with its reason
    r = app_client.post(
        "/api/v1/billing/premium-waivers",
        headers=cast.finance.headers,
        json={"notice_id": notice_id, "reason": ""},
    )
    assert (r.status_code, r.json()["field"]) == (422, "body.reason")
    r = app_client.post(
        "/api/v1/billing/premium-waivers",
        headers=cast.exporter.headers,
        json={"notice_id": notice_id, "reason": "bank delay"},
    )
    assert r.status_code == 403
    r = app_client.post(
        "/api/v1/billing/premium-waivers",
        headers=cast.finance.headers,
        json={"notice_id": notice_id, "reason": "the bank delayed the transfer"},
    )
    assert (r.status_code, r.json()["status"]) == (201, "proposed"), r.text
    waiver = r.json()
    # not approved yet: it does not count
    r = app_client.post(f"/api/v1/claims/{claim_a['id']}/approve", headers=handler)
    assert r.status_code == 409
    before = counts(db)
    r = app_client.post(
        f"/api/v1/billing/premium-waivers/{waiver['id']}/approve", headers=cast.finance.headers
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        403,
        "four_eyes_same_person",
        "approved_by",
    )
    assert counts(db) == before
    with db.factory() as s:
        assert s.execute(select(PremiumWaiver.status)).scalar_one() == "proposed"
    r = app_client.post(
        f"/api/v1/billing/premium-waivers/{waiver['id']}/approve",
        headers=cast.claims_handler.headers,
    )
    assert (r.status_code, r.json()["status"], r.json()["approved_on"]) == (
        200,
        "approved",
        TODAY.isoformat(),
    ), r.text
    approver = r.json()["approved_by"]
    assert approver != waiver["proposed_by"]
    assert (
        app_client.get(
            f"/api/v1/billing/premium-waivers?notice_id={notice_id}", headers=cast.exporter.headers
        ).json()[0]["id"]
        == waiver["id"]
    )
    assert (
        app_client.get(
            f"/api/v1/billing/premium-waivers/{waiver['id']}", headers=cast.other_exporter.headers
        ).status_code
        == 404
    )
    accept_documents_via_api(app_client, cast.exporter, cast.claims_handler, claim_a["id"])
    r = app_client.post(f"/api/v1/claims/{claim_a['id']}/approve", headers=handler)
    assert (r.status_code, r.json()["state"]) == (200, "approved"), r.text
    outcome, text = _check(r.json(), "premium_paid")
    assert outcome == "passed"
    assert text == (
        f"shipment {a}: waived: premium notice {notice_id}, due {due.isoformat()}, not paid "
        f"by its deadline {due.isoformat()} (paid on {paid_on.isoformat()}); waiver "
        f"{waiver['id']} proposed by {waiver['proposed_by']} and approved by {approver} on "
        f"{TODAY.isoformat()}: the bank delayed the transfer"
    )
    with db.factory() as s:
        audited = s.execute(
            select(AuditEntry.action, AuditEntry.reason)
            .where(AuditEntry.entity_type == "premium_waiver")
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(row) for row in audited] == [
        ("premium_waiver.proposed", "the bank delayed the transfer"),
        ("premium_waiver.approved", "the bank delayed the transfer"),
    ]


def test_a_shipment_made_while_suspended_is_not_covered_after_reinstatement(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _past_book(app_client, cast, db)
    finance = principal(db, cast.finance)
    run(
        db,
        lambda s: policies.suspend(
            s,
            principal=finance,
            policy_id=book.policy_id,
            reason="premium arrears",
            today=TODAY - timedelta(days=5),
        ),
    )
    r = app_client.post(
        f"/api/v1/policies/{book.policy_id}/reinstate",
        headers=cast.finance.headers,
        json={"reason": "arrears paid"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["suspensions"] == [
        {
            "start": (TODAY - timedelta(days=5)).isoformat(),
            "end": TODAY.isoformat(),
            "reason": "premium arrears",
        }
    ]

    def declare(n: int, shipped: date) -> dict[str, Any]:
        r = app_client.post(
            "/api/v1/declarations",
            headers={**cast.exporter.headers, "Idempotency-Key": f"susp-{n}"},
            json={
                "policy_id": book.policy_id,
                "buyer_id": book.buyer_id,
                "payment_terms": "OA",
                "transport_mode": "sea",
                "shipment_date": shipped.isoformat(),
                "due_date": (TODAY + timedelta(days=60)).isoformat(),
                "goods_description": "pumps",
                "hs_code": "8413.70",
                "invoice_number": f"INV-S{n}",
                "currency": "USD",
                "invoice_amount": "10000.00",
            },
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    during = declare(1, TODAY - timedelta(days=3))
    assert (during["cover_status"], during["reason_code"]) == ("not_covered", "policy_suspended")
    assert during["cover_explanation"] == (
        f"shipped {(TODAY - timedelta(days=3)).isoformat()} while the policy was suspended "
        f"(from {(TODAY - timedelta(days=5)).isoformat()} until its reinstatement on "
        f"{TODAY.isoformat()}): not covered"
    )
    assert declare(2, TODAY - timedelta(days=6))["cover_status"] == "covered_in_full"
    assert declare(3, TODAY)["cover_status"] == "covered_in_full"
