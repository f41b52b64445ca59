"""Under-used limits: the job proposes reductions, underwriters accept or dismiss them
(one or in bulk) through the API and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from tests.builders.declarations import declaring_policy
from tests.builders.limits import limit_in_force
from tests.conftest import Cast, Database, make_person, sign_in
from tradecover.access.roles import Role
from tradecover.audit.model import AuditEntry
from tradecover.cli import context as cli_context
from tradecover.cli.main import app as cli_app
from tradecover.config import get_settings
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import business_today
from tradecover.limits.model import (
    CreditLimit,
    CreditLimitVersion,
    LimitNotification,
    LimitReductionProposal,
)

TODAY = business_today()
JOB = "/api/v1/limits/jobs/propose-reductions"
BASE = "/api/v1/limit-reduction-proposals"


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", db.url)
    # the CLI's console measured its width when it was made: widen it for the tables
    monkeypatch.setattr(cli_context.console, "width", 200)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _limit(
    client: TestClient, cast: Cast, pol: dict[str, Any], *, name: str, amount: str = "40000"
) -> int:
    return limit_in_force(
        client,
        cast.exporter,
        policy_id=pol["id"],
        amount=amount,
        name=name,
        registration_number=f"HRB {name}",
    ).limit_id


def _declare(
    client: TestClient,
    cast: Cast,
    pol: dict[str, Any],
    limit_id: int,
    *,
    invoice: str,
    amount: str,
    shipped: date,
) -> int:
    with_buyer = client.get(f"/api/v1/limits/{limit_id}", headers=cast.exporter.headers).json()
    r = client.post(
        "/api/v1/declarations",
        headers={**cast.exporter.headers, "Idempotency-Key": invoice},
        json={
            "policy_id": pol["id"],
            "buyer_id": with_buyer["buyer_id"],
            "payment_terms": "OA",
            "transport_mode": "sea",
            "shipment_date": shipped.isoformat(),
            "due_date": (shipped + timedelta(days=60)).isoformat(),
            "goods_description": "CNC milling machines",
            "hs_code": "8459.61",
            "invoice_number": invoice,
            "currency": "USD",
            "invoice_amount": amount,
            "prepayment": "0",
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _backdate(db: Database, days: int) -> None:
    """Every limit (and its versions) in force since ``days`` days ago."""
    since = TODAY - timedelta(days=days)
    with db.factory() as s, s.begin():
        s.execute(update(CreditLimit).values(effective_from=since))
        s.execute(update(CreditLimitVersion).values(effective_from=since))


def _rows(db: Database) -> dict[str, int]:
    with db.factory() as s:
        return {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (LimitReductionProposal, CreditLimitVersion, LimitNotification, AuditEntry)
        }


@pytest.fixture
def book(app_client: TestClient, cast: Cast, db: Database) -> dict[str, int]:
    """Three USD 40,000 limits in force for 60 days: one used at 20 %, one at 30 %, one
    at 12.5 % whose shipment was collected in part."""
    pol = declaring_policy(app_client, cast)
    low = _limit(app_client, cast, pol, name="Alpha GmbH")
    busy = _limit(app_client, cast, pol, name="Beta GmbH")
    paid = _limit(app_client, cast, pol, name="Gamma GmbH")
    _backdate(db, 60)
    shipped = TODAY - timedelta(days=10)
    _declare(app_client, cast, pol, low, invoice="A-1", amount="5000.00", shipped=shipped)
    _declare(app_client, cast, pol, low, invoice="A-2", amount="3000.00", shipped=shipped)
    _declare(app_client, cast, pol, busy, invoice="B-1", amount="12000.00", shipped=shipped)
    gamma = _declare(app_client, cast, pol, paid, invoice="C-1", amount="5000.00", shipped=shipped)
    r = app_client.post(
        "/api/v1/collections/confirmations",
        headers=cast.exporter.headers,
        json={
            "declaration_id": gamma,
            "outcome": "paid_in_part",
            "amount": "4000.00",
            "currency": "USD",
            "paid_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    return {"low": low, "busy": busy, "paid": paid}


def test_job_proposes_only_under_used_limits_once(
    app_client: TestClient, cast: Cast, db: Database, book: dict[str, int]
) -> None:
    uw = cast.underwriter.headers
    assert app_client.post(JOB, headers=cast.exporter.headers, json={}).status_code == 403
    r = app_client.post(JOB, headers=uw, json={"period_days": 30})
    assert r.status_code == 200, r.text
    assert len(r.json()["proposed"]) == 2 and r.json()["lapsed"] == []
    listed = app_client.get(BASE, headers=uw).json()
    assert listed["total"] == 2
    by_limit = {p["limit_id"]: p for p in listed["items"]}
    low, paid = by_limit[book["low"]], by_limit[book["paid"]]
    assert (
        low["status"],
        low["approved"],
        low["peak_outstanding"],
        low["peak_share"],
        low["proposed"],
        low["period_days"],
        low["window_start"],
        low["max_share"],
    ) == (
        "pending",
        {"amount": "40000.00", "currency": "USD"},
        {"amount": "8000.00", "currency": "USD"},
        "0.2000",
        {"amount": "16000.00", "currency": "USD"},
        30,
        (TODAY - timedelta(days=29)).isoformat(),
        "0.25",
    )
    # the peak was before the collection: 5,000 of 40,000 = 12.5 %
    assert (paid["peak_outstanding"]["amount"], paid["peak_share"], paid["proposed"]["amount"]) == (
        "5000.00",
        "0.1250",
        "10000.00",
    )
    assert book["busy"] not in by_limit  # 30 % is used enough
    before = _rows(db)
    again = app_client.post(JOB, headers=uw, json={"period_days": 30})
    assert again.json() == {"proposed": [], "lapsed": []}
    assert _rows(db) == before
    # a window longer than the limits have been in force judges nothing
    assert app_client.post(JOB, headers=uw, json={"period_days": 90}).json()["proposed"] == []
    assert app_client.get(BASE, headers=cast.exporter.headers).status_code == 403


def test_accept_reduces_with_notice_and_keeps_past_cover(
    app_client: TestClient, cast: Cast, db: Database, book: dict[str, int]
) -> None:
    uw = cast.underwriter.headers
    app_client.post(JOB, headers=uw, json={"period_days": 30})
    pid = next(
        p["id"]
        for p in app_client.get(BASE, headers=uw).json()["items"]
        if p["limit_id"] == book["low"]
    )
    before = _rows(db)
    bad = app_client.post(f"{BASE}/{pid}/accept", headers=uw, json={"amount": "40000"})
    assert bad.status_code == 422 and bad.json()["code"] == "amount_out_of_range"
    assert _rows(db) == before
    r = app_client.post(f"{BASE}/{pid}/accept", headers=uw, json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["version_id"] is not None
    limit = app_client.get(f"/api/v1/limits/{book['low']}", headers=uw).json()
    assert limit["amount"] == {"amount": "16000.00", "currency": "USD"}
    versions = app_client.get(f"/api/v1/limits/{book['low']}/versions", headers=uw).json()
    assert [(v["kind"], v["amount"]["amount"], v["effective_from"]) for v in versions][-1] == (
        "reduction",
        "16000.00",
        TODAY.isoformat(),
    )
    assert versions[-1]["reason"] == "under-used: peak outstanding 8000.00 USD over 30 days"
    notes = app_client.get("/api/v1/limit-notifications", headers=cast.exporter.headers).json()
    assert notes["total"] == 1 and notes["items"][0]["kind"] == "reduced"
    assert notes["items"][0]["limit_id"] == book["low"]
    with db.factory() as s:  # shipments made keep the version they were covered under
        covered = s.execute(
            select(Declaration.covered_minor, CreditLimitVersion.number)
            .join(CreditLimitVersion, CreditLimitVersion.id == Declaration.limit_version_id)
            .where(Declaration.limit_id == book["low"])
            .order_by(Declaration.id)
        ).all()
        assert [tuple(c) for c in covered] == [(500000, 1), (300000, 1)]
        actions = (
            s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.entity_type == "limit_reduction_proposal")
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        assert actions.count("limit.reduction_proposed") == 2
        assert actions[-1] == "limit.reduction_accepted"
    twice = app_client.post(f"{BASE}/{pid}/accept", headers=uw, json={})
    assert twice.status_code == 409 and twice.json()["code"] == "proposal_not_pending"


def test_dismiss_bulk_and_outdated_proposals(
    app_client: TestClient, cast: Cast, db: Database, book: dict[str, int]
) -> None:
    uw = cast.underwriter.headers
    proposed = app_client.post(JOB, headers=uw, json={"period_days": 30}).json()["proposed"]
    low, paid = sorted(proposed)
    no_reason = app_client.post(f"{BASE}/{low}/dismiss", headers=uw, json={"reason": ""})
    assert no_reason.status_code == 422
    before = _rows(db)
    missing = app_client.post(
        f"{BASE}/bulk", headers=uw, json={"proposal_ids": [low, 999999], "action": "accept"}
    )
    assert missing.status_code == 404 and _rows(db) == before
    # the limit is reduced by hand meanwhile: the proposal is skipped, then lapsed
    paid_limit = app_client.get(f"{BASE}/{paid}", headers=uw).json()["limit_id"]
    cut = app_client.post(
        f"/api/v1/limits/{paid_limit}/reduce",
        headers=uw,
        json={"amount": "30000", "reason": "review"},
    )
    assert cut.status_code == 200, cut.text
    r = app_client.post(
        f"{BASE}/bulk",
        headers=uw,
        json={"proposal_ids": [low, paid], "action": "dismiss", "reason": "seasonal buyers"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"decided": [low], "skipped": {str(paid): "limit changed"}}
    assert app_client.get(f"{BASE}/{low}", headers=uw).json()["decision_reason"] == (
        "seasonal buyers"
    )
    outdated = app_client.post(f"{BASE}/{paid}/accept", headers=uw, json={})
    assert outdated.status_code == 409 and outdated.json()["code"] == "proposal_outdated"
    rerun = app_client.post(JOB, headers=uw, json={"period_days": 30}).json()
    # dismissed today: not proposed again; reduced today: not judged yet
    assert rerun == {"proposed": [], "lapsed": [paid]}
    statuses = app_client.get(f"{BASE}?status=all", headers=uw).json()["items"]
    assert sorted((p["id"], p["status"]) for p in statuses) == [
        (low, "dismissed"),
        (paid, "lapsed"),
    ]
    bad = app_client.get(f"{BASE}?status=maybe", headers=uw)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_status"


def test_cli_runs_the_job_lists_and_accepts(
    cli: CliRunner, db: Database, book: dict[str, int]
) -> None:
    result = cli.invoke(cli_app, ["limits", "propose-reductions", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "2 reductions proposed, 0 lapsed" in result.output
    listed = cli.invoke(cli_app, ["limits", "proposals"])
    assert listed.exit_code == 0 and "16000.00 USD" in listed.output
    with db.factory() as s:
        ids = [
            str(i)
            for i in s.execute(
                select(LimitReductionProposal.id).order_by(LimitReductionProposal.id)
            ).scalars()
        ]
    bad = cli.invoke(cli_app, ["limits", "decide-proposals", *ids, "--action", "dismiss"])
    assert bad.exit_code == 4, bad.output
    done = cli.invoke(cli_app, ["limits", "decide-proposals", *ids, "--action", "accept"])
    assert done.exit_code == 0, done.output
    assert "2 proposals accepted, 0 skipped" in done.output
    with db.factory() as s:
        amounts = dict(s.execute(select(CreditLimit.id, CreditLimit.amount_minor)).all())
    assert (amounts[book["low"]], amounts[book["paid"]], amounts[book["busy"]]) == (
        1_600_000,
        1_000_000,
        4_000_000,
    )


def test_underwriter_page_runs_the_job_accepts_and_dismisses(
    app_client: TestClient, cast: Cast, db: Database, book: dict[str, int]
) -> None:
    exporter = make_person(db, "acme-exports", Role.EXPORTER, "li.wei@acme.example")
    sign_in(app_client, exporter)
    assert app_client.get("/limits/reduction-proposals").status_code == 403
    assert app_client.post("/limits/reduction-proposals/run").status_code == 403
    sign_in(app_client, make_person(db, "insurer", Role.UNDERWRITER, "uw@insurer.example"))
    empty = app_client.get("/limits/reduction-proposals")
    assert empty.status_code == 200 and "No reduction proposal." in empty.text
    # the configured period (180 days) is longer than the limits have been in force
    ran = app_client.post("/limits/reduction-proposals/run")
    assert ran.status_code == 200 and "Reductions proposed: 0" in ran.text
    _backdate(db, 200)
    ran = app_client.post("/limits/reduction-proposals/run")
    assert "Reductions proposed: 2" in ran.text
    with db.factory() as s:
        ids = dict(
            s.execute(select(LimitReductionProposal.limit_id, LimitReductionProposal.id)).all()
        )
    low, paid = ids[book["low"]], ids[book["paid"]]
    assert f'data-testid="proposal-{low}"' in ran.text and "16,000.00" in ran.text
    before = _rows(db)
    refused = app_client.post(
        "/limits/reduction-proposals/decide", data={"proposal_ids": [str(low)], "action": "dismiss"}
    )
    assert refused.status_code == 422 and "reason_required" in refused.text
    assert _rows(db) == before
    one = app_client.post(
        "/limits/reduction-proposals/decide",
        data={"proposal_ids": [str(paid)], "action": "dismiss", "reason": "seasonal"},
    )
    assert one.status_code == 200 and "Proposals dismissed: 1" in one.text
    both = app_client.post(
        "/limits/reduction-proposals/decide",
        data={"proposal_ids": [str(low), str(paid)], "action": "accept"},
    )
    assert both.status_code == 200 and "Proposals accepted: 1; skipped: 1" in both.text
    with db.factory() as s:
        assert s.get_one(CreditLimit, book["low"]).amount_minor == 1_600_000
        assert s.get_one(CreditLimit, book["paid"]).amount_minor == 4_000_000
    listed = app_client.get("/limits/reduction-proposals?status=all")
    assert listed.status_code == 200 and "Accepted" in listed.text and "seasonal" in listed.text
