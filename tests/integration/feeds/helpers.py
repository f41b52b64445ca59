"""Builders of the feed stream tests: a stream of their own, ERP events, connections, a
worker run until the stream is idle.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from nats.js.errors import NotFoundError
from sqlalchemy import func, select

from tests.conftest import Database
from tests.unit.feeds._fixtures import fixture
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.feeds import connection_repository as connections
from tradecover.feeds.attach_bridge import document_attacher
from tradecover.feeds.model import ReceivedDocument
from tradecover.feeds.service import AttachDocument
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.stream.nats_stream import StreamSettings, connect, ensure_stream, publish
from tradecover.feeds.worker import Worker
from tradecover.kit.dates import business_today
from tradecover.wiring import store_for

TODAY = business_today()


def stream_settings(**over: Any) -> StreamSettings:
    """A stream, subjects and consumer no other test uses."""
    tag = uuid.uuid4().hex[:12]
    values: dict[str, Any] = {
        "stream": f"TEST_FEEDS_{tag}",
        "prefix": f"test{tag}.feeds",
        "consumer": "attachment",
        "max_deliver": 3,
        "ack_wait_seconds": 2.0,
    }
    values.update(over)
    return StreamSettings(**values)


async def _delete(settings: StreamSettings) -> None:
    client = await connect(settings)
    try:
        await client.jetstream().delete_stream(settings.stream)
    except NotFoundError:
        pass
    finally:
        await client.close()


def delete_stream(settings: StreamSettings) -> None:
    """Remove a test's stream from the server."""
    asyncio.run(_delete(settings))


async def _publish_all(settings: StreamSettings, envelopes: Sequence[Envelope]) -> list[int]:
    client = await connect(settings)
    try:
        js = client.jetstream()
        await ensure_stream(js, settings)
        return [await publish(js, settings, envelope) for envelope in envelopes]
    finally:
        await client.close()


def publish_all(settings: StreamSettings, envelopes: Sequence[Envelope]) -> list[int]:
    """Publish envelopes; their sequence numbers."""
    return asyncio.run(_publish_all(settings, envelopes))


def drain(
    db: Database,
    settings: StreamSettings,
    *,
    attach: AttachDocument | None = None,
    idle_seconds: float = 1.0,
) -> Worker:
    """Run a worker in this process until the stream has been idle ``idle_seconds``."""
    worker = Worker(
        db.factory,
        settings,
        attach=attach or document_attacher(store_for(db.engine)),
        retry_delay_seconds=0.1,
    )
    asyncio.run(worker.run(idle_exit_seconds=idle_seconds, fetch_timeout=0.25))
    return worker


def erp_event(
    shipment_id: str,
    *,
    version: int = 1,
    amount: str = "1000.00",
    buyer: str = "Berlin Machines GmbH",
    shipped: date | None = None,
    credit_days: int = 60,
    **over: Any,
) -> bytes:
    """An ERP shipment event to the test buyer, shipped today, due in ``credit_days``."""
    shipped = shipped or TODAY
    event: dict[str, Any] = {
        "schema_version": "1",
        "event_id": f"evt-{shipment_id}-{version}",
        "event_type": "shipment.created" if version == 1 else "shipment.updated",
        "occurred_at": f"{shipped.isoformat()}T08:00:00Z",
        "shipment_id": shipment_id,
        "version": version,
        "shipment_date": shipped.isoformat(),
        "invoice_number": f"INV-{shipment_id}",
        "invoice_date": shipped.isoformat(),
        "due_date": (shipped + timedelta(days=credit_days)).isoformat(),
        "exporter": {"name": "Acme Exports", "country": "CN"},
        "buyer": {"name": buyer, "country": "DE"},
        "currency": "USD",
        "amount": amount,
        "hs_codes": ["845961"],
        "lines": [
            {
                "line_id": "1",
                "description": "CNC milling machines",
                "amount": amount,
                "hs_code": "845961",
            }
        ],
    }
    event.update(over)
    return json.dumps(event).encode()


def connect_source(db: Database, org_slug: str, source: FeedSource) -> int:
    """Connect ``source`` to an exporter; the connection id."""
    with transaction(db.factory) as session:
        org = access.org_by_slug(session, org_slug)
        return connections.create_connection(
            session,
            principal=access.system_principal(session),
            exporter_org_id=org.id,
            source=source,
        ).id


def documents(db: Database) -> list[ReceivedDocument]:
    """Every received document, oldest first (detached)."""
    with db.factory() as session:
        rows = list(
            session.execute(select(ReceivedDocument).order_by(ReceivedDocument.id)).scalars()
        )
        session.expunge_all()
        return rows


def declaration_count(db: Database) -> int:
    """Declarations written."""
    with db.factory() as session:
        return int(session.execute(select(func.count()).select_from(Declaration)).scalar_one())


def ubl_invoice_to_the_test_buyer() -> bytes:
    """The UBL invoice fixture, dated today, in USD, to the test buyer."""
    text = fixture("ubl_export_invoice.xml").decode()
    for old, new in (
        ("2026-01-15", TODAY.isoformat()),
        ("2026-03-01", (TODAY + timedelta(days=45)).isoformat()),
        ("EUR", "USD"),
        ("Lakeside Tools, Inc.", "Berlin Machines GmbH"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text.encode()


def customs_record(
    number: str,
    *,
    invoice: str | None = None,
    value: str = "1000.00",
    currency: str = "USD",
    consignee: str = "Berlin Machines GmbH",
    accepted: date | None = None,
    exited: date | None = None,
    version: str = "1",
) -> bytes:
    """A national single-window export record (JSON) to the test buyer, accepted two days
    ago and gone out yesterday unless told.
    """
    accepted = accepted or TODAY - timedelta(days=2)
    record: dict[str, Any] = {
        "declaration_number": number,
        "version": version,
        "acceptance_date": accepted.isoformat(),
        "exit_date": exited.isoformat() if exited else None,
        "exporter_id": "CN91110000100000000X",
        "exporter_name": "Acme Exports",
        "consignee_name": consignee,
        "consignee_country": "DE",
        "consignee_ids": [],
        "hs_code": ["8459.61"],
        "value": value,
        "currency": currency,
        "invoice_number": invoice,
        "transport_document": "CMR 1",
    }
    return json.dumps(record).encode()
