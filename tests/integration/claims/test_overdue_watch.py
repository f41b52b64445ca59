"""A notice freezes the buyer and puts the exporter's limits on it on watch until the
buyer pays; the insurer decides extension requests on the overdue page."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Cast, Database, make_user_actor
from tests.integration.claims.conftest import AFTER_DUE, DUE, Book, counts, principal, run
from tradecover.access.roles import Role
from tradecover.collections import service as collections
from tradecover.collections.confirmation import CollectionOutcome
from tradecover.collections.model import DueDateArrangement
from tradecover.collections.overdue import ArrangementKind, LossCauseHint
from tradecover.db.engine import transaction


def test_a_notice_puts_the_buyer_s_limits_on_watch_until_it_pays(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    first = book.declarations[0]
    exporter = principal(db, cast.exporter)
    url = "/api/v1/overdue/frozen-buyers"
    assert app_client.get(url, headers=cast.exporter.headers).json() == []
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=first,
            cause=LossCauseHint.PROTRACTED_DEFAULT,
            today=AFTER_DUE,
        ),
    )
    frozen = {
        "exporter_org_id": cast.exporter.org_id,
        "buyer_id": book.buyer_id,
        "since": AFTER_DUE.isoformat(),
        "open_notices": 1,
        "limits_on_watch": [
            {"limit_id": book.limit_id, "amount": {"amount": "40000.00", "currency": "USD"}}
        ],
    }
    assert app_client.get(url, headers=cast.exporter.headers).json() == [frozen]
    assert app_client.get(url, headers=cast.underwriter.headers).json() == [frozen]
    assert app_client.get(url, headers=cast.other_exporter.headers).json() == []
    # the buyer pays in full: the notice is withdrawn, the freeze and the watch end
    run(
        db,
        lambda s: collections.confirm_collection(
            s,
            principal=exporter,
            declaration_id=first,
            outcome=CollectionOutcome.PAID_IN_FULL,
            amount=None,
            paid_on=AFTER_DUE,
            today=AFTER_DUE,
        ),
    )
    assert app_client.get(url, headers=cast.exporter.headers).json() == []


def test_the_insurer_decides_extensions_on_the_overdue_page(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    first, second = book.declarations
    exporter = principal(db, cast.exporter)
    later = DUE + timedelta(days=30)
    ids = []
    for decl in (first, second):
        row = run(
            db,
            lambda s, d=decl: collections.request_extension(  # type: ignore[misc]
                s,
                principal=exporter,
                declaration_id=d,
                kind=ArrangementKind.EXTENSION,
                today=AFTER_DUE,
                new_due_date=later,
            ),
        )
        assert isinstance(row, DueDateArrangement)
        ids.append(row.id)
    mine = app_client.get("/api/v1/overdue/extensions", headers=cast.exporter.headers).json()
    assert [(a["id"], a["status"]) for a in mine] == [(ids[0], "requested"), (ids[1], "requested")]
    assert (
        app_client.get("/api/v1/overdue/extensions", headers=cast.other_exporter.headers).json()
        == []
    )
    with transaction(db.factory) as s:
        person = make_user_actor(
            s,
            org_slug="insurer",
            role=Role.CLAIMS_HANDLER,
            email="hana@insurer.example",
            password="correct horse battery",
        )
    assert (
        app_client.post(
            "/sign-in",
            data={"email": person.email, "password": "correct horse battery"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    page = app_client.get("/overdue")
    assert f'data-testid="extension-request-{ids[0]}"' in page.text
    assert f'action="/overdue/extensions/{ids[0]}/approve"' in page.text
    before = counts(db)
    refused = app_client.post(f"/overdue/extensions/{ids[1]}/refuse", data={"reason": ""})
    assert refused.status_code == 422
    assert "reason_required" in refused.text
    assert counts(db) == before
    assert app_client.post(f"/overdue/extensions/{ids[0]}/approve").status_code == 200
    assert (
        app_client.post(
            f"/overdue/extensions/{ids[1]}/refuse", data={"reason": "the buyer has no funds"}
        ).status_code
        == 200
    )
    assert app_client.post("/overdue/extensions/999999/approve").status_code == 404
    with db.factory() as s:
        decided = {
            a.id: (a.status, a.reason) for a in s.execute(select(DueDateArrangement)).scalars()
        }
    assert decided == {ids[0]: ("approved", None), ids[1]: ("refused", "the buyer has no funds")}
    # the approved extension moved the first invoice's due date and notice deadline
    overdue = app_client.get(
        f"/api/v1/overdue?today={(later + timedelta(days=1)).isoformat()}",
        headers=cast.exporter.headers,
    ).json()["items"]
    moved = next(i for i in overdue if i["declaration_id"] == first)
    assert (moved["due_date"], moved["notice_deadline"]) == (
        later.isoformat(),
        (later + timedelta(days=90)).isoformat(),
    )
    # the exporter cannot decide
    app_client.cookies.clear()
    with transaction(db.factory) as s:
        anna = make_user_actor(
            s,
            org_slug="acme-exports",
            role=Role.EXPORTER,
            email="anna@acme.example",
            password="correct horse battery",
        )
    assert (
        app_client.post(
            "/sign-in",
            data={"email": anna.email, "password": "correct horse battery"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert 'action="/overdue/extensions/' not in app_client.get("/overdue").text


def test_a_buyer_in_default_is_on_the_risk_manager_s_watch_list(
    app_client: TestClient, db: Database, cast: Cast, book: Book
) -> None:
    """The book's 40,000 limit is far below the large-limit thresholds: only the notice
    of possible loss puts its buyer on the watch list, with that reason, until it pays."""
    first = book.declarations[0]
    exporter = principal(db, cast.exporter)
    url = "/api/v1/limits/watch-list"
    assert app_client.get(url, headers=cast.risk_manager.headers).json() == []
    run(
        db,
        lambda s: collections.file_notice(
            s,
            principal=exporter,
            declaration_id=first,
            cause=LossCauseHint.PROTRACTED_DEFAULT,
            today=AFTER_DUE,
        ),
    )
    watch = app_client.get(url, headers=cast.risk_manager.headers)
    assert watch.status_code == 200, watch.text
    assert watch.json() == [
        {
            "buyer_id": book.buyer_id,
            "largest": {"amount": "40000.00", "currency": "USD"},
            "total": {"amount": "40000.00", "currency": "USD"},
            "limits": 1,
            "reasons": ["buyer_in_default"],
        }
    ]
    assert app_client.get(url, headers=cast.exporter.headers).status_code == 403
    # the limit is cancelled: the buyer in default stays on the list, with no limit
    cancelled = app_client.post(
        f"/api/v1/limits/{book.limit_id}/cancel",
        headers=cast.underwriter.headers,
        json={"reason": "default"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert app_client.get(url, headers=cast.risk_manager.headers).json() == [
        {
            "buyer_id": book.buyer_id,
            "largest": {"amount": "0.00", "currency": "USD"},
            "total": {"amount": "0.00", "currency": "USD"},
            "limits": 0,
            "reasons": ["buyer_in_default"],
        }
    ]
    # the buyer pays in full: the notice is withdrawn and it leaves the list
    run(
        db,
        lambda s: collections.confirm_collection(
            s,
            principal=exporter,
            declaration_id=first,
            outcome=CollectionOutcome.PAID_IN_FULL,
            amount=None,
            paid_on=AFTER_DUE,
            today=AFTER_DUE,
        ),
    )
    assert app_client.get(url, headers=cast.risk_manager.headers).json() == []
