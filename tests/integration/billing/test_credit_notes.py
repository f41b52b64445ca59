"""Credit notes settle older unpaid notices of their policy; what is left is a credit balance.

A declaration of a billed month that is cancelled afterwards comes back as a credit on the
next notice; when that notice is negative (a credit note), its credit is allocated to the
exporter's oldest unpaid notices of the same policy and currency, so ageing and the
arrears job see what is really owed, and any credit left is used by the next notice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database
from tests.integration.billing.helpers import book, declaration_row, declare, end_declaration
from tradecover.access.service import system_principal
from tradecover.audit.model import AuditEntry
from tradecover.billing import jobs
from tradecover.billing.model import CreditAllocation, PremiumNotice
from tradecover.billing.notice import DEFAULT_TERMS
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.ledger import service as ledger
from tradecover.ledger.journal import Account
from tradecover.ledger.model import LedgerEntry, LedgerLine
from tradecover.policies.model import Policy
from tradecover.reporting import books_check

LATE = {"today": "2027-02-15"}  # the October notices (due 2026-12-02) are 75 days past due


def _run(db: Database, month: str, issue: date) -> None:
    with transaction(db.factory) as s:
        principal = system_principal(s)
    jobs.run_month(
        db.factory, principal=principal, month=month, issue_date=issue, terms=DEFAULT_TERMS
    )


def _cancel(db: Database, invoice: str) -> None:
    with transaction(db.factory) as s:
        did = s.execute(
            select(Declaration.id).where(Declaration.invoice_number == invoice)
        ).scalar_one()
        end_declaration(s, did)


def _notice(db: Database, policy_id: int, month: date) -> PremiumNotice:
    with db.factory() as s:
        return s.execute(
            select(PremiumNotice).where(
                PremiumNotice.policy_id == policy_id, PremiumNotice.month == month
            )
        ).scalar_one()


def _ageing(client: TestClient, cast: Cast) -> list[dict[str, Any]]:
    r = client.get("/api/v1/billing/ageing?today=2027-02-15", headers=cast.exporter.headers)
    assert r.status_code == 200, r.text
    return list(r.json())


def _october(db: Database, client: TestClient, cast: Cast, premiums: list[list[int]]) -> list[int]:
    """One policy per list of premiums, each declared in October and billed."""
    b = book(db, client, cast, policies=len(premiums))
    with transaction(db.factory) as s:
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=b.exporter_org_id,
                    buyer_id=b.buyer_id,
                    premium_minor=p,
                    day=date(2026, 10, 3 + n),
                    n=n,
                )
                for pid, ps in zip(b.policy_ids, premiums, strict=True)
                for n, p in enumerate(ps, start=1)
            ],
        )
    _run(db, "2026-10", date(2026, 11, 2))
    return b.policy_ids


def test_a_fully_credited_notice_is_not_in_arrears_and_its_policy_is_not_suspended(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    credited, unpaid = _october(db, app_client, cast, [[10000], [7000]])
    _cancel(db, f"INV-{credited}-1")
    _run(db, "2026-11", date(2026, 12, 1))
    october = _notice(db, credited, date(2026, 10, 1))
    credit = _notice(db, credited, date(2026, 11, 1))
    assert credit.exporter_owed_minor == -10000
    assert (october.exporter_owed_minor, october.exporter_paid_minor) == (10000, 10000)
    # only the other policy's 70.00 is still owed, 75 days past due
    [usd] = _ageing(app_client, cast)
    assert usd["buckets"]["61-90"] == "70.00" and usd["credit"] == "0.00"
    answer = app_client.post("/api/v1/billing/arrears-job", json=LATE, headers=cast.finance.headers)
    assert answer.status_code == 200, answer.text
    assert [s["policy_id"] for s in answer.json()] == [unpaid]
    with db.factory() as s:
        assert s.get(Policy, credited).state == "active"  # type: ignore[union-attr]
        assert s.get(Policy, unpaid).state == "suspended"  # type: ignore[union-attr]
        [allocation] = s.execute(select(CreditAllocation)).scalars()
        assert (allocation.credit_notice_id, allocation.notice_id, allocation.amount_minor) == (
            credit.id,
            october.id,
            10000,
        )
        entry = s.execute(
            select(LedgerEntry).where(LedgerEntry.key == f"credit:{allocation.id}")
        ).scalar_one()
        assert sorted(
            (line.account, line.side, line.amount_minor)
            for line in s.execute(
                select(LedgerLine).where(LedgerLine.entry_id == entry.id)
            ).scalars()
        ) == [("premium_receivable", "credit", 10000), ("premium_receivable", "debit", 10000)]
        audited = s.execute(
            select(AuditEntry).where(AuditEntry.action == "billing.credit_applied")
        ).scalar_one()
        assert audited.entity_id == str(credit.id)
        assert books_check.check(s) == []


def test_a_partial_credit_reduces_what_is_aged_and_the_rest_still_suspends(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    [pid] = _october(db, app_client, cast, [[10000, 4000]])
    _cancel(db, f"INV-{pid}-2")
    _run(db, "2026-11", date(2026, 12, 1))
    october = _notice(db, pid, date(2026, 10, 1))
    assert (october.exporter_owed_minor, october.exporter_paid_minor) == (14000, 4000)
    [usd] = _ageing(app_client, cast)
    assert usd["buckets"]["61-90"] == "100.00"
    answer = app_client.post("/api/v1/billing/arrears-job", json=LATE, headers=cast.finance.headers)
    assert [s["policy_id"] for s in answer.json()] == [pid]
    with db.factory() as s:
        assert books_check.check(s) == []


def test_credit_left_over_is_shown_on_the_account_and_used_by_the_next_notice(
    db: Database, app_client: TestClient, cast: Cast
) -> None:
    [pid] = _october(db, app_client, cast, [[10000]])
    paid = app_client.post(
        "/api/v1/billing/payments",
        json={
            "payer_kind": "exporter",
            "payer_id": cast.exporter.org_id,
            "amount": "100.00",
            "currency": "USD",
            "received_on": "2026-11-20",
            "reference": "BANK-1",
        },
        headers={**cast.finance.headers, "Idempotency-Key": "pay-1"},
    )
    assert paid.status_code == 201, paid.text
    _cancel(db, f"INV-{pid}-1")
    _run(db, "2026-11", date(2026, 12, 1))
    # nothing is unpaid: the whole credit stays on the account
    [usd] = _ageing(app_client, cast)
    assert usd["credit"] == "100.00" and set(usd["buckets"].values()) <= {"0.00"}
    with transaction(db.factory) as s:
        org = s.get(Policy, pid).exporter_org_id  # type: ignore[union-attr]
        buyer = int(s.execute(select(Declaration.buyer_id)).scalars().first() or 0)
        declare(
            s,
            [
                declaration_row(
                    policy_id=pid,
                    org_id=org,
                    buyer_id=buyer,
                    premium_minor=6000,
                    day=date(2026, 12, 5),
                    n=9,
                )
            ],
        )
    _run(db, "2026-12", date(2027, 1, 2))
    december = _notice(db, pid, date(2026, 12, 1))
    assert (december.exporter_owed_minor, december.exporter_paid_minor) == (6000, 6000)
    [usd] = _ageing(app_client, cast)
    assert usd["credit"] == "40.00"
    with db.factory() as s:
        tb = ledger.trial_balance(s)
        # the exporter's balance is the 40.00 it is owed back
        assert tb.balance(Account.PREMIUM_RECEIVABLE, "USD", f"exporter:{org}") == -40
        assert books_check.check(s) == []
