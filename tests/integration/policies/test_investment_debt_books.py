"""Investment-debt money in the double-entry ledger, and idempotent approval and payment.

Premium notices bill the exporter, payments settle it, an approved claim is expensed, its
payment pays the net out of cash and settles the set-off premium ([004] 2.2); ``ledger
check`` reconciles all of it to the cent and names what a tampered sub-ledger breaks.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.builders.policies import issued_investment_debt_policy
from tests.conftest import Cast, Database
from tests.integration.policies.investment_debt_flow import (
    CLAIMS,
    approve_claim,
    audits,
    dates,
    entries,
    file_claim,
    first_three_paid,
    notify,
    period_ids,
)
from tradecover.db.engine import transaction
from tradecover.idempotency import service as idempotency
from tradecover.idempotency.model import IdempotencyRecord
from tradecover.kit.dates import utc_now
from tradecover.reporting import books_check


def _check(db: Database) -> list[str]:
    with transaction(db.factory) as s:
        return books_check.check(s)


def _balances(client: TestClient, cast: Cast) -> dict[str, tuple[str, str, str]]:
    r = client.get("/api/v1/ledger/trial-balance", headers=cast.finance.headers)
    assert r.status_code == 200, r.text
    assert r.json()["balanced"] is True
    return {a["account"]: (a["debit"], a["credit"], a["balance"]) for a in r.json()["accounts"]}


def _keyed(cast: Cast, key: str) -> dict[str, str]:
    return {**cast.finance.headers, "Idempotency-Key": key}


def test_full_lifecycle_balances_to_the_cent(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    first_three_paid(app_client, cast, pid, d)
    ids = period_ids(db, pid)
    exporter = f"exporter:{cast.exporter.org_id}"
    booked = entries(db, "investment_debt:period:")
    assert booked[f"investment_debt:period:{ids[1]}:billed"] == [
        ("premium_income", "credit", 5253000, None),
        ("premium_receivable", "debit", 5253000, exporter),
    ]
    assert booked[f"investment_debt:period:{ids[1]}:billed@"] == d.notice(1).isoformat()
    assert booked[f"investment_debt:period:{ids[3]}:paid"] == [
        ("cash", "debit", 9010000, None),
        ("premium_receivable", "credit", 9010000, exporter),
    ]
    assert (
        booked[f"investment_debt:period:{ids[3]}:paid@"]
        == (d.notice(3) + timedelta(days=30)).isoformat()
    )
    assert len(booked) == 12  # three billed and three paid, each with its date
    assert _check(db) == []

    cid = file_claim(app_client, cast, pid, d.r1_due)["id"]
    notify(app_client, cast, pid, 4, d.today - timedelta(days=5))  # the policy continues
    assert _balances(app_client, cast)["premium_receivable"] == (
        "276250.00",
        "231200.00",
        "45050.00",
    )
    assert _check(db) == []

    approve = f"{CLAIMS}/{cid}/approve"
    headers = {**cast.claims_handler.headers, "Idempotency-Key": "approve-1"}
    first = app_client.post(approve, headers=headers)
    assert first.status_code == 200, first.text
    again = app_client.post(approve, headers=headers)
    assert (again.status_code, again.headers.get("idempotent-replayed")) == (200, "true")
    assert again.json() == first.json()
    assert audits(db, "investment_debt_claim.approved") == 1
    assert entries(db, f"investment_debt_claim:{cid}:approved") == {
        f"investment_debt_claim:{cid}:approved": [
            ("claims_expense", "debit", 560000000, None),
            ("claims_payable", "credit", 560000000, None),
        ],
        f"investment_debt_claim:{cid}:approved@": d.today.isoformat(),
    }

    pay = f"{CLAIMS}/{cid}/pay"
    r = app_client.post(pay, headers=cast.finance.headers)
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        422,
        "idempotency_key_required",
        "Idempotency-Key",
    )
    assert entries(db, f"investment_debt_claim:{cid}:paid") == {}
    paid = app_client.post(pay, headers=_keyed(cast, "pay-1"))
    assert paid.status_code == 200, paid.text
    assert (
        paid.json()["state"],
        paid.json()["premium_set_off"],
        paid.json()["net_payable"],
        paid.json()["set_off_positions"],
    ) == ("paid", "45050.00", "5554950.00", [4])
    replay = app_client.post(pay, headers=_keyed(cast, "pay-1"))
    assert (replay.status_code, replay.headers.get("idempotent-replayed")) == (200, "true")
    assert replay.json() == paid.json()
    reused = app_client.post(approve, headers=_keyed(cast, "pay-1"))
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert entries(db, f"investment_debt_claim:{cid}:paid") == {
        f"investment_debt_claim:{cid}:paid": [
            ("cash", "credit", 555495000, None),
            ("claims_payable", "debit", 560000000, None),
            ("premium_receivable", "credit", 4505000, exporter),
        ],
        f"investment_debt_claim:{cid}:paid@": d.today.isoformat(),
    }
    assert _balances(app_client, cast) == {
        "cash": ("231200.00", "5554950.00", "-5323750.00"),
        "claims_expense": ("5600000.00", "0.00", "5600000.00"),
        "claims_payable": ("5600000.00", "5600000.00", "0.00"),
        "premium_income": ("0.00", "276250.00", "-276250.00"),
        "premium_receivable": ("276250.00", "276250.00", "0.00"),
    }
    assert _check(db) == []
    r = app_client.get("/api/v1/ledger/check", headers=cast.finance.headers)
    assert r.json() == {"ok": True, "problems": []}
    assert (
        audits(db, "investment_debt.notice_issued"),
        audits(db, "investment_debt.premium_paid"),
        audits(db, "investment_debt_claim.paid"),
        audits(db, "investment_debt.premium_set_off"),
    ) == (4, 3, 1, 1)

    # the check proves the books: a premium changed behind the ledger's back is named
    with transaction(db.factory) as s:
        s.execute(
            text("UPDATE investment_debt_periods SET premium_minor = 5253001 WHERE id = :i"),
            {"i": ids[1]},
        )
    assert _check(db) == [
        f"premium of policy {pid} period 1 billed: the ledger says 52530.00 USD to "
        "premium_receivable:debit, the investment-debt sub-ledger 52530.01 USD",
        f"premium of policy {pid} period 1 billed: the ledger says 52530.00 USD to "
        "premium_income:credit, the investment-debt sub-ledger 52530.01 USD",
        f"premium of policy {pid} period 1 paid: the ledger says 52530.00 USD to "
        "cash:debit, the investment-debt sub-ledger 52530.01 USD",
        f"premium of policy {pid} period 1 paid: the ledger says 52530.00 USD to "
        "premium_receivable:credit, the investment-debt sub-ledger 52530.01 USD",
    ]


def test_lump_sum_bills_the_unnotified_premium_it_sets_off(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    first_three_paid(app_client, cast, pid, d)
    cid = file_claim(
        app_client, cast, pid, d.r1_due, settlement="lump_sum", missed_interest="500000"
    )["id"]
    approve_claim(app_client, cast, cid)
    r = app_client.post(f"{CLAIMS}/{cid}/pay", headers=_keyed(cast, "lump-1"))
    assert r.status_code == 200, r.text
    assert (r.json()["indemnity"], r.json()["premium_set_off"], r.json()["net_payable"]) == (
        "10500000.00",
        "45050.00",
        "10454950.00",
    )
    exporter = f"exporter:{cast.exporter.org_id}"
    period4 = period_ids(db, pid)[4]
    assert entries(db, f"investment_debt:period:{period4}:") == {
        f"investment_debt:period:{period4}:billed": [
            ("premium_income", "credit", 4505000, None),
            ("premium_receivable", "debit", 4505000, exporter),
        ],
        f"investment_debt:period:{period4}:billed@": d.today.isoformat(),
    }
    assert entries(db, f"investment_debt_claim:{cid}:paid")[
        f"investment_debt_claim:{cid}:paid"
    ] == [
        ("cash", "credit", 1045495000, None),
        ("claims_payable", "debit", 1050000000, None),
        ("premium_receivable", "credit", 4505000, exporter),
    ]
    assert _balances(app_client, cast)["premium_receivable"] == (
        "276250.00",
        "276250.00",
        "0.00",
    )
    assert _check(db) == []


def test_payment_in_flight_answers_409_and_pays_nothing(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    d = dates()
    pid = issued_investment_debt_policy(app_client, cast, d.inception)
    first_three_paid(app_client, cast, pid, d)
    cid = file_claim(app_client, cast, pid, d.r1_due)["id"]
    approve_claim(app_client, cast, cid)
    path = f"/api/v1/investment-debt/claims/{cid}/pay"
    held = idempotency.HeldKey(
        cast.finance.org_id, "busy", idempotency.fingerprint(method="POST", path=path, body={})
    )
    with db.factory() as running:  # the first request, still running: it holds the key
        if db.backend == "postgresql":
            assert idempotency.hold(running, held) is None
        else:  # SQLite serialises writers: in flight is a key left in progress
            running.add(
                IdempotencyRecord(
                    org_id=held.org_id,
                    key=held.key,
                    fingerprint=held.fingerprint,
                    status="in_progress",
                    created_at=utc_now(),
                )
            )
            running.commit()
        r = app_client.post(path, headers=_keyed(cast, "busy"))
        assert (r.status_code, r.json()["code"]) == (409, "idempotency_in_progress")
    r = app_client.get(f"{CLAIMS}/{cid}", headers=cast.finance.headers)
    assert (r.json()["state"], r.json()["net_payable"]) == ("approved", "5600000.00")
    assert entries(db, f"investment_debt_claim:{cid}:paid") == {}
    assert audits(db, "investment_debt_claim.paid") == 0
    # a refused payment leaves the key free for a corrected retry
    r = app_client.post(f"{CLAIMS}/999999/pay", headers=_keyed(cast, "missing"))
    assert (r.status_code, r.json()["code"]) == (404, "claim_not_found")
    r = app_client.post(path, headers=_keyed(cast, "retry"))
    assert (r.status_code, r.json()["net_payable"]) == (200, "5600000.00")
    assert _check(db) == []
