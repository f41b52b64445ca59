"""The attachment model on received documents ([domain A-1]..[domain A-6]): individual
shipments wait for the exporter's confirmation, portfolio and hybrid ones attach on receipt,
the hybrid's window, corrections from the sources, currencies no policy allows; on SQLite
and PostgreSQL (no stream: the service alone).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders.declarations import World
from tests.builders.principals import exporter_principal
from tests.conftest import Cast, Database
from tests.integration.feeds.helpers import (
    TODAY,
    connect_source,
    declaration_count,
    documents,
    erp_event,
    ubl_invoice_to_the_test_buyer,
)
from tests.unit.feeds._fixtures import fixture
from tradecover.access import service as access
from tradecover.audit.model import AuditEntry
from tradecover.db.engine import transaction
from tradecover.declarations.model import Declaration
from tradecover.feeds import service
from tradecover.feeds.confirmation_repository import (
    awaiting_confirmation,
    confirm,
    confirm_many,
    correction_step,
    model_attacher,
    withdraw_received,
)
from tradecover.feeds.cover_model import ConfirmationStanding
from tradecover.feeds.service import Received
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.kit.errors import DomainError
from tradecover.policies import (
    AttachmentModel,
    AttachmentTerms,
    attachment_history,
    endorse_attachment_terms,
)
from tradecover.policies.model import Endorsement
from tradecover.wiring import store_for

HYBRID_ERP = AttachmentTerms(AttachmentModel.HYBRID, correction_days=5, authorised_sources=("erp",))


def _endorse(db: Database, world: World, terms: AttachmentTerms, effective: date) -> None:
    with transaction(db.factory) as s:
        endorse_attachment_terms(
            s,
            principal=access.system_principal(s),
            policy_id=world.policy_id,
            terms=terms,
            effective_date=effective,
        )


def _receive(db: Database, envelope: Envelope) -> Received:
    store = store_for(db.engine)
    with transaction(db.factory) as session:
        return service.receive(
            session, envelope, attach=model_attacher(store), correct=correction_step(store)
        )


def _erp(cast: Cast, content: bytes) -> Envelope:
    return Envelope.new(
        source=FeedSource.ERP, exporter_org_id=cast.exporter.org_id, content=content
    )


def _ubl(cast: Cast, content: bytes) -> Envelope:
    return Envelope.new(
        source=FeedSource.UBL, exporter_org_id=cast.exporter.org_id, content=content
    )


def _declarations(db: Database) -> list[Declaration]:
    with db.factory() as s:
        rows = list(s.execute(select(Declaration).order_by(Declaration.id)).scalars())
        s.expunge_all()
        return rows


def test_individual_by_default_a_shipment_waits_and_attaches_on_confirmation(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _erp(cast, erp_event("S1")))
    assert received.status == "awaiting_confirmation"
    assert declaration_count(db) == 0
    (row,) = documents(db)
    assert row.declaration_id is None and row.reasons[0]["code"] == "awaiting_confirmation"
    principal = exporter_principal(db, cast)
    with db.factory() as s:
        (waiting,) = awaiting_confirmation(s, principal=principal)
        assert waiting.document_row_id == row.id and waiting.shipment_date == TODAY
        assert waiting.deadline is not None and waiting.deadline > TODAY  # monthly: the 15th
        assert waiting.standing is not ConfirmationStanding.OVERDUE
        late = awaiting_confirmation(
            s, principal=principal, today=waiting.deadline + timedelta(days=1)
        )
        assert late[0].standing is ConfirmationStanding.OVERDUE
    with transaction(db.factory) as s:
        confirmed = confirm(s, principal=principal, document_id=row.id, store=store_for(db.engine))
        assert confirmed.status == "attached" and confirmed.declaration_id is not None
    (declaration,) = _declarations(db)
    assert declaration.invoice_number == "INV-S1" and declaration.channel == "erp"
    with db.factory() as s:
        assert awaiting_confirmation(s, principal=principal) == []
        actions = s.execute(
            select(AuditEntry.action).where(AuditEntry.entity_type == "feed_document")
        ).scalars()
        assert list(actions) == ["feeds.document_confirmed"]
    with pytest.raises(DomainError) as again, transaction(db.factory) as s:
        confirm(s, principal=principal, document_id=row.id, store=store_for(db.engine))
    assert again.value.code == "document_not_awaiting_confirmation"


def test_confirm_many_goes_on_past_a_refusal(db: Database, cast: Cast, covered: World) -> None:
    first = _receive(db, _erp(cast, erp_event("S1")))
    unknown = _receive(db, _erp(cast, erp_event("S2", buyer="Nobody Known SA")))
    assert (first.status, unknown.status) == ("awaiting_confirmation",) * 2
    assert first.row_id is not None and unknown.row_id is not None
    with transaction(db.factory) as s:
        outcomes = confirm_many(
            s,
            principal=exporter_principal(db, cast),
            document_ids=[first.row_id, unknown.row_id, 999_999],
            store=store_for(db.engine),
        )
    assert outcomes[0].declaration_id is not None and outcomes[0].error is None
    assert outcomes[1].error is not None and outcomes[1].error.code == "buyer_unknown"
    assert outcomes[2].error is not None and outcomes[2].error.code == "document_not_found"
    assert declaration_count(db) == 1
    assert [d.status for d in documents(db)] == ["attached", "awaiting_confirmation"]


def test_a_shipment_awaiting_confirmation_is_withdrawn(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _erp(cast, erp_event("S1")))
    assert received.row_id is not None
    with transaction(db.factory) as s:
        withdraw_received(s, principal=exporter_principal(db, cast), document_id=received.row_id)
    assert [d.status for d in documents(db)] == ["withdrawn"]
    assert declaration_count(db) == 0


def test_portfolio_attaches_on_receipt_and_the_exporter_cannot_withdraw(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO), TODAY)
    received = _receive(db, _erp(cast, erp_event("S1")))
    assert received.status == "attached" and received.row_id is not None
    with pytest.raises(DomainError) as refused, transaction(db.factory) as s:
        withdraw_received(s, principal=exporter_principal(db, cast), document_id=received.row_id)
    assert refused.value.code == "withdrawal_not_allowed"
    assert [d.status for d in _declarations(db)] == ["active"]


def test_hybrid_attaches_from_an_authorised_source_and_withdraws_within_its_window(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, HYBRID_ERP, TODAY)
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    first = _receive(db, _erp(cast, erp_event("S1")))
    second = _receive(db, _erp(cast, erp_event("S2")))
    invoice = _receive(db, _ubl(cast, ubl_invoice_to_the_test_buyer()))
    assert (first.status, second.status) == ("attached", "attached")
    assert invoice.status == "awaiting_confirmation"  # UBL is not authorised
    assert first.row_id is not None and second.row_id is not None
    principal = exporter_principal(db, cast)
    with pytest.raises(DomainError) as late, transaction(db.factory) as s:
        withdraw_received(
            s, principal=principal, document_id=second.row_id, today=TODAY + timedelta(days=6)
        )
    assert late.value.code == "correction_window_closed"
    with transaction(db.factory) as s:
        withdraw_received(
            s, principal=principal, document_id=first.row_id, today=TODAY + timedelta(days=5)
        )
    assert [d.status for d in _declarations(db)] == ["cancelled", "active"]
    assert [d.status for d in documents(db)] == ["withdrawn", "attached", "awaiting_confirmation"]


def test_the_model_changes_by_endorsement_from_its_effective_date(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO), TODAY + timedelta(days=1))
    assert _receive(db, _erp(cast, erp_event("S1"))).status == "awaiting_confirmation"
    with db.factory() as s:
        (endorsement,) = s.execute(select(Endorsement)).scalars()
        assert "portfolio" in endorsement.text
        issued, entry = attachment_history(
            s, principal=access.system_principal(s), policy_id=covered.policy_id
        )
        assert (issued.effective, issued.terms) == (covered.inception, AttachmentTerms())
        assert (entry.effective, entry.terms.model) == (
            TODAY + timedelta(days=1),
            AttachmentModel.PORTFOLIO,
        )
        audited = s.execute(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "policy", AuditEntry.entity_id == str(covered.policy_id)
            )
        ).scalars()
        assert "policy.attachment_terms_endorsed" in list(audited)
    with pytest.raises(DomainError) as outside, transaction(db.factory) as s:
        endorse_attachment_terms(
            s,
            principal=access.system_principal(s),
            policy_id=covered.policy_id,
            terms=HYBRID_ERP,
            effective_date=TODAY + timedelta(days=4000),
        )
    assert outside.value.code == "endorsement_outside_term"
    with pytest.raises(DomainError) as not_insurer, transaction(db.factory) as s:
        endorse_attachment_terms(
            s,
            principal=exporter_principal(db, cast),
            policy_id=covered.policy_id,
            terms=HYBRID_ERP,
            effective_date=TODAY,
        )
    assert not_insurer.value.status in (403, 404)


def test_a_later_version_corrects_the_declaration_exactly_once(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO), TODAY)
    _receive(db, _erp(cast, erp_event("S1")))
    later = _erp(cast, erp_event("S1", version=2, amount="1200.00"))
    assert _receive(db, later).status == "attached"
    assert _receive(db, later).duplicate  # redelivered
    assert _receive(db, replace(later, message_id="copy-" + later.message_id[:40])).duplicate
    old, new = _declarations(db)
    assert (old.status, new.status) == ("corrected", "active")
    assert new.supersedes_id == old.id and new.invoice_minor == 120_000
    first, correction = documents(db)
    assert first.status == "superseded"
    assert correction.corrects_declaration_id == old.id and correction.declaration_id == new.id


def test_a_credit_note_corrects_and_a_second_one_cancels(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO), TODAY)
    connect_source(db, cast.exporter.org_slug, FeedSource.UBL)
    assert _receive(db, _ubl(cast, ubl_invoice_to_the_test_buyer())).status == "attached"
    note = fixture("ubl_credit_note.xml").replace(b"EUR", b"USD")
    assert _receive(db, _ubl(cast, note)).status == "attached"
    invoice, corrected = _declarations(db)
    assert invoice.status == "corrected" and corrected.invoice_minor == 195_000 - 15_000
    whole = note.replace(b"RW-CN-2026-0003", b"RW-CN-2026-0004").replace(b"150.00", b"1800.00")
    assert _receive(db, _ubl(cast, whole)).status == "attached"
    assert [d.status for d in _declarations(db)] == ["corrected", "cancelled"]
    assert documents(db)[-1].reasons[0]["code"] == "declaration_cancelled"
    again = whole.replace(b"RW-CN-2026-0004", b"RW-CN-2026-0005")
    assert _receive(db, _ubl(cast, again)).status == "quarantined"
    assert documents(db)[-1].reasons[0]["code"] == "corrected_declaration_ended"


def test_an_invoice_in_a_currency_no_policy_allows_is_quarantined(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _erp(cast, erp_event("S1", currency="EUR")))
    assert received.status == "quarantined"
    (row,) = documents(db)
    assert row.reasons[0]["code"] == "currency_not_allowed"
    assert "USD" in row.reasons[0]["detail"]
    assert declaration_count(db) == 0


def test_a_document_for_an_exporter_the_source_is_not_connected_to(
    db: Database, cast: Cast, covered: World
) -> None:
    received = _receive(db, _ubl(cast, ubl_invoice_to_the_test_buyer()))
    assert received.status == "quarantined"
    assert documents(db)[0].reasons[0]["code"] == "source_not_connected"
    assert declaration_count(db) == 0


def test_the_underwriter_changes_the_model_over_the_api(
    app_client: TestClient, cast: Cast, covered: World
) -> None:
    url = f"/api/v1/policies/{covered.policy_id}/attachment-terms"
    body = {
        "model": "hybrid",
        "correction_days": 3,
        "authorised_sources": ["customs", "erp"],
        "effective_date": TODAY.isoformat(),
    }
    assert app_client.post(url, json=body, headers=cast.exporter.headers).status_code == 403
    made = app_client.post(url, json=body, headers=cast.admin.headers)
    assert made.status_code == 201, made.text
    assert "hybrid" in made.json()["text"]
    bad = app_client.post(
        url, json={**body, "authorised_sources": ["fax"]}, headers=cast.admin.headers
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "unknown_source")
    history = app_client.get(url, headers=cast.exporter.headers).json()
    assert [(h["model"], h["correction_days"]) for h in history] == [
        ("individual", 7),
        ("hybrid", 3),
    ]


def test_a_later_version_of_a_waiting_shipment_replaces_it(
    db: Database, cast: Cast, covered: World
) -> None:
    _receive(db, _erp(cast, erp_event("S1")))
    later = _receive(db, _erp(cast, erp_event("S1", version=2, amount="1300.00")))
    assert later.status == "awaiting_confirmation" and later.row_id is not None
    assert [d.status for d in documents(db)] == ["superseded", "awaiting_confirmation"]
    with transaction(db.factory) as s:
        confirm(
            s,
            principal=exporter_principal(db, cast),
            document_id=later.row_id,
            store=store_for(db.engine),
        )
    (declaration,) = _declarations(db)
    assert declaration.invoice_minor == 130_000


def test_a_correction_left_waiting_is_applied_on_confirmation(
    db: Database, cast: Cast, covered: World
) -> None:
    _endorse(db, covered, AttachmentTerms(AttachmentModel.PORTFOLIO), TODAY)
    _receive(db, _erp(cast, erp_event("S1")))
    with transaction(db.factory) as s:  # a worker without the correction step
        waiting = service.receive(
            s,
            _erp(cast, erp_event("S1", version=2, amount="800.00")),
            attach=model_attacher(store_for(db.engine)),
        )
    assert waiting.status == "awaiting_confirmation" and waiting.row_id is not None
    with transaction(db.factory) as s:
        row = confirm(
            s,
            principal=exporter_principal(db, cast),
            document_id=waiting.row_id,
            store=store_for(db.engine),
        )
        assert row.status == "attached"
    old, new = _declarations(db)
    assert (old.status, new.status, new.invoice_minor) == ("corrected", "active", 80_000)
