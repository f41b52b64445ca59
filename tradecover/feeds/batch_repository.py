"""A fetched batch of the stream received set-based ([domain FR-1], ADR 0026).

:func:`receive_many` does for a whole batch what :func:`tradecover.feeds.service.receive`
does for one message, in the worker's one transaction, with a fixed number of queries per
batch instead of a dozen per document: the messages already recorded, the connections,
the dedup keys already taken, the earlier versions, the shipments of the batch's invoice
keys (created where new, then locked), the customs records they hold and the unkeyed
customs records an invoice may claim are each read with one query; the documents are
parsed and reconciled in memory (an invoice attaches with the dates and HS code of every
customs record of its shipment received so far, this batch's included, so that a customs
record taken with its invoice needs no correction); what attaches is declared through the
attachment step's batch path (the one attachment service's ``attach_many``); and every row
is written with one flush.  The rows carry their dedup keys (unique) in the transaction of
their declarations: attachment stays exactly once.

What the set-based path does not reconcile in memory (a later version of a document, a
credit note, a resubmission, a customs record that names no invoice, a customs record or a
second invoice of a shipment already declared, a document kind with no shipment) is taken
after it by :func:`~tradecover.feeds.service.receive`, one by one, in the same transaction.
A quarantined document keeps its reasons, per document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, select, text, tuple_
from sqlalchemy import insert as insert_into
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tradecover.feeds import service
from tradecover.feeds.matching import (
    CUSTOMS_KINDS,
    DEFAULT_POLICY,
    INVOICE_KINDS,
    MatchRule,
    match_invoice,
)
from tradecover.feeds.model import FeedConnection, FeedShipment, ReceivedDocument
from tradecover.feeds.record import DocumentKind, Quarantine, Reason, TradeDocument
from tradecover.feeds.service import (
    NOTIFICATIONS,
    SETTLED,
    SOURCE_NOT_CONNECTED,
    SOURCE_PAUSED,
    AttachDocument,
    AttachOutcome,
    ConsentRule,
    CorrectDeclaration,
    Received,
)
from tradecover.feeds.shipment_repository import (
    AWAITING_INVOICE,
    LINKED_TO_SHIPMENT,
    OPEN_STATUSES,
    as_document,
    enrich_declared,
    record_facts,
    with_customs_facts,
)
from tradecover.feeds.stream.consent import CONSENT_MISSING, may_receive
from tradecover.feeds.stream.envelope import Envelope
from tradecover.feeds.withholding import withhold
from tradecover.kit.dates import utc_now


@dataclass
class _Taken:
    """One message of the batch on its way through."""

    index: int
    envelope: Envelope
    row: ReceivedDocument | None = None
    document: TradeDocument | None = None
    connection: FeedConnection | None = None
    received: Received | None = None
    duplicate_of: _Taken | None = None
    slow: bool = False
    enriches: int | None = None


@dataclass
class _Shipment:
    """A shipment key of the batch: its row, its customs records (stored and new)."""

    row: FeedShipment
    customs: list[ReceivedDocument] = field(default_factory=list)
    invoice: _Taken | None = None
    claimed: list[tuple[ReceivedDocument, str]] = field(default_factory=list)


def _by_message(session: Session, ids: Sequence[str]) -> dict[str, ReceivedDocument]:
    rows = session.execute(select(ReceivedDocument).where(ReceivedDocument.message_id.in_(ids)))
    return {row.message_id: row for row in rows.scalars()}


def _connections(
    session: Session, pairs: set[tuple[int, str]]
) -> dict[tuple[int, str], FeedConnection]:
    rows = session.execute(
        select(FeedConnection).where(FeedConnection.exporter_org_id.in_({org for org, _s in pairs}))
    )
    return {(c.exporter_org_id, c.source): c for c in rows.scalars()}


def _read(session: Session, taken: list[_Taken], now: datetime) -> None:
    """Read every document, give each its row, quarantine what cannot go on."""
    pairs = {(t.envelope.exporter_org_id, t.envelope.source.value) for t in taken}
    connections = _connections(session, pairs)
    withheld_of: dict[tuple[int, str], frozenset[str]] = {}
    for item in taken:
        envelope = item.envelope
        pair = (envelope.exporter_org_id, envelope.source.value)
        if pair not in withheld_of:
            withheld_of[pair] = service._withheld(session, envelope)
        withheld = withheld_of[pair]
        read = service.read_feed_document(envelope.source, envelope.content)
        if isinstance(read, TradeDocument):
            read = withhold(read, withheld)
        item.connection = connection = connections.get(pair)
        item.row = row = service._row(envelope, connection, now, read, withheld)
        reasons: list[Reason] = []
        if connection is None:
            reasons = [
                Reason(
                    SOURCE_NOT_CONNECTED,
                    f"the {envelope.source.value} source is not connected to this exporter",
                )
            ]
        elif connection.status != "active":
            reasons = [Reason(SOURCE_PAUSED, f"the {envelope.source.value} connection is paused")]
        elif isinstance(read, Quarantine):
            reasons = list(read.reasons)
        if reasons:
            item.received = service._quarantine(session, row, reasons)
            continue
        assert isinstance(read, TradeDocument)
        item.document = read


def _consented(session: Session, taken: list[_Taken], consent: ConsentRule) -> None:
    for item in taken:
        if item.received is None and item.document is not None and item.row is not None:
            assert item.connection is not None
            if not consent(item.connection, item.document):
                item.received = service._quarantine(
                    session,
                    item.row,
                    [Reason(CONSENT_MISSING, "the exporter has not consented to this document")],
                )


def _deduplicated(session: Session, live: list[_Taken]) -> list[_Taken]:
    """Give each document its dedup key; a key taken already (or earlier in the batch) is
    a duplicate.  The documents left.
    """
    keys: dict[str, _Taken] = {}
    for item in live:
        assert item.document is not None
        assert item.row is not None
        item.row.dedup_key = service.dedup_key(item.envelope.exporter_org_id, item.document)
    seen = {
        row.dedup_key: row
        for row in session.execute(
            select(ReceivedDocument).where(
                ReceivedDocument.dedup_key.in_([t.row.dedup_key for t in live if t.row])
            )
        ).scalars()
    }
    left: list[_Taken] = []
    for item in live:
        assert item.row is not None
        assert item.row.dedup_key is not None
        stored = seen.get(item.row.dedup_key)
        if stored is not None:
            item.received = Received(stored.id, stored.status, duplicate=True)
        elif item.row.dedup_key in keys:
            item.duplicate_of = keys[item.row.dedup_key]
        else:
            keys[item.row.dedup_key] = item
            left.append(item)
    return left


def _earlier_versions(session: Session, live: list[_Taken]) -> None:
    """Send to the one-by-one path a document of which a version was received before (in
    an earlier batch or this one), a credit note, and a resubmission.
    """
    wanted = {
        (t.envelope.exporter_org_id, t.envelope.source.value, t.document.document_id)
        for t in live
        if t.document is not None
    }
    stored = {
        (int(org), str(source), str(document_id))
        for org, source, document_id in session.execute(
            select(
                ReceivedDocument.exporter_org_id,
                ReceivedDocument.source,
                ReceivedDocument.document_id,
            ).where(
                tuple_(
                    ReceivedDocument.exporter_org_id,
                    ReceivedDocument.source,
                    ReceivedDocument.document_id,
                ).in_(wanted),
                ReceivedDocument.status.in_(SETTLED),
            )
        ).all()
    }
    first: set[tuple[int, str, str]] = set()
    for item in live:
        assert item.document is not None
        key = (item.envelope.exporter_org_id, item.envelope.source.value, item.document.document_id)
        if (
            key in stored
            or key in first
            or item.document.kind is DocumentKind.CREDIT_NOTE
            or item.envelope.resubmits is not None
        ):
            item.slow = True
        first.add(key)


FEEDS_LOCK_SPACE = 0x7C17
"""The first key of the feed workers' per-exporter advisory locks (PostgreSQL)."""


def _hold_exporters(session: Session, exporters: set[int]) -> None:
    """Hold each exporter's feed lock until the transaction ends, in id order (PostgreSQL;
    SQLite's ``BEGIN IMMEDIATE`` already serialises writers).  A batch locks its shipments,
    its limits and the buyers' audit chains in several steps (its attachments, then its
    corrections): two workers on one exporter's documents take turns for that part instead
    of locking the same rows in two orders and deadlocking.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for org in sorted(exporters):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :org)"),
            {"space": FEEDS_LOCK_SPACE, "org": org},
        )


def _shipments(
    session: Session, keys: set[tuple[int, str]], now: datetime
) -> dict[tuple[int, str], FeedShipment]:
    """The shipments of ``keys``, created where new (``ON CONFLICT DO NOTHING``: a
    concurrent creator's row stands), then locked in key order, as committed.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(FeedShipment).on_conflict_do_nothing(
            index_elements=["exporter_org_id", "shipment_key"]
        ),
        [
            {
                "exporter_org_id": org,
                "shipment_key": key,
                "declaration_id": None,
                "created_at": now,
                "updated_at": now,
            }
            for org, key in sorted(keys)
        ],
    )
    rows = session.execute(
        select(FeedShipment)
        .where(tuple_(FeedShipment.exporter_org_id, FeedShipment.shipment_key).in_(keys))
        .order_by(FeedShipment.exporter_org_id, FeedShipment.shipment_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {(s.exporter_org_id, s.shipment_key): s for s in rows.scalars()}


def _stored_customs(
    session: Session, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], list[ReceivedDocument]]:
    rows = session.execute(
        select(ReceivedDocument)
        .where(
            tuple_(ReceivedDocument.exporter_org_id, ReceivedDocument.invoice_key).in_(keys),
            ReceivedDocument.kind.in_([k.value for k in CUSTOMS_KINDS]),
            ReceivedDocument.status.in_(OPEN_STATUSES),
        )
        .order_by(ReceivedDocument.id)
    )
    found: dict[tuple[int, str], list[ReceivedDocument]] = {}
    for row in rows.scalars():
        assert row.invoice_key is not None
        found.setdefault((row.exporter_org_id, row.invoice_key), []).append(row)
    return found


def _unkeyed_customs(session: Session, invoices: list[_Taken]) -> list[ReceivedDocument]:
    """Waiting customs records that name no invoice, of the invoices' consignees."""
    wanted = {
        (t.row.exporter_org_id, t.row.consignee, t.row.currency)
        for t in invoices
        if t.row is not None and t.row.consignee and t.row.currency
    }
    if not wanted:
        return []
    return list(
        session.execute(
            select(ReceivedDocument)
            .where(
                tuple_(
                    ReceivedDocument.exporter_org_id,
                    ReceivedDocument.consignee,
                    ReceivedDocument.currency,
                ).in_(wanted),
                ReceivedDocument.kind.in_([k.value for k in CUSTOMS_KINDS]),
                ReceivedDocument.status.in_(OPEN_STATUSES),
                ReceivedDocument.invoice_key.is_(None),
                ReceivedDocument.declaration_id.is_(None),
            )
            .order_by(ReceivedDocument.id)
        ).scalars()
    )


def _claim(item: _Taken, waiting: list[ReceivedDocument]) -> tuple[ReceivedDocument, str] | None:
    """The one unkeyed waiting customs record ``item``'s invoice matches (by consignee,
    amount, date), as :func:`~tradecover.feeds.shipment_repository.reconcile` would claim.
    """
    row, document = item.row, item.document
    assert row is not None
    assert document is not None
    window = timedelta(days=DEFAULT_POLICY.date_window_days)
    for customs in waiting:
        if (
            customs.exporter_org_id != row.exporter_org_id
            or customs.consignee != row.consignee
            or customs.currency != row.currency
            or customs.invoice_key is not None
        ):
            continue
        if (
            row.document_date is not None
            and customs.document_date is not None
            and abs(customs.document_date - row.document_date) > window
        ):
            continue
        found = match_invoice(as_document(customs), [document], DEFAULT_POLICY)
        if found.invoice is not None:
            return customs, found.rule.value
    return None


def _settle_fast(
    session: Session, live: list[_Taken], attach: AttachDocument, now: datetime
) -> None:
    """Reconcile in memory and attach through the batch path what the set-based path
    takes (see the module's docstring); the rest is marked ``slow``.
    """
    keyed: list[_Taken] = []
    for item in live:
        assert item.document is not None
        assert item.row is not None
        if item.slow:
            continue
        if item.document.kind in NOTIFICATIONS:
            item.row.status = "received"
            continue
        if item.document.kind not in CUSTOMS_KINDS and item.document.kind not in INVOICE_KINDS:
            item.slow = True
            continue
        record_facts(item.row, item.document)
        if item.row.invoice_key is None:
            item.slow = True  # matched by consignee, amount and date: one by one
            continue
        if item.document.kind in CUSTOMS_KINDS:
            item.row.match_rule = MatchRule.INVOICE_NUMBER.value
        keyed.append(item)
    if not keyed:
        return
    keys = {
        (t.row.exporter_org_id, t.row.invoice_key) for t in keyed if t.row and t.row.invoice_key
    }
    rows = _shipments(session, keys, now)
    stored = _stored_customs(session, keys)
    shipments = {key: _Shipment(rows[key], list(stored.get(key, []))) for key in keys}
    for item in keyed:  # the customs records of this batch join their shipment first
        assert item.row is not None
        assert item.row.invoice_key is not None
        shipment = shipments[item.row.exporter_org_id, item.row.invoice_key]
        if item.document is not None and item.document.kind in CUSTOMS_KINDS:
            if shipment.row.declaration_id is not None:
                item.enriches = shipment.row.declaration_id  # it gives it its customs dates
            else:
                shipment.customs.append(item.row)
                item.row.status = "received"
                item.row.reasons = [
                    {
                        "code": AWAITING_INVOICE,
                        "detail": f"waiting for invoice {item.row.invoice_key} "
                        "(it gives the due date)",
                    }
                ]
    invoices = [t for t in keyed if t.document and t.document.kind in INVOICE_KINDS]
    waiting = _unkeyed_customs(session, invoices)
    attaching: list[tuple[_Taken, _Shipment]] = []
    for item in invoices:
        assert item.row is not None
        assert item.row.invoice_key is not None
        shipment = shipments[item.row.exporter_org_id, item.row.invoice_key]
        if shipment.row.declaration_id is not None or shipment.invoice is not None:
            item.slow = True  # links to the declaration, one by one
            continue
        shipment.invoice = item
        claimed = _claim(item, waiting)
        if claimed is not None:
            shipment.claimed.append(claimed)
            waiting.remove(claimed[0])
        attaching.append((item, shipment))
    if not attaching:
        return
    documents = []
    for item, shipment in attaching:
        assert item.document is not None
        customs = sorted([r for r, _rule in shipment.claimed], key=lambda r: r.id)
        customs += shipment.customs
        documents.append(with_customs_facts(item.document, customs))
    outcomes = _attach_all(session, attach, documents, [t.connection for t, _s in attaching])
    for (item, shipment), outcome in zip(attaching, outcomes, strict=True):
        _settled(session, item, shipment, outcome, now)


def _attach_all(
    session: Session,
    attach: AttachDocument,
    documents: list[TradeDocument],
    connections: list[FeedConnection | None],
) -> list[AttachOutcome]:
    """The attachment step on every document: its batch path where it has one, else one
    by one, each in a savepoint (a refusal leaves nothing of the attempt).
    """
    items = [(d, c) for d, c in zip(documents, connections, strict=True) if c is not None]
    batch = getattr(attach, "attach_many", None)
    if batch is not None:
        done: list[AttachOutcome] = batch(session, items)
        return done
    outcomes: list[AttachOutcome] = []
    for document, connection in items:
        with session.begin_nested() as savepoint:
            outcome = attach(session, document, connection)
            if outcome.status == "refused":
                savepoint.rollback()
        outcomes.append(outcome)
    return outcomes


def _settled(
    session: Session, item: _Taken, shipment: _Shipment, outcome: AttachOutcome, now: datetime
) -> None:
    row = item.row
    assert row is not None
    if outcome.status == "refused":
        shipment.invoice = None
        item.received = service._quarantine(session, row, outcome.reasons)
        return
    for claimed, rule in shipment.claimed:
        claimed.invoice_key, claimed.match_rule = row.invoice_key, rule
    row.status, row.declaration_id = outcome.status, outcome.declaration_id
    row.reasons = [{"code": r.code, "detail": r.detail} for r in outcome.reasons]
    if outcome.declaration_id is None:
        return
    shipment.row.declaration_id, shipment.row.updated_at = outcome.declaration_id, now
    for record in [*(r for r, _rule in shipment.claimed), *shipment.customs]:
        if record.declaration_id is None:
            record.declaration_id, record.updated_at = outcome.declaration_id, now
            record.status = "attached"
            record.reasons = [
                {"code": LINKED_TO_SHIPMENT, "detail": f"declared with invoice {row.invoice_key}"}
            ]


_COLUMNS = tuple(c.key for c in ReceivedDocument.__table__.columns if c.key != "id")


def _insert(session: Session, rows: list[ReceivedDocument]) -> dict[str, int]:
    """Write ``rows`` with one statement executed for all of them (no ORM unit of work,
    no RETURNING: the ids are read back by message id).  Their message ids.
    """
    if not rows:
        return {}
    session.execute(
        insert_into(cast(Table, ReceivedDocument.__table__)),
        [{column: getattr(row, column) for column in _COLUMNS} for row in rows],
    )
    found = session.execute(
        select(ReceivedDocument.message_id, ReceivedDocument.id).where(
            ReceivedDocument.message_id.in_([row.message_id for row in rows])
        )
    )
    return {str(message_id): int(row_id) for message_id, row_id in found.all()}


def receive_many(
    session: Session,
    envelopes: Sequence[Envelope],
    *,
    attach: AttachDocument,
    consent: ConsentRule = may_receive,
    correct: CorrectDeclaration | None = None,
    now: datetime | None = None,
) -> list[Received]:
    """What becomes of each of ``envelopes`` (see the module's docstring), in their order;
    the caller commits, then acknowledges them.
    """
    now = now or utc_now()
    taken = [_Taken(i, e) for i, e in enumerate(envelopes)]
    done = _by_message(session, [e.message_id for e in envelopes])
    fresh: list[_Taken] = []
    first_of: dict[str, _Taken] = {}
    for item in taken:
        stored = done.get(item.envelope.message_id)
        if stored is not None:
            item.received = Received(stored.id, stored.status, duplicate=True)
        elif item.envelope.message_id in first_of:
            item.duplicate_of = first_of[item.envelope.message_id]
        else:
            first_of[item.envelope.message_id] = item
            fresh.append(item)
    _read(session, fresh, now)
    _consented(session, fresh, consent)
    live = [t for t in fresh if t.received is None]
    if live:
        live = _deduplicated(session, live)
        _earlier_versions(session, live)
        _settle_fast(session, live, attach, now)
    enrich_declared(
        session,
        [
            (t.row, t.document, t.connection, t.enriches)
            for t in live
            if t.enriches is not None and not t.slow and t.row and t.document and t.connection
        ],
        attach,
        now,
    )
    written = [t for t in live if not t.slow and t.received is None and t.row is not None]
    ids = _insert(session, [t.row for t in written if t.row is not None])
    for item in written:
        assert item.row is not None
        item.received = Received(ids[item.row.message_id], item.row.status)
    for item in live:
        if item.slow:
            item.received = service.receive(
                session, item.envelope, attach=attach, consent=consent, now=now, correct=correct
            )
    results: list[Received] = []
    for item in taken:
        if item.duplicate_of is not None:
            first = item.duplicate_of.received
            assert first is not None
            results.append(Received(first.row_id, first.status, duplicate=True))
        else:
            assert item.received is not None
            results.append(item.received)
    return results
