"""A fetched batch received set-based (:func:`tradecover.feeds.batch_repository.receive_many`):
the same outcomes as one by one, exactly once; the policy's own shipment-date basis; a
withdrawn hybrid shipment attaching again; on SQLite and PostgreSQL (no stream).
"""

from __future__ import annotations

from datetime import date, timedelta

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
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.feeds import service
from tradecover.feeds.batch_repository import receive_many
from tradecover.feeds.confirmation_repository import (
    correction_step,
    model_attacher,
    withdraw_received,
)
from tradecover.feeds.model import FeedShipment
from tradecover.feeds.service import Received
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.policies import (
    AttachmentModel,
    AttachmentTerms,
    ShipmentDateBasis,
    endorse_attachment_terms,
)
from tradecover.wiring import store_for

SHIPPED = TODAY - timedelta(days=3)
ACCEPTED = TODAY - timedelta(days=2)
EXITED = TODAY - timedelta(days=1)


def _endorse(db: Database, world: World, terms: AttachmentTerms) -> None:
    with transaction(db.factory) as s:
        endorse_attachment_terms(
            s,
            principal=access.system_principal(s),
            policy_id=world.policy_id,
            terms=terms,
            effective_date=TODAY,
        )


def _envelope(cast: Cast, source: FeedSource, content: bytes) -> Envelope:
    return Envelope.new(source=source, exporter_org_id=cast.exporter.org_id, content=content)


def _batch(db: Database, envelopes: list[Envelope]) -> list[Received]:
    store = store_for(db.engine)
    with transaction(db.factory) as session:
        return receive_many(
            session, envelopes, attach=model_attacher(store), correct=correction_step(store)
        )


def _one(db: Database, envelope: Envelope) -> Received:
    store = store_for(db.engine)
    with transaction(db.factory) as session:
        return service.receive(
            session, envelope, attach=model_attacher(store), correct=correction_step(store)
        )


def _declarations(db: Database) -> list[tuple[str, str, date]]:
    with db.factory() as session:
        return [
            (d.invoice_number, d.status, d.shipment_date)
            for d in session.execute(select(Declaration).order_by(Declaration.id)).scalars()
        ]


def test_a_batch_reconciles_in_memory_and_attaches_exactly_once(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO))
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    customs = _envelope(
        cast, FeedSource.CUSTOMS, customs_record("MRN1", invoice="INV-S1", exited=EXITED)
    )
    batch = [
        customs,
        _envelope(cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED)),
        _envelope(cast, FeedSource.CUSTOMS, customs_record("MRN2", invoice="INV-S2")),
        _envelope(cast, FeedSource.ERP, erp_event("S3", shipped=SHIPPED)),
        customs,  # the same message twice in one fetch
        _envelope(cast, FeedSource.UBL, b"<Invoice"),  # UBL is not connected
    ]
    received = _batch(db, batch)
    assert [(r.status, r.duplicate) for r in received] == [
        ("attached", False),
        ("attached", False),
        ("received", False),
        ("attached", False),
        ("attached", True),
        ("quarantined", False),
    ]
    assert received[4].row_id == received[0].row_id
    # the invoice attached at the exit date of the customs record taken with it: no correction
    assert _declarations(db) == [("INV-S1", "active", EXITED), ("INV-S3", "active", SHIPPED)]
    rows = {r.document_id: r for r in documents(db)}
    assert rows["MRN1"].declaration_id == rows["S1"].declaration_id
    assert rows["MRN2"].declaration_id is None
    assert rows["MRN2"].reasons[0]["code"] == "awaiting_invoice"
    assert rows[None].reasons[0]["code"] == "source_not_connected"

    again = _batch(db, batch)  # redelivered: every message found, nothing written
    assert [r.duplicate for r in again] == [True] * 6
    assert [r.row_id for r in again] == [r.row_id for r in received]
    assert len(_declarations(db)) == 2 and len(documents(db)) == 5


def test_a_customs_record_after_its_invoice_corrects_the_shipment_date_in_a_batch(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO))
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    (first,) = _batch(db, [_envelope(cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED))])
    assert first.status == "attached"
    later = _batch(
        db,
        [
            _envelope(
                cast, FeedSource.CUSTOMS, customs_record("MRN1", invoice="INV-S1", exited=EXITED)
            ),
            _envelope(cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED)),  # resent
        ],
    )
    assert [(r.status, r.duplicate) for r in later] == [("attached", False), ("attached", True)]
    assert _declarations(db) == [
        ("INV-S1", "corrected", SHIPPED),
        ("INV-S1", "active", EXITED),
    ]
    rows = {r.document_id: r for r in documents(db)}
    assert rows["S1"].declaration_id == rows["MRN1"].declaration_id
    assert [r["code"] for r in rows["MRN1"].reasons] == [
        "linked_to_shipment",
        "shipment_date_enriched",
    ]


def test_the_policys_own_shipment_date_basis_dates_the_shipment(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(
        db,
        covered,
        AttachmentTerms(
            AttachmentModel.PORTFOLIO, shipment_date_basis=ShipmentDateBasis.ACCEPTANCE
        ),
    )
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    _one(db, _envelope(cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED)))
    _one(
        db,
        _envelope(
            cast,
            FeedSource.CUSTOMS,
            customs_record("MRN1", invoice="INV-S1", accepted=ACCEPTED, exited=EXITED),
        ),
    )
    _batch(
        db,
        [
            _envelope(
                cast,
                FeedSource.CUSTOMS,
                customs_record("MRN2", invoice="INV-S2", accepted=ACCEPTED, exited=EXITED),
            ),
            _envelope(cast, FeedSource.ERP, erp_event("S2", shipped=SHIPPED)),
        ],
    )
    # acceptance, not exit: the one-by-one path's correction and the batch's attachment
    assert _declarations(db) == [
        ("INV-S1", "corrected", SHIPPED),
        ("INV-S1", "active", ACCEPTED),
        ("INV-S2", "active", ACCEPTED),
    ]


def test_a_withdrawn_hybrid_shipment_attaches_again_when_corrected(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(
        db,
        covered,
        AttachmentTerms(AttachmentModel.HYBRID, correction_days=5, authorised_sources=("erp",)),
    )
    connect_source(db, cast.exporter.org_slug, FeedSource.CUSTOMS)
    invoice = _one(db, _envelope(cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED)))
    _one(
        db,
        _envelope(
            cast, FeedSource.CUSTOMS, customs_record("MRN1", invoice="INV-S1", exited=EXITED)
        ),
    )
    assert invoice.row_id is not None
    with transaction(db.factory) as s:
        withdraw_received(s, principal=exporter_principal(db, cast), document_id=invoice.row_id)
    rows = {r.document_id: r for r in documents(db)}
    assert (rows["S1"].status, rows["MRN1"].status) == ("withdrawn", "received")
    assert rows["MRN1"].declaration_id is None
    with db.factory() as s:
        assert [sh.declaration_id for sh in s.execute(select(FeedShipment)).scalars()] == [None]
    resent = _one(
        db, _envelope(cast, FeedSource.ERP, erp_event("S1", shipped=SHIPPED, amount="900.00"))
    )
    assert resent.status == "attached"
    assert [s for _n, s, _d in _declarations(db)] == ["corrected", "cancelled", "active"]
    rows = {r.document_id: r for r in documents(db) if r.status != "withdrawn"}
    with db.factory() as s:
        (shipment,) = s.execute(select(FeedShipment)).scalars()
        active = s.execute(
            select(Declaration.id, Declaration.shipment_date).where(Declaration.status == "active")
        ).one()
    assert shipment.declaration_id == active.id == rows["S1"].declaration_id
    assert rows["MRN1"].declaration_id == active.id and rows["MRN1"].status == "attached"
    assert active.shipment_date == EXITED
