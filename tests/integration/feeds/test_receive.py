"""What becomes of one received document: attached once, quarantined with reasons,
recorded as a correction; on SQLite and PostgreSQL (no stream: the service alone)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.builders.declarations import World
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import (
    connect_source,
    declaration_count,
    documents,
    erp_event,
    ubl_invoice_to_the_test_buyer,
)
from tests.unit.feeds._fixtures import fixture
from tradecover.access import service as access
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.feeds import connection_repository as connections
from tradecover.feeds import service
from tradecover.feeds.attach_bridge import attach_document, document_attacher
from tradecover.feeds.model import FeedConnection
from tradecover.feeds.record import Reason, TradeDocument
from tradecover.feeds.service import AttachOutcome, Received
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.wiring import store_for


def _receive(db: Database, envelope: Envelope, **kwargs: object) -> Received:
    with transaction(db.factory) as session:
        return service.receive(
            session,
            envelope,
            attach=kwargs.pop(  # type: ignore[arg-type]
                "attach", document_attacher(store_for(db.engine))
            ),
            **kwargs,  # type: ignore[arg-type]
        )


def _erp(cast: Cast, content: bytes, **over: object) -> Envelope:
    return Envelope.new(
        source=FeedSource.ERP,
        exporter_org_id=cast.exporter.org_id,
        content=content,
        **over,  # type: ignore[arg-type]
    )


def test_an_erp_shipment_is_attached_with_its_dedup_key(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _erp(cast, erp_event("S1", amount="2500.00")))
    assert received.status == "attached" and not received.duplicate
    (row,) = documents(db)
    assert row.dedup_key == f"erp|{cast.exporter.org_id}|S1|1"
    assert row.kind == "erp_shipment" and row.reasons == []
    with db.factory() as s:
        declaration = s.get(Declaration, row.declaration_id)
        assert declaration is not None
        assert declaration.invoice_number == "INV-S1"
        assert declaration.invoice_minor == 250_000
        assert declaration.buyer_id == covered.buyer_id
        assert declaration.policy_id == covered.policy_id
        assert declaration.channel == "erp"


def test_a_redelivered_message_and_a_second_copy_attach_nothing_more(
    db: Database, cast: Cast, covered: World
) -> None:
    envelope = _erp(cast, erp_event("S1"))
    first = _receive(db, envelope)
    again = _receive(db, envelope)
    copy = _receive(db, _erp(cast, erp_event("S1")))
    assert (again.row_id, again.duplicate) == (first.row_id, True)
    assert (copy.row_id, copy.duplicate) == (first.row_id, True)
    assert len(documents(db)) == 1
    assert declaration_count(db) == 1


def test_a_source_not_connected_quarantines_with_that_reason(
    db: Database, cast: Cast, covered: World
) -> None:
    envelope = Envelope.new(
        source=FeedSource.UBL,
        exporter_org_id=cast.exporter.org_id,
        content=fixture("ubl_export_invoice.xml"),
        filename="inv.xml",
    )
    received = _receive(db, envelope)
    assert received.status == "quarantined"
    (row,) = documents(db)
    assert [r["code"] for r in row.reasons] == ["source_not_connected"]
    assert row.dedup_key is None and row.connection_id is None
    assert row.content == envelope.content and row.filename == "inv.xml"
    assert declaration_count(db) == 0


def test_a_paused_source_quarantines(db: Database, cast: Cast, covered: World) -> None:
    with transaction(db.factory) as s:
        connection = s.execute(select(FeedConnection)).scalar_one()
        connections.set_status(
            s, principal=access.system_principal(s), connection_id=connection.id, status="paused"
        )
    assert _receive(db, _erp(cast, erp_event("S1"))).status == "quarantined"
    assert documents(db)[0].reasons[0]["code"] == "source_paused"


def test_an_unreadable_document_is_quarantined_with_every_reason(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _erp(cast, erp_event("S1", currency="XXQ", amount="12,5")))
    assert received.status == "quarantined"
    codes = {r["code"] for r in documents(db)[0].reasons}
    assert codes == {"erp_event_invalid"}
    details = [r["detail"] for r in documents(db)[0].reasons]
    assert details[0].startswith("currency:")
    assert {"amount", "lines.0.amount"} <= {d.split(":")[0] for d in details}


def test_a_document_attachment_refuses_is_quarantined_and_leaves_nothing(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _erp(cast, erp_event("S1", buyer="Nobody Known SA")))
    assert received.status == "quarantined"
    assert documents(db)[0].reasons[0]["code"] == "buyer_unknown"
    refused = _receive(
        db,
        _erp(
            cast,
            erp_event("S2", shipped=covered.inception.replace(year=covered.inception.year - 1)),
        ),
    )
    assert refused.status == "quarantined"
    assert documents(db)[1].reasons[0]["code"] == "no_policy_in_force"
    assert declaration_count(db) == 0


def test_an_attachment_that_writes_then_refuses_is_rolled_back(
    db: Database, cast: Cast, covered: World
) -> None:
    def half_then_refuse(
        session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        outcome = attach_document(session, document, connection, store=store_for(db.engine))
        assert outcome.status == "attached"
        return AttachOutcome("refused", reasons=(Reason("limit_conditions", "refused"),))

    received = _receive(db, _erp(cast, erp_event("S1")), attach=half_then_refuse)
    assert received.status == "quarantined"
    assert declaration_count(db) == 0


def test_consent_refused_quarantines(db: Database, cast: Cast, covered: World) -> None:
    received = _receive(db, _erp(cast, erp_event("S1")), consent=lambda _c, _d: False)
    assert received.status == "quarantined"
    assert documents(db)[0].reasons[0]["code"] == "consent_missing"


def test_a_later_version_is_a_correction_of_the_declaration(
    db: Database, cast: Cast, covered: World
) -> None:
    first = _receive(db, _erp(cast, erp_event("S1")))
    later = _receive(db, _erp(cast, erp_event("S1", version=2, amount="1200.00")))
    assert later.status == "awaiting_confirmation"
    old, new = documents(db)
    assert old.id == first.row_id and old.status == "superseded"
    assert new.corrects_declaration_id == old.declaration_id is not None
    assert new.declaration_id is None
    assert declaration_count(db) == 1


def test_an_earlier_version_delivered_late_changes_nothing(
    db: Database, cast: Cast, covered: World
) -> None:
    later = _receive(db, _erp(cast, erp_event("S1", version=2, amount="1200.00")))
    stale = _receive(db, _erp(cast, erp_event("S1")))
    assert (later.status, stale.status) == ("attached", "superseded")
    assert _receive(db, _erp(cast, erp_event("S1"))).duplicate  # a copy of the stale one
    newer, old = documents(db)
    assert newer.status == "attached" and old.corrects_declaration_id is None
    assert declaration_count(db) == 1


def test_an_e_invoice_is_attached_and_its_credit_note_is_a_correction(
    db: Database, cast: Cast, covered: World
) -> None:
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    note = Envelope.new(
        source=FeedSource.UBL,
        exporter_org_id=cast.exporter.org_id,
        content=fixture("ubl_credit_note.xml"),
    )
    early = _receive(db, note)
    assert early.status == "quarantined"
    assert documents(db)[0].reasons[0]["code"] == "amended_document_unknown"
    invoice = _receive(
        db,
        Envelope.new(
            source=FeedSource.UBL,
            exporter_org_id=cast.exporter.org_id,
            content=ubl_invoice_to_the_test_buyer(),
        ),
    )
    assert invoice.status == "attached"
    later = _receive(db, replace(note, message_id="resent-" + note.message_id[:50]))
    assert later.status == "awaiting_confirmation"
    _early, attached, correction = documents(db)
    assert attached.document_id == "RW-2026-0042" and attached.declaration_id is not None
    assert correction.kind == "credit_note"
    assert correction.corrects_declaration_id == attached.declaration_id
    assert declaration_count(db) == 1


def test_a_resubmission_supersedes_the_quarantined_document(
    db: Database, cast: Cast, covered: World
) -> None:
    bad = _receive(db, _erp(cast, erp_event("S1", buyer="Nobody Known SA")))
    assert bad.row_id is not None
    with transaction(db.factory) as s:
        org = access.org_by_slug(s, cast.exporter.org_slug)
        principal = replace(access.system_principal(s), org_id=org.id)
        envelope = service.resubmission(
            s, principal=principal, document_id=bad.row_id, content=erp_event("S1")
        )
    assert envelope.resubmits == bad.row_id
    fixed = _receive(db, envelope)
    assert fixed.status == "attached"
    old, new = documents(db)
    assert old.status == "superseded" and new.resubmission_of_id == old.id


def test_a_message_failing_on_every_delivery_is_quarantined(
    db: Database, cast: Cast, covered: World
) -> None:
    envelope = _erp(cast, erp_event("S1"))
    with transaction(db.factory) as s:
        failed = service.record_failure(s, envelope, "RuntimeError: boom")
    assert failed.status == "quarantined"
    assert documents(db)[0].reasons == [
        {"code": "processing_failed", "detail": "RuntimeError: boom"}
    ]
    assert _receive(db, envelope).duplicate
