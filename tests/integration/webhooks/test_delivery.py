"""The worker delivers the outbox to a receiver on loopback: signed, in order per subject,
retried, failed after 24 hours, replayed, and disabled after days of failure.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import Cast, Database
from tests.integration.webhooks.helpers import drain, endpoint_for, make_due_now, record
from tests.receivers import Received, WebhookReceiver
from tradecover.db.engine import transaction
from tradecover.events.model import OutboxEvent
from tradecover.kit.dates import utc_now
from tradecover.webhooks import WebhookWorker, WorkerOptions, verify
from tradecover.webhooks.model import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _subjects(received: list[Received]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for r in received:
        body = json.loads(r.body)
        found.setdefault(body["subject"], []).append(body["data"]["application_id"])
    return found


def test_events_arrive_signed_and_in_order_per_subject(db: Database, cast: Cast) -> None:
    with WebhookReceiver() as receiver:
        _id, secret = endpoint_for(db, "acme-exports", receiver.url + "/hook")
        plan = [(f"limit_application:{s}", 10 * s + n) for n in range(4) for s in range(3)]
        record(db, cast.exporter.org_id, plan)
        drain(db)
    assert len(receiver.received) == 12
    for got in receiver.received:
        verify(secret, got.headers, got.body)
        assert got.path == "/hook" and got.headers["content-type"] == "application/json"
    assert _subjects(receiver.received) == {
        f"limit_application:{s}": [10 * s + n for n in range(4)] for s in range(3)
    }


def test_another_organisations_events_do_not_reach_the_endpoint(db: Database, cast: Cast) -> None:
    with WebhookReceiver() as receiver:
        endpoint_for(db, "acme-exports", receiver.url, ["limit.decided"])
        record(db, cast.other_exporter.org_id, [("limit_application:1", 1)])
        drain(db)
    assert receiver.received == []


def test_a_later_event_waits_while_the_earlier_one_is_retried(db: Database, cast: Cast) -> None:
    failures = {"left": 2}

    def answer(got: Received) -> int:
        if json.loads(got.body)["data"]["application_id"] == 1 and failures["left"]:
            failures["left"] -= 1
            return 503
        return 200

    with WebhookReceiver(answer) as receiver:
        endpoint_for(db, "acme-exports", receiver.url)
        record(
            db,
            cast.exporter.org_id,
            [("limit_application:A", 1), ("limit_application:A", 2), ("limit_application:B", 3)],
        )
        drain(db)
        seen = [json.loads(r.body)["data"]["application_id"] for r in receiver.received]
        assert seen.count(2) == 0 and 3 in seen  # A's second waits; B goes on
        make_due_now(db)
        drain(db)
        make_due_now(db)
        drain(db)
    order = [json.loads(r.body)["data"]["application_id"] for r in receiver.received]
    assert order.index(2) > max(i for i, v in enumerate(order) if v == 1)
    with transaction(db.factory) as session:
        first = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).first()
        assert first is not None and first.status == "delivered" and first.attempts == 3
        codes = session.scalars(
            select(WebhookAttempt.status_code)
            .where(WebhookAttempt.delivery_id == first.id)
            .order_by(WebhookAttempt.id)
        ).all()
        assert codes == [503, 503, 200]


def test_after_24_hours_of_failure_the_delivery_fails_and_the_next_goes(
    db: Database, cast: Cast
) -> None:
    with WebhookReceiver(lambda r: 500) as receiver:
        endpoint_for(db, "acme-exports", receiver.url)
        record(db, cast.exporter.org_id, [("s:1", 1), ("s:1", 2)])
        drain(db)
        with transaction(db.factory) as session:
            session.execute(
                update(WebhookDelivery).values(first_attempt_at=utc_now() - timedelta(hours=25))
            )
        make_due_now(db)
        drain(db)
    with transaction(db.factory) as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert rows[0].status == "failed" and rows[0].attempts == 2
        assert rows[1].attempts >= 1  # no longer held back by the failed one


def test_an_endpoint_failing_for_days_is_disabled_with_a_notice(db: Database, cast: Cast) -> None:
    with WebhookReceiver(lambda r: 500) as receiver:
        endpoint_id, _ = endpoint_for(db, "acme-exports", receiver.url, ["limit.decided"])
        with transaction(db.factory) as session:
            session.execute(
                update(WebhookEndpoint).values(failing_since=utc_now() - timedelta(days=6))
            )
        record(db, cast.exporter.org_id, [("s:1", 1)])
        drain(db)
        before = len(receiver.received)
        record(db, cast.exporter.org_id, [("s:2", 2)])
        make_due_now(db)
        drain(db)
        assert len(receiver.received) == before  # disabled: nothing more is sent
    with transaction(db.factory) as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None and endpoint.disabled_at is not None
        notices = session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == "webhook_endpoint.disabled")
        ).all()
        assert [n.payload["endpoint_id"] for n in notices] == [endpoint_id]


def test_a_failed_endpoint_is_replayed_from_an_event(db: Database, cast: Cast) -> None:
    healthy = {"on": False}
    with WebhookReceiver(lambda r: 204 if healthy["on"] else 500) as receiver:
        endpoint_id, secret = endpoint_for(db, "acme-exports", receiver.url)
        ids = record(db, cast.exporter.org_id, [("s:1", 1), ("s:2", 2), ("s:3", 3)])
        drain(db)
        with transaction(db.factory) as session:
            session.execute(update(WebhookDelivery).values(status="failed"))
            session.execute(update(WebhookEndpoint).values(disabled_at=utc_now()))
        healthy["on"] = True
        from tests.integration.webhooks.helpers import replay_as_owner

        assert replay_as_owner(db, "acme-exports", endpoint_id, ids[1]) == 2
        drain(db)
    delivered = [r for r in receiver.received if r.headers["webhook-id"] in ids[1:]]
    assert sorted(r.headers["webhook-id"] for r in delivered[-2:]) == sorted(ids[1:])
    for got in delivered:
        verify(secret, got.headers, got.body)


def test_a_running_worker_delivers_as_events_arrive(db: Database, cast: Cast) -> None:
    with WebhookReceiver() as receiver:
        endpoint_for(db, "acme-exports", receiver.url)

        async def go() -> None:
            stop = asyncio.Event()
            worker = WebhookWorker(db.factory, WorkerOptions(development=True, lanes=2))
            running = asyncio.create_task(worker.run(stop))
            for n in range(3):
                await asyncio.to_thread(record, db, cast.exporter.org_id, [(f"s:{n % 2}", n)])
                await asyncio.sleep(0.1)
            for _ in range(100):
                if len(receiver.received) == 3:
                    break
                await asyncio.sleep(0.1)
            stop.set()
            await running

        asyncio.run(go())
    assert _subjects(receiver.received) == {"s:0": [0, 2], "s:1": [1]}
