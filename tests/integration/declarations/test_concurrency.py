"""Concurrent declarations on one limit never over-commit it (directly and through HTTP),
and one Idempotency-Key fired at once creates exactly one declaration."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders.buyers import add_buyer
from tests.builders.declarations import World, body, shipment, world
from tests.builders.limits import add_limit
from tests.builders.principals import exporter_principal as exporter
from tests.conftest import Cast, Database
from tests.integration.declarations.helpers import outstanding_by_view, reserved
from tradecover.audit import service as audit
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.declarations import service
from tradecover.declarations.model import Declaration
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.wiring import store_for

THREADS = 24
TRIALS = 3
LIMIT = 95_000  # room for 9 shipments of 10,000 in full and one of 5,000 in part


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc.code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def new_buyer(db: Database, w: World, trial: int) -> tuple[int, int]:
    with transaction(db.factory) as s:
        buyer = add_buyer(s, org_id=w.org_id, name=f"Trial Buyer {trial}")
        limit_id, _ = add_limit(
            s,
            org_id=w.org_id,
            policy_id=w.policy_id,
            buyer_id=buyer,
            amount=LIMIT,
            effective_from=w.inception,
        )
    return buyer, limit_id


def check_limit(db: Database, limit_id: int, statuses: list[str]) -> None:
    assert sorted(statuses) == sorted(
        ["covered_in_full"] * 9 + ["covered_partly"] + ["not_covered"] * (THREADS - 10)
    )
    with db.factory() as s:
        covered = s.execute(
            select(func.sum(Declaration.covered_minor)).where(Declaration.limit_id == limit_id)
        ).scalar_one()
    assert covered == LIMIT * 100 == reserved(db, limit_id) == outstanding_by_view(db, limit_id)


def test_concurrent_attachments_through_the_service(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    principal = exporter(db, cast)
    for trial in range(TRIALS):
        buyer, limit_id = new_buyer(db, w, trial)

        def work(i: int, buyer: int = buyer) -> str:
            with transaction(db.factory) as s:
                row = service.attach(
                    s,
                    principal=principal,
                    channel="api",
                    today=business_today(),
                    store=store_for(db.engine),
                    shipment=shipment(w, buyer_id=buyer, invoice_number=f"T{i}"),
                )
                return row.cover_status

        check_limit(db, limit_id, race(THREADS, work))


def test_concurrent_attachments_through_http(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    for trial in range(TRIALS):
        buyer, limit_id = new_buyer(db, w, trial)

        def work(i: int, buyer: int = buyer, trial: int = trial) -> str:
            answer = app_client.post(
                "/api/v1/declarations",
                json=body(w, buyer_id=buyer, invoice_number=f"H{i}"),
                headers={**cast.exporter.headers, "Idempotency-Key": f"t{trial}-{i}"},
            )
            assert answer.status_code == 201, answer.text
            return str(answer.json()["cover_status"])

        check_limit(db, limit_id, race(THREADS, work))


def test_one_key_fired_concurrently_creates_one_declaration(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    w = world(app_client, cast, db)
    payload = body(w, invoice_amount="1234.56")

    def work(_i: int) -> tuple[int, Any]:
        answer = app_client.post(
            "/api/v1/declarations",
            json=payload,
            headers={**cast.exporter.headers, "Idempotency-Key": "same"},
        )
        return answer.status_code, answer.json()

    results = race(16, work)
    created = [data for code, data in results if code == 201]
    assert created, results
    assert {code for code, _ in results} <= {201, 409}
    assert all(data == created[0] for data in created)
    assert all(data["code"] == "idempotency_in_progress" for code, data in results if code == 409)
    with db.factory() as s:
        assert s.execute(select(func.count()).select_from(Declaration)).scalar_one() == 1
    replay = app_client.post(
        "/api/v1/declarations",
        json=payload,
        headers={**cast.exporter.headers, "Idempotency-Key": "same"},
    )
    assert (replay.status_code, replay.json()) == (201, created[0])
    assert Decimal(created[0]["invoice_amount"]) == Decimal("1234.56")
    changed = app_client.post(
        "/api/v1/declarations",
        json={**payload, "invoice_number": "X"},
        headers={**cast.exporter.headers, "Idempotency-Key": "same"},
    )
    assert (changed.status_code, changed.json()["code"]) == (422, "idempotency_key_reused")


def test_concurrent_batches_over_several_limits(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    """Batches naming the same buyers in different orders neither deadlock nor over-commit."""
    w = world(app_client, cast, db)
    buyers = [new_buyer(db, w, trial) for trial in range(3)]

    def work(i: int) -> tuple[int, int]:
        order = buyers if i % 2 else list(reversed(buyers))
        items = [
            body(w, buyer_id=b, invoice_number=f"C{i}-{n}-{b}", invoice_amount="4000")
            for n in range(3)
            for b, _limit in order
        ]
        answer = app_client.post(
            "/api/v1/declarations",
            json={"declarations": items},
            headers={**cast.exporter.headers, "Idempotency-Key": f"c{i}"},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["accepted"], len(items)

    results = race(12, work)
    assert results == [(9, 9)] * 12
    for _buyer, limit_id in buyers:
        # 36 shipments of 4,000 per buyer: 23 in full, one partly (3,000), 12 not covered
        assert reserved(db, limit_id) == LIMIT * 100 == outstanding_by_view(db, limit_id)
    with db.factory() as s:  # every concurrent batch's audit entries chain without a gap
        assert audit.verify_all(s) == []
        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "declaration.attached")
            ).scalar_one()
            == 12 * 9
        )


def test_concurrent_corrections_between_two_limits_in_opposite_directions(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    """Corrections moving declarations from buyer A to B and from B to A at once each
    release on one limit and reserve on the other: none deadlocks, every one succeeds and
    both limits' reservations still add up to their declarations."""
    w = world(app_client, cast, db)
    principal = exporter(db, cast)
    (a, limit_a), (b, limit_b) = new_buyer(db, w, 100), new_buyer(db, w, 101)
    pairs = 6
    originals: list[tuple[int, int]] = []  # (declaration id, the other buyer)
    with transaction(db.factory) as s:
        for n in range(pairs):
            for buyer, other in ((a, b), (b, a)):
                row = service.attach(
                    s,
                    principal=principal,
                    channel="api",
                    today=business_today(),
                    store=store_for(db.engine),
                    shipment=shipment(
                        w,
                        buyer_id=buyer,
                        invoice_number=f"X{buyer}-{n}",
                        invoice_amount=Decimal("1000"),
                    ),
                )
                originals.append((row.id, other))

    def work(i: int) -> str:
        declaration_id, other = originals[i]
        with transaction(db.factory) as s:
            row = service.correct(
                s,
                principal=principal,
                declaration_id=declaration_id,
                shipment=shipment(
                    w,
                    buyer_id=other,
                    invoice_number=f"Y{declaration_id}",
                    invoice_amount=Decimal("2000"),
                ),
                reason="wrong buyer",
                today=business_today(),
                store=store_for(db.engine),
            )
            return row.cover_status

    assert race(len(originals), work) == ["covered_in_full"] * len(originals)
    for limit_id in (limit_a, limit_b):
        # each limit now carries the pairs corrected onto it: 6 x 2,000 USD
        assert reserved(db, limit_id) == pairs * 2000 * 100 == outstanding_by_view(db, limit_id)
