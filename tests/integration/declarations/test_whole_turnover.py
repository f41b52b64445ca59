"""Whole turnover ([002] 3.1) through the API: each month's return against that month's
declarations, the undeclared remainder flagged, the renewal review putting the policy
under review below the schedule's minimum declared share, and a claim on a shipment that
was not declared when due refused; on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.declarations import World, shipment, world
from tests.builders.policies import expiring_inception, schedule_body
from tests.builders.principals import exporter_principal
from tests.conftest import Cast, Database
from tradecover.collections import service as collections
from tradecover.collections.overdue import LossCauseHint
from tradecover.db.engine import transaction
from tradecover.declarations import service as declarations
from tradecover.declarations.whole_turnover import month_end, months_between, return_due
from tradecover.kit.dates import add_months, business_today
from tradecover.policies.model import Policy
from tradecover.wiring import store_for


@dataclass(frozen=True)
class Book:
    """A policy expiring in 20 days, its world and the first of its four months."""

    w: World
    m1: date
    ids: dict[str, int]


def _on_time(shipped: date) -> date:
    """The last day a monthly declaration of ``shipped`` is on time (the 15th after)."""
    return add_months(shipped.replace(day=1), 1).replace(day=15)


def _book(client: TestClient, cast: Cast, db: Database, **schedule: Any) -> Book:
    """Months m1..m4 after inception (returns through the API):

    m1: declared 30,000 + 12,500 (on time) + 6,000 (declared late); returned 55,000
    m2: declared 10,000; returned 8,000 (more declared than returned: nothing undeclared)
    m3: declared 20,000; no return
    m4: nothing declared; returned 5,000
    """
    w = world(
        client,
        cast,
        db,
        limit=500_000,
        inception=expiring_inception(20),
        flat_rate=False,
        **schedule,
    )
    m1 = add_months(w.inception.replace(day=1), 2)
    exporter = exporter_principal(db, cast)
    ids: dict[str, int] = {}
    plan = [
        ("a", m1, "30000", 0),
        ("b", m1.replace(day=20), "12500", 0),
        ("late", m1.replace(day=9), "6000", 3),
        ("c", add_months(m1, 1), "10000", 0),
        ("d", add_months(m1, 2), "20000", 0),
    ]
    for name, shipped, amount, late in plan:
        with transaction(db.factory) as s:
            ids[name] = declarations.attach(
                s,
                principal=exporter,
                channel="api",
                today=_on_time(shipped) + timedelta(late),
                store=store_for(db.engine),
                shipment=shipment(
                    w,
                    shipment_date=shipped,
                    due_date=shipped + timedelta(60),
                    invoice_number=f"INV-{name}",
                    invoice_amount=Decimal(amount),
                ),
            ).id
    for month, amount in ((m1, "55000"), (add_months(m1, 1), "8000"), (add_months(m1, 3), "5000")):
        r = client.post(
            f"/api/v1/policies/{w.policy_id}/turnover-returns",
            headers=cast.exporter.headers,
            json={"month": month.strftime("%Y-%m"), "amount": amount, "currency": "USD"},
        )
        assert r.status_code == 201, r.text
    return Book(w, m1, ids)


def test_each_months_return_is_compared_with_its_own_declarations(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _book(app_client, cast, db)
    m1 = book.m1
    r = app_client.get(
        f"/api/v1/policies/{book.w.policy_id}/declaration-status",
        headers=cast.exporter.headers,
        params={"start": m1.isoformat(), "end": month_end(add_months(m1, 3)).isoformat()},
    )

    assert r.status_code == 200, r.text
    data = r.json()
    months = [
        (
            m["month"],
            m["returned"],
            m["turnover"],
            m["declared"],
            m["undeclared"],
            m["flagged"],
            m["declared_share"],
        )
        for m in data["whole_turnover"]["months"]
    ]
    assert months == [
        (m1.strftime("%Y-%m"), True, "55000.00", "48500.00", "6500.00", True, "0.8818"),
        (add_months(m1, 1).strftime("%Y-%m"), True, "8000.00", "10000.00", "0.00", False, "1.0000"),
        (add_months(m1, 2).strftime("%Y-%m"), False, None, "20000.00", "0.00", False, None),
        (add_months(m1, 3).strftime("%Y-%m"), True, "5000.00", "0.00", "5000.00", True, "0.0000"),
    ]
    assert data["whole_turnover"]["months"][2]["return_overdue"] is True
    assert (
        data["whole_turnover"]["months"][2]["return_due"]
        == return_due(add_months(m1, 2)).isoformat()
    )
    # returned 68,000; undeclared 6,500 + 5,000; (68,000 - 11,500) / 68,000 = 0.830882...
    assert (data["turnover"], data["declared_amount"], data["declared_share_of_turnover"]) == (
        "68000.00",
        "78500.00",
        "0.8309",
    )
    assert {k: v for k, v in data["whole_turnover"].items() if k != "months"} == {
        "whole_turnover": True,
        "min_declared_share": "0.95",
        "declared_share": "0.8309",
        "under_review": True,
        "undeclared": "11500.00",
    }


def _offer(client: TestClient, cast: Cast, policy_id: int) -> dict[str, str]:
    r = client.post(
        f"/api/v1/policies/{policy_id}/renewal-offers", headers=cast.underwriter.headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json()["review_metrics"])


def _missing(book: Book) -> int:
    today = business_today()
    returned = {book.m1, add_months(book.m1, 1), add_months(book.m1, 3)}
    return sum(
        1
        for m in months_between(book.w.inception, today)
        if m not in returned and return_due(m) < today
    )


def test_a_share_below_the_default_threshold_puts_the_policy_under_review(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _book(app_client, cast, db)

    metrics = _offer(app_client, cast, book.w.policy_id)

    assert {
        k: metrics[k]
        for k in (
            "declared_share_of_turnover",
            "undeclared_turnover",
            "min_declared_share",
            "whole_turnover_under_review",
            "turnover_months_flagged",
            "turnover_returns_missing",
        )
    } == {
        "declared_share_of_turnover": "0.8309",
        "undeclared_turnover": "11500.00",
        "min_declared_share": "0.95",
        "whole_turnover_under_review": "true",
        "turnover_months_flagged": "2",
        "turnover_returns_missing": str(_missing(book)),
    }


def test_the_schedules_threshold_replaces_the_default(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _book(app_client, cast, db, min_declared_share="0.8")
    policy = app_client.get(
        f"/api/v1/policies/{book.w.policy_id}", headers=cast.exporter.headers
    ).json()
    assert policy["schedule"]["min_declared_share"] == "0.8"

    metrics = _offer(app_client, cast, book.w.policy_id)

    assert (metrics["min_declared_share"], metrics["whole_turnover_under_review"]) == (
        "0.8",
        "false",
    )


def test_a_policy_that_is_not_whole_turnover_is_never_under_review(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _book(app_client, cast, db, whole_turnover=False)

    metrics = _offer(app_client, cast, book.w.policy_id)

    assert (metrics["declared_share_of_turnover"], metrics["whole_turnover_under_review"]) == (
        "0.8309",
        "false",
    )


def test_a_threshold_outside_zero_to_one_is_refused_and_nothing_written(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    with db.factory() as s:
        before = len(s.execute(select(Policy.id)).all())
    for bad, status in (("1.5", 422), ("0", 422), ("0.0", 422)):
        app = app_client.post(
            "/api/v1/applications",
            headers=cast.exporter.headers,
            json={
                "product": "short_term_comprehensive",
                "currency": "USD",
                "expected_turnover": "12000000",
                "requested_inception": "2027-01-01",
                "destination_countries": ["DE"],
                "payment_terms": ["OA"],
                "max_credit_days": 120,
                "hs_chapters": ["84"],
            },
        ).json()
        r = app_client.post(
            f"/api/v1/applications/{app['id']}/underwrite",
            json={"inception": "2027-01-01", "schedule": schedule_body(min_declared_share=bad)},
            headers=cast.underwriter.headers,
        )
        assert r.status_code == status, (bad, r.text)
        assert "min_declared_share" in r.text
    with db.factory() as s:
        assert len(s.execute(select(Policy.id)).all()) == before


def _claim(client: TestClient, cast: Cast, db: Database, book: Book, name: str) -> dict[str, Any]:
    declaration_id = book.ids[name]
    with db.factory() as s:
        row = declarations.get_declaration(
            s, principal=exporter_principal(db, cast), declaration_id=declaration_id
        )
        due = row.due_date
    with transaction(db.factory) as s:
        collections.file_notice(
            s,
            principal=exporter_principal(db, cast),
            declaration_id=declaration_id,
            cause=LossCauseHint.INSOLVENCY,
            today=due + timedelta(10),
        )
    r = client.post(
        "/api/v1/claims",
        headers=cast.exporter.headers,
        json={
            "cause": "insolvency",
            "currency": "USD",
            "lines": [{"declaration_id": declaration_id}],
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _whole_turnover_check(claim: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in claim["checks"] if c["name"] == "whole_turnover_declared")


def test_a_claim_on_a_shipment_not_declared_when_due_is_refused(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _book(app_client, cast, db)
    shipped = book.m1.replace(day=9)

    claim = _claim(app_client, cast, db, book, "late")

    check = _whole_turnover_check(claim)
    assert (check["outcome"], check["blocking"], check["explanation"]) == (
        "failed",
        True,
        f"whole turnover: not declared when due: shipment {book.ids['late']} "
        f"(due {_on_time(shipped).isoformat()}, declared "
        f"{(_on_time(shipped) + timedelta(3)).isoformat()})",
    )
    assert (
        app_client.post(
            f"/api/v1/claims/{claim['id']}/start-checks", headers=cast.claims_handler.headers
        ).status_code
        == 200
    )
    r = app_client.post(
        f"/api/v1/claims/{claim['id']}/approve", headers=cast.claims_handler.headers
    )
    assert (r.status_code, r.json()["code"]) == (409, "blocking_check_failed")
    assert "whole_turnover_declared" in r.json()["detail"]
    assert (
        app_client.get(f"/api/v1/claims/{claim['id']}", headers=cast.claims_handler.headers).json()[
            "state"
        ]
        == "checking"
    )


def test_a_claim_in_a_month_with_an_undeclared_remainder_shows_it(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    book = _book(app_client, cast, db)

    claim = _claim(app_client, cast, db, book, "a")

    check = _whole_turnover_check(claim)
    assert (check["outcome"], check["blocking"], check["explanation"]) == (
        "warning",
        False,
        f"whole turnover: the turnover return shows undeclared shipments in "
        f"{book.m1:%Y-%m} (returned 55000.00 USD, declared 48500.00 USD, "
        f"undeclared 6500.00 USD)",
    )
