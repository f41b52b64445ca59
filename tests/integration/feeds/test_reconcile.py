"""One shipment attaches once whichever of its documents arrives first: an invoice (here
its ERP event) and its customs record link to one declaration, the customs record giving
the shipment date; on SQLite and PostgreSQL, through the service alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from tests.builders.declarations import World
from tests.builders.principals import exporter_principal
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import (
    TODAY,
    connect_source,
    customs_record,
    documents,
    erp_event,
)
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.feeds import service
from tradecover.feeds.attach_bridge import document_attacher
from tradecover.feeds.confirmation_repository import confirm, correction_step, model_attacher
from tradecover.feeds.service import Received
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.stream.nats_stream import StreamSettings
from tradecover.feeds.worker import Worker
from tradecover.wiring import store_for

SHIPPED = TODAY - timedelta(days=3)
EXITED = TODAY - timedelta(days=1)


def _receive(db: Database, cast: Cast, source: FeedSource, content: bytes) -> Received:
    envelope = Envelope.new(source=source, exporter_org_id=cast.exporter.org_id, content=content)
    with transaction(db.factory) as session:
        return service.receive(session, envelope, attach=document_attacher(store_for(db.engine)))


def _active(db: Database) -> list[Declaration]:
    with db.factory() as session:
        rows = list(
            session.execute(select(Declaration).where(Declaration.status == "active")).scalars()
        )
        session.expunge_all()
        return rows


def test_an_invoice_then_its_customs_record_attach_once_at_the_exit_date(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    first = _receive(db, cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED))
    second = _receive(
        db, cast, FeedSource.CUSTOMS, customs_record("MRN1", invoice="INV-S1", exited=EXITED)
    )
    assert (first.status, second.status) == ("attached", "attached")
    (declaration,) = _active(db)
    assert declaration.shipment_date == EXITED  # the customs record enriched it
    invoice, customs = documents(db)
    assert invoice.declaration_id == customs.declaration_id == declaration.id
    assert customs.match_rule == "invoice_number"
    assert [r["code"] for r in customs.reasons] == ["linked_to_shipment", "shipment_date_enriched"]


def test_a_customs_record_waits_for_its_invoice_then_attaches_once(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    first = _receive(
        db, cast, FeedSource.CUSTOMS, customs_record("MRN2", invoice="inv s2", exited=EXITED)
    )
    assert first.status == "received" and not _active(db)
    (waiting,) = documents(db)
    assert waiting.reasons[0]["code"] == "awaiting_invoice"
    second = _receive(db, cast, FeedSource.ERP, erp_event("S2", shipped=SHIPPED))
    assert second.status == "attached"
    (declaration,) = _active(db)
    assert declaration.shipment_date == EXITED  # the customs date, known before
    customs, invoice = documents(db)
    assert customs.status == "attached"
    assert customs.declaration_id == invoice.declaration_id == declaration.id


def test_a_customs_record_naming_no_invoice_links_by_consignee_amount_and_date(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    _receive(db, cast, FeedSource.ERP, erp_event("S3", shipped=SHIPPED, amount="5000.00"))
    _receive(db, cast, FeedSource.ERP, erp_event("S4", shipped=SHIPPED, amount="9000.00"))
    linked = _receive(
        db,
        cast,
        FeedSource.CUSTOMS,
        customs_record("MRN3", value="5040.00", consignee="BERLIN MACHINES"),
    )
    assert linked.status == "attached"
    assert len(_active(db)) == 2
    customs = documents(db)[-1]
    assert customs.match_rule == "consignee_amount_date"
    s3 = documents(db)[0]
    assert customs.declaration_id is not None
    with db.factory() as session:
        declaration = session.get(Declaration, customs.declaration_id)
        assert declaration is not None and declaration.invoice_number == "INV-S3"
    assert s3.declaration_id == customs.declaration_id


def test_a_customs_record_with_no_invoice_stays_an_omission(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    _receive(db, cast, FeedSource.ERP, erp_event("S5", shipped=SHIPPED, amount="5000.00"))
    alone = _receive(
        db, cast, FeedSource.CUSTOMS, customs_record("MRN4", value="70000.00", exited=EXITED)
    )
    assert alone.status == "received"
    assert len(_active(db)) == 1
    (row,) = [r for r in documents(db) if r.document_id == "MRN4"]
    assert row.declaration_id is None and row.match_rule == "none"


def test_an_invoice_and_its_customs_record_taken_at_once_attach_once(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    worker = Worker(db.factory, StreamSettings(), attach=document_attacher(store_for(db.engine)))
    envelopes = [
        Envelope.new(source=source, exporter_org_id=cast.exporter.org_id, content=content)
        for source, content in (
            (FeedSource.ERP, erp_event("S9", shipped=SHIPPED)),
            (FeedSource.CUSTOMS, customs_record("MRN9", invoice="INV-S9", exited=EXITED)),
        )
    ]
    with ThreadPoolExecutor(2) as pool:  # two workers, one shipment
        received = list(pool.map(worker.process, envelopes))
    # the invoice attaches; the customs record that commits first says it waits
    # (``received``) and the invoice then links it: what is stored is the same either way
    assert received[0].status == "attached"
    assert received[1].status in ("attached", "received")
    (declaration,) = _active(db)
    assert [(d.status, d.declaration_id) for d in documents(db)] == [
        ("attached", declaration.id),
        ("attached", declaration.id),
    ]


def test_a_confirmed_shipment_takes_the_customs_record_held_for_its_invoice(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    store = store_for(db.engine)

    def receive(source: FeedSource, content: bytes) -> Received:
        envelope = Envelope.new(
            source=source, exporter_org_id=cast.exporter.org_id, content=content
        )
        with transaction(db.factory) as session:  # the individual model: confirm first
            return service.receive(
                session, envelope, attach=model_attacher(store), correct=correction_step(store)
            )

    invoice = receive(FeedSource.ERP, erp_event("S7", shipped=SHIPPED))
    held = receive(FeedSource.CUSTOMS, customs_record("MRN7", invoice="INV-S7", exited=EXITED))
    assert (invoice.status, held.status) == ("awaiting_confirmation", "received")
    with transaction(db.factory) as session:
        row = confirm(
            session,
            principal=exporter_principal(db, cast),
            document_id=invoice.row_id or 0,
            store=store,
        )
        declaration_id = row.declaration_id
    (declaration,) = _active(db)
    assert declaration.id == declaration_id
    (record,) = [d for d in documents(db) if d.document_id == "MRN7"]
    assert (record.status, record.declaration_id) == ("attached", declaration_id)
