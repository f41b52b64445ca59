"""Use cases of the feed stream: what becomes of one received document, and the exporter's view.

:func:`receive` takes one :class:`~tradecover.feeds.stream.envelope.Envelope` off the
stream, in the worker's transaction: a message already recorded (``message_id``) is
done; otherwise the document is read (:func:`tradecover.feeds.read_document`, or the ERP
event schema), checked against the exporter's connection and the consent rules
(:func:`~tradecover.feeds.stream.consent.may_receive`), deduplicated by its key (source,
exporter, document id, version), and then

- reconciled with the documents of its shipment already received
  (:func:`tradecover.feeds.shipment_repository.reconcile`): attached through the injected
  :class:`AttachDocument` step (``attached``, or ``awaiting_confirmation``), linked to
  the declaration its shipment already has, or held for its invoice (``received``), or
- recorded as a correction event on the declaration it changes (a credit note, a later
  version of a document already attached: ``awaiting_confirmation``, the earlier row
  ``superseded``), or
- recorded (customs notifications: ``received``), or
- quarantined with its reasons, which the exporter sees and resubmits.

The row and the declaration are written in the same transaction: services never commit,
the worker commits and then acknowledges the message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover import consents
from tradecover.access import OrganisationKind, Permission, Principal
from tradecover.events import record_event
from tradecover.feeds.dispatch import read_document
from tradecover.feeds.erp_webhook import EVENT_INVALID, ErpShipmentEvent, to_trade_document
from tradecover.feeds.model import FeedConnection, ReceivedDocument
from tradecover.feeds.record import DocumentKind, Quarantine, ReadResult, Reason, TradeDocument
from tradecover.feeds.shipment_repository import EnrichDeclaration, reconcile
from tradecover.feeds.stream.consent import CONSENT_MISSING, may_receive
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.withholding import is_projection, projection_bytes, withhold
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed

_DOCUMENTS = consents.Scope.INVOICE_DOCUMENTS
_DOCUMENTS_PURPOSE = consents.Purpose.COVER_ATTACHMENT

SOURCE_NOT_CONNECTED = "source_not_connected"
SOURCE_PAUSED = "source_paused"
AMENDED_DOCUMENT_UNKNOWN = "amended_document_unknown"
PROCESSING_FAILED = "processing_failed"
NOTIFICATIONS = frozenset({DocumentKind.CUSTOMS_ACCEPTANCE, DocumentKind.CUSTOMS_EXIT})
"""Customs notifications: recorded (``received``), attached to nothing."""
SETTLED = ("attached", "awaiting_confirmation", "received")
"""Statuses of the document a later version or a credit note changes."""


@dataclass(frozen=True, slots=True)
class AttachOutcome:
    """What the attachment step made of a document."""

    status: Literal["attached", "awaiting_confirmation", "refused"]
    declaration_id: int | None = None
    reasons: tuple[Reason, ...] = ()


class AttachDocument(Protocol):
    """The attachment step: declare the shipment a document shows, in the caller's session."""

    def __call__(
        self, session: Session, document: TradeDocument, connection: FeedConnection
    ) -> AttachOutcome:
        """Attach ``document`` for ``connection``'s exporter, or say why not."""


class CorrectDeclaration(Protocol):
    """The correction step: apply a correcting document to the declaration it changes."""

    def __call__(
        self,
        session: Session,
        document: TradeDocument,
        connection: FeedConnection,
        declaration_id: int,
    ) -> AttachOutcome:
        """Correct (or cancel) declaration ``declaration_id`` as ``document`` says, or say
        why not.
        """


ConsentRule = Callable[[FeedConnection, TradeDocument], bool]


@dataclass(frozen=True, slots=True)
class Received:
    """What :func:`receive` did with one message."""

    row_id: int | None
    status: str
    duplicate: bool = False


def dedup_key(exporter_org_id: int, document: TradeDocument) -> str:
    """The key that makes attachment exactly once: source, exporter, document id, version."""
    return "|".join(
        (document.source, str(exporter_org_id), document.document_id, document.version)
    )[:300]


def read_feed_document(source: FeedSource, content: bytes) -> ReadResult:
    """Read a document of ``source``: an ERP event (already authenticated), else any format
    the feed readers tell apart.
    """
    if source is FeedSource.ERP:
        try:
            event = ErpShipmentEvent.model_validate_json(content)
        except ValidationError as error:
            return Quarantine(
                None,
                source.value,
                tuple(
                    Reason(EVENT_INVALID, f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}")
                    for item in error.errors()[:20]
                ),
            )
        return to_trade_document(event, source=source.value)
    return read_document(content, source=source.value)


def _connection(session: Session, exporter_org_id: int, source: str) -> FeedConnection | None:
    return session.execute(
        select(FeedConnection).where(
            FeedConnection.exporter_org_id == exporter_org_id, FeedConnection.source == source
        )
    ).scalar_one_or_none()


def _by_message(session: Session, message_id: str) -> ReceivedDocument | None:
    return session.execute(
        select(ReceivedDocument).where(ReceivedDocument.message_id == message_id)
    ).scalar_one_or_none()


def _settled(session: Session, *conditions: object) -> ReceivedDocument | None:
    return session.execute(
        select(ReceivedDocument)
        .where(ReceivedDocument.status.in_(SETTLED), *conditions)  # type: ignore[arg-type]
        .order_by(ReceivedDocument.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _withheld(session: Session, envelope: Envelope) -> frozenset[str]:
    """What the exporter withholds from this source's documents, in effect [domain CS-11]."""
    chosen = consents.withheld_fields(session, envelope.exporter_org_id, envelope.source.value)
    return frozenset(f.value for f in consents.effective_withheld(chosen))


def _stored(read: ReadResult | None, envelope: Envelope, withheld: frozenset[str]) -> bytes:
    """What the row keeps of the document: the original bytes, or when the exporter withholds
    fields their projection without them (nothing for a document that could not be read)
    [domain CS-11].
    """
    if not withheld:
        return envelope.content
    if isinstance(read, TradeDocument):
        return projection_bytes(read, withheld)
    return b""


def _row(
    envelope: Envelope,
    connection: FeedConnection | None,
    now: datetime,
    read: ReadResult | None,
    withheld: frozenset[str] = frozenset(),
) -> ReceivedDocument:
    document = read if isinstance(read, TradeDocument) else None
    return ReceivedDocument(
        message_id=envelope.message_id,
        exporter_org_id=envelope.exporter_org_id,
        connection_id=connection.id if connection is not None else None,
        source=envelope.source.value,
        format=(read.format.value if read is not None and read.format is not None else None),
        kind=document.kind.value if document else None,
        document_id=(
            document.document_id
            if document
            else read.document_id
            if isinstance(read, Quarantine)
            else None
        ),
        version=document.version if document else None,
        dedup_key=None,
        status="received",
        reasons=[],
        declaration_id=None,
        corrects_declaration_id=None,
        resubmission_of_id=envelope.resubmits,
        filename=envelope.filename,
        content=_stored(read, envelope, withheld),
        content_sha256=hashlib.sha256(envelope.content).hexdigest(),
        received_at=envelope.received_at,
        processed_at=now,
        updated_at=now,
    )


def _quarantine(session: Session, row: ReceivedDocument, reasons: Sequence[Reason]) -> Received:
    row.status = "quarantined"
    row.dedup_key = None
    row.reasons = [{"code": r.code, "detail": r.detail} for r in reasons]
    received = _write(session, row)
    record_event(
        session,
        "document.quarantined",
        f"received_document:{row.id}",
        {"document_id": row.id, "reason": ", ".join(r.code for r in reasons) or "quarantined"},
        row.exporter_org_id,
    )
    return received


def _write(session: Session, row: ReceivedDocument) -> Received:
    session.add(row)
    session.flush()
    return Received(row.id, row.status)


def _supersede_resubmitted(session: Session, envelope: Envelope, now: datetime) -> None:
    if envelope.resubmits is None:
        return
    old = session.get(ReceivedDocument, envelope.resubmits)
    if (
        old is not None
        and old.exporter_org_id == envelope.exporter_org_id
        and old.status == "quarantined"
    ):
        old.status, old.updated_at = "superseded", now


def receive(
    session: Session,
    envelope: Envelope,
    *,
    attach: AttachDocument,
    consent: ConsentRule = may_receive,
    now: datetime | None = None,
    correct: CorrectDeclaration | None = None,
) -> Received:
    """Record what becomes of ``envelope``'s document (see the module's docstring); with a
    ``correct`` step a correction is applied at once ([domain A-5]), without it the
    correction waits (``awaiting_confirmation``).
    """
    done = _by_message(session, envelope.message_id)
    if done is not None:
        return Received(done.id, done.status, duplicate=True)
    now = now or utc_now()
    connection = _connection(session, envelope.exporter_org_id, envelope.source.value)
    read = read_feed_document(envelope.source, envelope.content)
    withheld = _withheld(session, envelope)
    if isinstance(read, TradeDocument):
        read = withhold(read, withheld)  # what is withheld never reaches a table
    row = _row(envelope, connection, now, read, withheld)
    _supersede_resubmitted(session, envelope, now)
    if connection is None:
        return _quarantine(
            session,
            row,
            [
                Reason(
                    SOURCE_NOT_CONNECTED,
                    f"the {envelope.source.value} source is not connected to this exporter",
                )
            ],
        )
    if connection.status != "active":
        return _quarantine(
            session,
            row,
            [Reason(SOURCE_PAUSED, f"the {envelope.source.value} connection is paused")],
        )
    if isinstance(read, Quarantine):
        return _quarantine(session, row, read.reasons)
    if not consent(connection, read):
        return _quarantine(
            session,
            row,
            [Reason(CONSENT_MISSING, "the exporter has not consented to this document")],
        )
    key = dedup_key(envelope.exporter_org_id, read)
    seen = session.execute(
        select(ReceivedDocument).where(ReceivedDocument.dedup_key == key)
    ).scalar_one_or_none()
    if seen is not None:
        return Received(seen.id, seen.status, duplicate=True)
    row.dedup_key = key
    return _settle(session, row, read, connection, attach, now, correct)


def _later(version: str | None, than: str) -> bool:
    """Whether ``version`` is later than ``than`` (numbers compared as numbers)."""
    if version is None:
        return False
    if version.isdigit() and than.isdigit():
        return int(version) > int(than)
    return version > than


def _settle(
    session: Session,
    row: ReceivedDocument,
    document: TradeDocument,
    connection: FeedConnection,
    attach: AttachDocument,
    now: datetime,
    correct: CorrectDeclaration | None = None,
) -> Received:
    if document.kind in NOTIFICATIONS:
        row.status = "received"
        return _write(session, row)
    earlier = _settled(
        session,
        ReceivedDocument.exporter_org_id == row.exporter_org_id,
        ReceivedDocument.source == row.source,
        ReceivedDocument.document_id == document.document_id,
    )
    if earlier is not None and _later(earlier.version, document.version):
        row.status = "superseded"  # an earlier version delivered after a later one
        return _write(session, row)
    if earlier is not None:  # a later version of a document received before
        row.corrects_declaration_id = earlier.declaration_id or earlier.corrects_declaration_id
        row.status = "awaiting_confirmation"
        if correct is not None and row.corrects_declaration_id is not None:
            received = _corrected(session, row, document, connection, correct)
            if received.status == "quarantined":
                return received  # the earlier version stands
        earlier.status, earlier.updated_at = "superseded", now
        return _write(session, row)
    if document.kind is DocumentKind.CREDIT_NOTE:
        amended = _settled(
            session,
            ReceivedDocument.exporter_org_id == row.exporter_org_id,
            ReceivedDocument.document_id == document.amends,
            ReceivedDocument.declaration_id.is_not(None),
        )
        if amended is None:
            return _quarantine(
                session,
                row,
                [
                    Reason(
                        AMENDED_DOCUMENT_UNKNOWN,
                        f"no attached invoice {document.amends or '?'} for this credit note",
                    )
                ],
            )
        row.corrects_declaration_id = amended.declaration_id
        row.status = "awaiting_confirmation"
        if correct is not None and amended.declaration_id is not None:
            return _corrected(session, row, document, connection, correct)
        return _write(session, row)

    def attach_step(
        session: Session, document: TradeDocument, connection: FeedConnection
    ) -> tuple[str, int | None, tuple[Reason, ...]]:
        outcome = attach(session, document, connection)
        return outcome.status, outcome.declaration_id, outcome.reasons

    enrich = attach if isinstance(attach, EnrichDeclaration) else None
    with session.begin_nested() as savepoint:  # a refusal leaves nothing of the attempt
        status, declaration_id, reasons = reconcile(
            session, row, document, connection, attach_step, enrich=enrich, now=now
        )
        if status == "refused":
            savepoint.rollback()
    if status == "refused":
        return _quarantine(session, row, reasons)
    row.status, row.declaration_id = status, declaration_id
    row.reasons = [{"code": r.code, "detail": r.detail} for r in reasons]
    return _write(session, row)


def _corrected(
    session: Session,
    row: ReceivedDocument,
    document: TradeDocument,
    connection: FeedConnection,
    correct: CorrectDeclaration,
) -> Received:
    """Apply a correcting document through ``correct``, in a savepoint; its row holds the
    new declaration (None: cancelled) or is quarantined with the reasons.
    """
    assert row.corrects_declaration_id is not None
    with session.begin_nested() as savepoint:  # a refusal leaves nothing of the attempt
        outcome = correct(session, document, connection, row.corrects_declaration_id)
        if outcome.status == "refused":
            savepoint.rollback()
    if outcome.status == "refused":
        return _quarantine(session, row, outcome.reasons)
    row.status, row.declaration_id = outcome.status, outcome.declaration_id
    row.reasons = [{"code": r.code, "detail": r.detail} for r in outcome.reasons]
    return _write(session, row)


def record_failure(
    session: Session, envelope: Envelope, detail: str, now: datetime | None = None
) -> Received:
    """Quarantine a message whose processing failed on every delivery (``processing_failed``)."""
    done = _by_message(session, envelope.message_id)
    if done is not None:
        return Received(done.id, done.status, duplicate=True)
    now = now or utc_now()
    connection = _connection(session, envelope.exporter_org_id, envelope.source.value)
    return _quarantine(
        session,
        _row(envelope, connection, now, None, _withheld(session, envelope)),
        [Reason(PROCESSING_FAILED, detail[:500])],
    )


# --- the exporter's view -----------------------------------------------------------------


def list_documents(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ReceivedDocument], int]:
    """A page of the received documents the caller may see, newest first: its own, and
    those of the exporters whose consent lets it read their invoice documents
    [domain CS-6]; and how many there are.
    """
    principal.require(Permission.DECLARATION_READ)
    visible = consents.readable(session, principal, _DOCUMENTS, _DOCUMENTS_PURPOSE)
    conditions = [visible.condition(ReceivedDocument.exporter_org_id)]
    if status is not None:
        conditions.append(ReceivedDocument.status == status)
    total = session.execute(
        select(func.count()).select_from(ReceivedDocument).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        select(ReceivedDocument)
        .where(*conditions)
        .order_by(ReceivedDocument.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), int(total)


def get_document(session: Session, *, principal: Principal, document_id: int) -> ReceivedDocument:
    """One received document of the caller's organisation, or of an exporter whose
    consent lets the caller read it [domain CS-6] (another exporter's: 404; without a
    consent: 403 ``consent_required``).
    """
    principal.require(Permission.DECLARATION_READ)
    row = session.get(ReceivedDocument, document_id)
    if row is None or (
        row.exporter_org_id != principal.org_id and principal.org_kind is OrganisationKind.EXPORTER
    ):
        raise NotFound(f"no received document {document_id}", code="document_not_found")
    consents.require(session, principal, row.exporter_org_id, _DOCUMENTS, _DOCUMENTS_PURPOSE)
    return row


def resubmission(
    session: Session,
    *,
    principal: Principal,
    document_id: int,
    content: bytes | None = None,
    filename: str | None = None,
) -> Envelope:
    """The envelope that resubmits a quarantined document (``content``: the fixed one, else
    the stored one, e.g. once the source is connected); the caller publishes it, and the
    worker marks the old row ``superseded`` when it takes the new one.
    """
    principal.require(Permission.DECLARATION_WRITE)
    row = get_document(session, principal=principal, document_id=document_id)
    if row.status != "quarantined":
        raise Conflict(
            f"the document is {row.status}: only a quarantined document is resubmitted",
            code="document_not_quarantined",
        )
    if content is not None and not content.strip():
        raise ValidationFailed("the resubmitted document is empty", code="document_empty")
    if content is None and is_projection(row.content):
        raise ValidationFailed(
            "the original of this document was not kept (fields withheld): send it again",
            code="document_content_required",
            field="content",
        )
    return Envelope.new(
        source=row.source,
        exporter_org_id=row.exporter_org_id,
        content=content if content is not None else row.content,
        filename=filename or row.filename,
        resubmits=row.id,
    )


def withdraw(session: Session, *, principal: Principal, document_id: int) -> ReceivedDocument:
    """The exporter withdraws a quarantined document it will not fix (``withdrawn``)."""
    principal.require(Permission.DECLARATION_WRITE)
    row = get_document(session, principal=principal, document_id=document_id)
    if row.status != "quarantined":
        raise Conflict(
            f"the document is {row.status}: only a quarantined document is withdrawn",
            code="document_not_quarantined",
        )
    row.status, row.updated_at = "withdrawn", utc_now()
    return row


def submission(
    session: Session,
    *,
    principal: Principal,
    source: FeedSource,
    content: bytes,
    filename: str | None = None,
) -> Envelope:
    """The envelope of a document the exporter uploads for its own connection of ``source``."""
    principal.require(Permission.DECLARATION_WRITE)
    connection = _connection(session, principal.org_id, source.value)
    if connection is None:
        raise NotFound(
            f"the {source.value} source is not connected to your organisation",
            code=SOURCE_NOT_CONNECTED,
        )
    if connection.status != "active":
        raise Conflict(f"the {source.value} connection is paused", code=SOURCE_PAUSED)
    if not content.strip():
        raise ValidationFailed("the document is empty", code="document_empty")
    return Envelope.new(
        source=source, exporter_org_id=principal.org_id, content=content, filename=filename
    )
