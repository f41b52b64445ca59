"""Payments oldest first with idempotent replay, arrears -> suspension -> attachment refused,
and who may see which notice."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import book, declaration_row, declare
from tradecover.access.service import system_principal
from tradecover.billing import arrears, jobs
from tradecover.billing.model import Payment, PaymentAllocation, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import business_today
from tradecover.ledger.model import LedgerEntry
from tradecover.policies.model import Policy
from tradecover.reporting import books_check


def _bill(db: Database, month: str, issue: date) -> None:
    with transaction(db.factory) as s:
        principal = system_principal(s)
    jobs.run_month(
        db.factory, principal=principal, month=month, issue_date=issue, terms=DEFAULT_TERMS
    )


def _two_notices(db: Database, client: TestClient, cast: Cast) -> tuple[int, dict[str, int]]:
    b = book(db, client, cast)
    pid, org, buyer = b.policy_ids[0], b.exporter_org_id, b.buyer_id
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=2000,
                    day=date(2026, 9, 10),
                    n=1,
                ),
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=13401,
                    day=date(2026, 10, 10),
                    n=2,
                ),
            ],
        )
    _bill(db, "2026-09", date(2026, 10, 5))  # due 2026-11-04
    _bill(db, "2026-10", date(2026, 11, 2))  # due 2026-12-02
    with db.factory() as s:
        ids = {f"{m:%Y-%m}": i for i, m in s.execute(select(PremiumNotice.id, PremiumNotice.month))}
    return pid, ids


def _pay(client: TestClient, cast: Cast, key: str, **over: Any) -> Any:
    body = {
        "payer_kind": "exporter",
        "payer_id": cast.exporter.org_id,
        "amount": "150.00",
        "currency": "USD",
        "received_on": "2026-11-20",
        "reference": "BANK-001",
        **over,
    }
    return client.post(
        "/api/v1/billing/payments",
        json=body,
        headers={**cast.finance.headers, "Idempotency-Key": key},
    )


def test_payment_pays_oldest_first_and_a_replay_answers_the_same(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    _pid, ids = _two_notices(db, app_client, cast)
    first = _pay(app_client, cast, "pay-1")
    assert first.status_code == 201, first.text
    assert first.json()["allocations"] == [
        {"notice_id": ids["2026-09"], "amount": "20.00"},
        {"notice_id": ids["2026-10"], "amount": "130.00"},
    ]
    assert (first.json()["applied"], first.json()["unapplied"]) == ("150.00", "0.00")
    replay = _pay(app_client, cast, "pay-1")
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    changed = _pay(app_client, cast, "pay-1", amount="151.00")
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    over = _pay(app_client, cast, "pay-2", amount="10.00")
    assert over.json()["allocations"] == [{"notice_id": ids["2026-10"], "amount": "4.01"}]
    assert (over.json()["applied"], over.json()["unapplied"]) == ("4.01", "5.99")
    with db.factory() as s:
        assert int(s.execute(select(func.count()).select_from(Payment)).scalar_one()) == 2
        assert int(s.execute(select(func.count()).select_from(PaymentAllocation)).scalar_one()) == 3
        paid = dict(s.execute(select(PremiumNotice.id, PremiumNotice.exporter_paid_minor)).all())
        assert paid == {ids["2026-09"]: 2000, ids["2026-10"]: 13401}
        assert books_check.check(s) == []
    listed = app_client.get("/api/v1/billing/notices?unpaid=true", headers=cast.finance.headers)
    assert listed.json()["total"] == 0


def test_refused_payments_write_nothing(db: Database, app_client: TestClient, cast: Cast) -> None:
    _two_notices(db, app_client, cast)
    before_entries = _count(db, LedgerEntry)
    assert _pay(app_client, cast, "k1", amount="0").json()["code"] == "payment_not_positive"
    assert _pay(app_client, cast, "k2", amount="1.001").json()["code"] == "too_many_decimals"
    assert _pay(app_client, cast, "k3", payer_id=999).status_code == 404
    no_key = app_client.post(
        "/api/v1/billing/payments",
        headers=cast.finance.headers,
        json={
            "payer_kind": "exporter",
            "payer_id": cast.exporter.org_id,
            "amount": "1.00",
            "currency": "USD",
            "received_on": "2026-11-20",
            "reference": "X",
        },
    )
    assert no_key.json()["code"] == "idempotency_key_required"
    exporter = app_client.post(
        "/api/v1/billing/payments",
        json={
            "payer_kind": "exporter",
            "payer_id": cast.exporter.org_id,
            "amount": "1.00",
            "currency": "USD",
            "received_on": "2026-11-20",
            "reference": "X",
        },
        headers={**cast.exporter.headers, "Idempotency-Key": "k4"},
    )
    assert exporter.status_code == 403
    assert _count(db, Payment) == 0 and _count(db, LedgerEntry) == before_entries


def _count(db: Database, model: Any) -> int:
    with db.factory() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_arrears_put_shipments_at_risk_then_suspend_and_attachment_is_refused(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    pid, _ids = _two_notices(db, app_client, cast)
    with db.factory() as s:
        decl = arrears.shipments_at_risk(s, today=date(2026, 11, 5), terms=DEFAULT_TERMS)
        assert len(decl) == 1  # September's declaration, due 2026-11-04
        assert arrears.shipments_at_risk(s, today=date(2026, 11, 4), terms=DEFAULT_TERMS) == []
        assert arrears.premium_paid_for_declaration(s, decl[0]) is False
    # not yet 60 days past due: nothing suspended
    early = app_client.post(
        "/api/v1/billing/arrears-job", json={"today": "2027-01-03"}, headers=cast.finance.headers
    )
    assert early.status_code == 200 and early.json() == []
    late = app_client.post(
        "/api/v1/billing/arrears-job", json={"today": "2027-01-04"}, headers=cast.finance.headers
    )
    assert [s["policy_id"] for s in late.json()] == [pid]
    assert late.json()[0]["days_past_due"] == 61
    with db.factory() as s:
        assert s.get(Policy, pid).state == "suspended"  # type: ignore[union-attr]
    again = app_client.post(
        "/api/v1/billing/arrears-job", json={"today": "2027-01-04"}, headers=cast.finance.headers
    )
    assert again.json() == []
    with db.factory() as s:
        buyer_id = int(s.execute(select(Declaration.buyer_id)).scalars().first() or 0)
    today = business_today()
    answer = app_client.post(
        "/api/v1/declarations",
        headers={**cast.exporter.headers, "Idempotency-Key": "decl-1"},
        json={
            "policy_id": pid,
            "buyer_id": buyer_id,
            "payment_terms": "OA",
            "transport_mode": "sea",
            "shipment_date": today.isoformat(),
            "due_date": date(today.year + 1, 1, 30).isoformat(),
            "goods_description": "pumps",
            "hs_code": "8413.70",
            "invoice_number": "INV-AFTER",
            "currency": "USD",
            "invoice_amount": "10000.00",
        },
    )
    body = answer.json()
    assert answer.status_code == 201, answer.text
    assert (body["cover_status"], body["reason_code"], body["covered_amount"], body["premium"]) == (
        "not_covered",
        "policy_suspended",
        "0.00",
        "0.00",
    )
    assert body["cover_explanation"] == (
        "the policy is suspended for premium arrears: declarations are not accepted"
    )
    # paying the arrears puts the September shipment back in order
    assert _pay(app_client, cast, "pay-arrears", amount="20.00").status_code == 201
    with db.factory() as s:
        assert arrears.premium_paid_for_declaration(s, decl[0]) is True
        assert (
            arrears.shipments_at_risk(
                s, today=date(2027, 1, 4), terms=DEFAULT_TERMS, declaration_ids=decl
            )
            == []
        )


def test_exporters_see_only_their_notices_and_programmes_only_their_statement(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    _pid, ids = _two_notices(db, app_client, cast)
    mine = app_client.get("/api/v1/billing/notices", headers=cast.exporter.headers)
    assert mine.json()["total"] == 2
    theirs = app_client.get("/api/v1/billing/notices", headers=cast.other_exporter.headers)
    assert theirs.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    one = app_client.get(
        f"/api/v1/billing/notices/{ids['2026-10']}", headers=cast.other_exporter.headers
    )
    missing = app_client.get("/api/v1/billing/notices/999999", headers=cast.exporter.headers)
    assert one.status_code == missing.status_code == 404
    assert one.json()["code"] == missing.json()["code"] == "notice_not_found"
    own = app_client.get(f"/api/v1/billing/notices/{ids['2026-10']}", headers=cast.exporter.headers)
    assert own.status_code == 200
    assert (own.json()["total"], own.json()["exporter_owes"], own.json()["splits"]) == (
        "134.01",
        "134.01",
        [],
    )
    assert [d["premium"] for d in own.json()["declarations"]] == ["134.01"]
    for actor in (cast.exporter, cast.bank, cast.underwriter):
        assert (
            app_client.get("/api/v1/ledger/trial-balance", headers=actor.headers).status_code == 403
        )
    tb = app_client.get("/api/v1/ledger/trial-balance", headers=cast.finance.headers).json()
    assert tb["balanced"] is True and tb["totals"] == {"USD": "0.00"}
