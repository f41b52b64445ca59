"""Shared steps of the investment-debt end-to-end tests ([004]) through the API.

The loan of [004] 3.2: drawdown 6 m (+180 k interest) and 4 m (+420 k), repayment 5 m
(+600 k) and 5 m (+300 k), priced at 0.85 % a period: premiums 52,530, 88,570, 90,100 and
45,050 (total 276,250).  The policy started three years and 30 days ago, so repayment
period 1 (the third period of insurance) fell due yesterday a month ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests.conftest import Cast, Database
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.kit.dates import add_years, business_today

CLAIMS = "/api/v1/investment-debt/claims"
PREMIUMS = ("52530.00", "88570.00", "90100.00", "45050.00")


@dataclass(frozen=True)
class Dates:
    """The business dates of the scenario."""

    today: date
    inception: date
    r1_due: date

    def notice(self, position: int) -> date:
        """Notice date of a period: its anniversary."""
        return add_years(self.inception, position - 1)


def dates() -> Dates:
    """Inception three years and 30 days ago; repayment 1 due at the end of period 3."""
    today = business_today()
    inception = add_years(today, -3) - timedelta(days=30)
    return Dates(today, inception, add_years(inception, 3) - timedelta(days=1))


def notify(client: TestClient, cast: Cast, pid: int, position: int, on: date) -> Any:
    """Send a period's premium notice; the schedule answered."""
    r = client.post(
        f"/api/v1/policies/{pid}/investment-debt-schedule/notices",
        json={"position": position, "notice_date": on.isoformat()},
        headers=cast.finance.headers,
    )
    assert r.status_code == 200, r.text
    return r.json()


def pay_premium(client: TestClient, cast: Cast, pid: int, position: int, on: date) -> None:
    """Record a period's premium paid."""
    r = client.post(
        f"/api/v1/policies/{pid}/investment-debt-schedule/payments",
        json={"position": position, "paid_on": on.isoformat()},
        headers=cast.finance.headers,
    )
    assert r.status_code == 200, r.text


def first_three_paid(client: TestClient, cast: Cast, pid: int, d: Dates) -> None:
    """Periods 1 to 3 notified on their anniversaries and paid on the 30th day."""
    for position in (1, 2, 3):
        notify(client, cast, pid, position, d.notice(position))
        pay_premium(client, cast, pid, position, d.notice(position) + timedelta(days=30))


def file_claim(client: TestClient, cast: Cast, pid: int, due: date, **change: Any) -> Any:
    """The exporter claims repayment period 1, due on ``due`` (``change`` overrides the
    body); the claim answered."""
    r = client.post(
        CLAIMS,
        json={
            "policy_id": pid,
            "repayment_period": 1,
            "repayment_due_date": due.isoformat(),
            **change,
        },
        headers=cast.exporter.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def approve_claim(client: TestClient, cast: Cast, cid: int) -> Any:
    """The claims handler approves a claim; the claim answered."""
    r = client.post(f"{CLAIMS}/{cid}/approve", headers=cast.claims_handler.headers)
    assert r.status_code == 200, r.text
    return r.json()


def audits(db: Database, action: str) -> int:
    """How many audit entries of ``action`` there are."""
    with transaction(db.factory) as s:
        return int(
            s.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            ).scalar_one()
        )


def entries(db: Database, prefix: str) -> dict[str, Any]:
    """The ledger entries whose key starts with ``prefix``: key -> sorted lines
    (account, side, minor units, party), plus the posting date under ``key + '@'``.
    """
    found: dict[str, Any] = {}
    with transaction(db.factory) as s:
        for key, posted_on, account, side, amount, party in s.execute(
            text(
                "SELECT e.key, e.posted_on, l.account, l.side, l.amount_minor, l.party "
                "FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id "
                "WHERE e.key LIKE :p ORDER BY e.key, l.id"
            ),
            {"p": prefix + "%"},
        ):
            found.setdefault(key, []).append((account, side, int(amount), party))
            found[key + "@"] = str(posted_on)
    return {k: sorted(v) if isinstance(v, list) else v for k, v in found.items()}


def period_ids(db: Database, pid: int) -> dict[int, int]:
    """position -> period id of a policy's schedule."""
    with transaction(db.factory) as s:
        return {
            int(pos): int(i)
            for i, pos in s.execute(
                text(
                    "SELECT p.id, p.position FROM investment_debt_periods p JOIN "
                    "investment_debt_schedules s ON s.id = p.schedule_id WHERE s.policy_id = :p"
                ),
                {"p": pid},
            )
        }
