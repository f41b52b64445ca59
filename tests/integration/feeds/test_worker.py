"""The attachment worker on a real JetStream stream: at-least-once delivery, exactly-once
attachment, ack after commit, bounded redelivery."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.builders.declarations import World
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import (
    declaration_count,
    documents,
    drain,
    erp_event,
    publish_all,
)
from tradecover.feeds.attach_bridge import attach_document
from tradecover.feeds.model import FeedConnection
from tradecover.feeds.record import TradeDocument
from tradecover.feeds.service import AttachOutcome, Received
from tradecover.feeds.stream.envelope import Envelope, FeedSource, subject_for
from tradecover.feeds.stream.nats_stream import StreamSettings, connect, ensure_stream
from tradecover.feeds.worker import Worker
from tradecover.wiring import store_for


def _erp(cast: Cast, shipment_id: str) -> Envelope:
    return Envelope.new(
        source=FeedSource.ERP, exporter_org_id=cast.exporter.org_id, content=erp_event(shipment_id)
    )


def test_every_document_is_attached_once_whatever_is_published_twice(
    db: Database, cast: Cast, covered: World, stream: StreamSettings
) -> None:
    envelopes = [_erp(cast, f"S{i}") for i in range(5)]
    copy = _erp(cast, "S0")  # the same document again, as a new message
    sequences = publish_all(stream, [*envelopes, copy, envelopes[1]])
    assert sequences[-1] == sequences[1]  # the same message id: JetStream dropped it
    worker = drain(db, stream)
    assert worker.stats.attached == 5 and worker.stats.duplicates == 1
    assert declaration_count(db) == 5
    assert sorted(r.document_id or "" for r in documents(db)) == [f"S{i}" for i in range(5)]
    assert all(r.status == "attached" for r in documents(db))
    again = drain(db, stream, idle_seconds=0.5)  # the consumer has acknowledged them all
    assert again.stats.processed == 0


def test_a_failed_attempt_is_redelivered_and_attached_once(
    db: Database, cast: Cast, covered: World, stream: StreamSettings
) -> None:
    calls: list[str] = []

    def flaky(
        session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        outcome = attach_document(session, document, connection, store=store_for(db.engine))
        calls.append(document.document_id)
        if len(calls) == 1:
            raise RuntimeError("the database went away after writing")
        return outcome

    publish_all(stream, [_erp(cast, "S1")])
    worker = drain(db, stream, attach=flaky)
    assert calls == ["S1", "S1"]
    assert worker.stats.failed == 1 and worker.stats.attached == 1
    assert declaration_count(db) == 1


def test_a_message_failing_on_every_delivery_is_quarantined_not_redelivered_for_ever(
    db: Database, cast: Cast, covered: World, stream: StreamSettings
) -> None:
    def broken(
        session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        raise RuntimeError("boom")

    publish_all(stream, [_erp(cast, "S1")])
    worker = drain(db, stream, attach=broken)
    assert worker.stats.failed == stream.max_deliver - 1
    (row,) = documents(db)
    assert row.status == "quarantined"
    assert row.reasons == [{"code": "processing_failed", "detail": "RuntimeError: boom"}]
    assert declaration_count(db) == 0


async def _publish_raw(settings: StreamSettings, org_id: int) -> None:
    client = await connect(settings)
    try:
        js = client.jetstream()
        await ensure_stream(js, settings)
        await js.publish(
            subject_for(settings.prefix, "erp", org_id), b"{}", headers={"Tradecover-Source": "erp"}
        )
    finally:
        await client.close()


def test_a_message_that_is_not_an_envelope_is_dropped(
    db: Database, cast: Cast, covered: World, stream: StreamSettings
) -> None:
    asyncio.run(_publish_raw(stream, cast.exporter.org_id))
    publish_all(stream, [_erp(cast, "S1")])
    worker = drain(db, stream)
    assert worker.stats.attached == 1 and worker.stats.processed == 1
    assert len(documents(db)) == 1


class _DatabaseAwayAtTheEnd(Worker):
    def quarantine_failed(self, envelope: Envelope, error: BaseException) -> Received:
        raise OperationalError("INSERT", {}, Exception("the database is away"))


def test_a_worker_that_cannot_quarantine_goes_on_with_the_next_message(
    db: Database, cast: Cast, covered: World, stream: StreamSettings
) -> None:
    def broken_for_s1(
        session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        if document.document_id == "S1":
            raise RuntimeError("boom")
        return attach_document(session, document, connection, store=store_for(db.engine))

    publish_all(stream, [_erp(cast, "S1"), _erp(cast, "S2")])
    worker = _DatabaseAwayAtTheEnd(
        db.factory, stream, attach=broken_for_s1, retry_delay_seconds=0.1
    )
    asyncio.run(worker.run(idle_exit_seconds=1.0, fetch_timeout=0.25))
    assert worker.stats.attached == 1
    assert worker.stats.failed == stream.max_deliver
    assert [r.document_id for r in documents(db)] == ["S2"]
