"""Reconciliation of the feeds ([domain FR-1]): one shipment attaches once, whatever comes first.

Every invoice, ERP event and customs declaration the workers take is keyed by the invoice
number of its shipment (:func:`tradecover.feeds.matching.invoice_key`); a customs record
that names no invoice is linked by :func:`~tradecover.feeds.matching.match_invoice`
against the invoices already received for the same consignee and currency within the
date window (an indexed read per exporter), and an invoice that arrives after such a
record picks it up the same way.  The key is one :class:`~tradecover.feeds.model.FeedShipment`
row per exporter (unique, written in the transaction of the declaration, read ``FOR
UPDATE``), so that

- the first document with a due date attaches the shipment (an invoice, an ERP event);
  customs facts already received give it its shipment date (exit, else acceptance) and
  its HS code;
- a customs record before its invoice waits (``received``, ``awaiting_invoice``): the
  invoice gives the due date; a customs record with no invoice is an omission;
- a document of a shipment already declared links to that declaration instead of
  attaching again, and a customs record enriches it (its shipment date becomes the exit
  date) through the injected correction step.

Two workers racing on one shipment meet at the unique key: the loser's transaction rolls
back and is retried, and then links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from tradecover.feeds.matching import (
    CUSTOMS_KINDS,
    DEFAULT_POLICY,
    INVOICE_KINDS,
    MatchPolicy,
    MatchRule,
    customs_date,
    invoice_key,
    match_invoice,
    normalise_name,
    shipment_date,
)
from tradecover.feeds.model import FeedConnection, FeedShipment, ReceivedDocument
from tradecover.feeds.record import DocumentFormat, DocumentKind, Party, Reason, TradeDocument

AWAITING_INVOICE = "awaiting_invoice"
LINKED_TO_SHIPMENT = "linked_to_shipment"
SHIPMENT_DATE_ENRICHED = "shipment_date_enriched"
OPEN_STATUSES = ("attached", "awaiting_confirmation", "received")
"""Statuses of documents matching reads (quarantined and withdrawn ones take no part)."""


@runtime_checkable
class EnrichDeclaration(Protocol):
    """The step that gives a declared shipment the customs dates (a correction)."""

    def enrich(
        self,
        session: Session,
        declaration_id: int,
        document: TradeDocument,
        connection: FeedConnection,
    ) -> int | None:
        """The id of the corrected declaration, or None where nothing changed."""


def record_facts(row: ReceivedDocument, document: TradeDocument) -> None:
    """Copy onto ``row`` the facts matching reads later."""
    row.invoice_key = invoice_key(document)
    row.consignee = normalise_name(document.buyer.name)[:300] or None
    row.consignee_country = (document.buyer.country or "")[:2].upper() or None
    row.currency = document.currency
    row.amount = document.total
    row.document_date = customs_date(document)
    row.acceptance_date = document.acceptance_date
    row.exit_date = document.exit_date
    first_hs = next(iter(document.hs_codes), None)
    row.hs_code = first_hs[:16] if first_hs else None


def as_document(row: ReceivedDocument) -> TradeDocument:
    """The facts of a stored row as a :class:`TradeDocument` matching can compare."""
    kind = DocumentKind(row.kind) if row.kind else DocumentKind.INVOICE
    return TradeDocument(
        kind=kind,
        format=DocumentFormat(row.format) if row.format else DocumentFormat.UBL,
        source=row.source,
        document_id=row.document_id or "",
        issue_date=None if kind in CUSTOMS_KINDS else row.document_date,
        buyer=Party(name=row.consignee),
        currency=row.currency,
        total=row.amount,
        hs_codes=(row.hs_code,) if row.hs_code else (),
        acceptance_date=row.acceptance_date,
        exit_date=row.exit_date,
    )


def _near(
    session: Session,
    row: ReceivedDocument,
    kinds: Sequence[DocumentKind],
    policy: MatchPolicy,
    *extra: object,
) -> list[ReceivedDocument]:
    """Open documents of ``kinds`` of the same exporter, consignee and currency whose
    date is within the window of ``row``'s (the consignee index).
    """
    if not row.consignee or not row.currency:
        return []
    conditions: list[object] = [
        ReceivedDocument.exporter_org_id == row.exporter_org_id,
        ReceivedDocument.consignee == row.consignee,
        ReceivedDocument.currency == row.currency,
        ReceivedDocument.kind.in_([k.value for k in kinds]),
        ReceivedDocument.status.in_(OPEN_STATUSES),
        *extra,
    ]
    if row.document_date is not None:
        window = timedelta(days=policy.date_window_days)
        conditions.append(
            ReceivedDocument.document_date.between(
                row.document_date - window, row.document_date + window
            )
        )
    return list(
        session.execute(
            select(ReceivedDocument)
            .where(*conditions)  # type: ignore[arg-type]
            .order_by(ReceivedDocument.id)
            .limit(200)
        ).scalars()
    )


def _invoice_for_customs(
    session: Session, row: ReceivedDocument, document: TradeDocument, policy: MatchPolicy
) -> str | None:
    """The key of the invoice an unkeyed customs record declares (by consignee, amount,
    date, HS code), recording the rule on ``row``.
    """
    candidates = _near(
        session,
        row,
        tuple(INVOICE_KINDS),
        policy,
        ReceivedDocument.invoice_key.is_not(None),
    )
    documents = [as_document(r) for r in candidates]
    by_key = {id(doc): r for doc, r in zip(documents, candidates, strict=True)}
    found = match_invoice(document, documents, policy)
    row.match_rule = found.rule.value
    return by_key[id(found.invoice)].invoice_key if found.invoice is not None else None


def _claim_waiting_customs(
    session: Session, row: ReceivedDocument, invoice: TradeDocument, policy: MatchPolicy
) -> None:
    """Give the key of ``invoice`` to the one unkeyed waiting customs record it matches."""
    waiting = _near(
        session,
        row,
        tuple(CUSTOMS_KINDS),
        policy,
        ReceivedDocument.invoice_key.is_(None),
        ReceivedDocument.declaration_id.is_(None),
    )
    for customs in waiting:
        found = match_invoice(as_document(customs), [invoice], policy)
        if found.invoice is not None:
            customs.invoice_key, customs.match_rule = row.invoice_key, found.rule.value
            return


def _shipment(session: Session, exporter_org_id: int, key: str, now: datetime) -> FeedShipment:
    """The shipment of ``key``, locked; created where new (a concurrent creator makes this
    transaction fail at the unique key, and the worker retries it).
    """
    found = session.execute(
        select(FeedShipment)
        .where(FeedShipment.exporter_org_id == exporter_org_id, FeedShipment.shipment_key == key)
        .with_for_update()
    ).scalar_one_or_none()
    if found is not None:
        return found
    created = FeedShipment(
        exporter_org_id=exporter_org_id,
        shipment_key=key,
        declaration_id=None,
        created_at=now,
        updated_at=now,
    )
    session.add(created)
    session.flush()
    return created


def _customs_of(session: Session, exporter_org_id: int, key: str) -> list[ReceivedDocument]:
    return list(
        session.execute(
            select(ReceivedDocument)
            .where(
                ReceivedDocument.exporter_org_id == exporter_org_id,
                ReceivedDocument.invoice_key == key,
                ReceivedDocument.kind.in_([k.value for k in CUSTOMS_KINDS]),
                ReceivedDocument.status.in_(OPEN_STATUSES),
            )
            .order_by(ReceivedDocument.id)
        ).scalars()
    )


def with_customs_facts(
    invoice: TradeDocument, customs: Sequence[ReceivedDocument]
) -> TradeDocument:
    """``invoice`` with the dates (and, where it states none, the HS code) of the latest
    customs record of its shipment.
    """
    if not customs:
        return invoice
    latest = customs[-1]
    return replace(
        invoice,
        acceptance_date=latest.acceptance_date or invoice.acceptance_date,
        exit_date=latest.exit_date or invoice.exit_date,
        hs_codes=invoice.hs_codes or ((latest.hs_code,) if latest.hs_code else ()),
    )


def _link(
    row: ReceivedDocument, declaration_id: int, key: str, detail: str = ""
) -> tuple[str, int | None, tuple[Reason, ...]]:
    row.declaration_id = declaration_id
    return (
        "attached",
        declaration_id,
        (Reason(LINKED_TO_SHIPMENT, detail or f"linked to the declaration of invoice {key}"),),
    )


def _move_declaration(session: Session, old: int, new: int, now: datetime) -> None:
    """Point the shipment and its documents at the correcting declaration."""
    session.execute(
        update(ReceivedDocument)
        .where(ReceivedDocument.declaration_id == old)
        .values(declaration_id=new, updated_at=now)
    )
    session.execute(
        update(FeedShipment)
        .where(FeedShipment.declaration_id == old)
        .values(declaration_id=new, updated_at=now)
    )


def _move_declarations(session: Session, moves: dict[int, int], now: datetime) -> None:
    """:func:`_move_declaration` for several declarations at once (old id -> new id)."""
    if not moves:
        return
    for model in (ReceivedDocument, FeedShipment):
        session.execute(
            update(model)
            .where(model.declaration_id.in_(moves))
            .values(declaration_id=case(moves, value=model.declaration_id), updated_at=now)
            .execution_options(synchronize_session="fetch")
        )


Settled = tuple[str, int | None, tuple[Reason, ...]]
"""(status, declaration id, reasons) of a reconciled document; ``refused`` writes nothing."""


class Attach(Protocol):
    """The attachment step (:class:`tradecover.feeds.service.AttachDocument`)."""

    def __call__(
        self, session: Session, document: TradeDocument, connection: FeedConnection
    ) -> tuple[str, int | None, tuple[Reason, ...]]:
        """Attach ``document``: (status, declaration id, reasons)."""


def reconcile(
    session: Session,
    row: ReceivedDocument,
    document: TradeDocument,
    connection: FeedConnection,
    attach: Attach,
    *,
    enrich: EnrichDeclaration | None,
    now: datetime,
    policy: MatchPolicy = DEFAULT_POLICY,
) -> Settled:
    """Attach, link or hold ``document`` (see the module's docstring); ``row`` is its
    received row, not yet written.
    """
    record_facts(row, document)
    is_customs = document.kind in CUSTOMS_KINDS
    if is_customs and row.invoice_key is None:
        row.invoice_key = _invoice_for_customs(session, row, document, policy)
    elif is_customs:
        row.match_rule = MatchRule.INVOICE_NUMBER.value
    key = row.invoice_key
    if key is None:  # a customs record no invoice received yet matches
        return ("received", None, (Reason(AWAITING_INVOICE, "no invoice received matches"),))
    shipment = _shipment(session, row.exporter_org_id, key, now)
    if shipment.declaration_id is not None:
        if not is_customs:
            return _link(row, shipment.declaration_id, key)
        declared = shipment.declaration_id
        corrected = (
            enrich.enrich(session, declared, document, connection) if enrich is not None else None
        )
        if corrected is None:
            return _link(row, declared, key)
        _move_declaration(session, declared, corrected, now)
        shipped = shipment_date(document, policy)
        detail = f"shipment date set to {shipped.isoformat()}" if shipped else ""
        status, declaration_id, reasons = _link(row, corrected, key)
        return status, declaration_id, (*reasons, Reason(SHIPMENT_DATE_ENRICHED, detail))
    if is_customs:
        return (
            "received",
            None,
            (Reason(AWAITING_INVOICE, f"waiting for invoice {key} (it gives the due date)"),),
        )
    if document.kind not in INVOICE_KINDS:
        return attach(session, document, connection)
    _claim_waiting_customs(session, row, document, policy)
    customs = _customs_of(session, row.exporter_org_id, key)
    status, declaration_id, reasons = attach(
        session, with_customs_facts(document, customs), connection
    )
    if status != "refused" and declaration_id is not None:
        _declare(shipment, customs, declaration_id, key, now)
    return status, declaration_id, reasons


def _declare(
    shipment: FeedShipment,
    customs: list[ReceivedDocument],
    declaration_id: int,
    key: str,
    now: datetime,
) -> None:
    shipment.declaration_id, shipment.updated_at = declaration_id, now
    for record in customs:
        if record.declaration_id is None:
            record.declaration_id, record.updated_at = declaration_id, now
            record.status = "attached"
            record.reasons = [
                {"code": LINKED_TO_SHIPMENT, "detail": f"declared with invoice {key}"}
            ]


def shipment_confirmed(
    session: Session, row: ReceivedDocument, declaration_id: int, now: datetime
) -> None:
    """A document that waited for its exporter's confirmation attached (``declaration_id``):
    its shipment is declared, and the customs records held for its invoice link to it.
    """
    key = row.invoice_key
    if key is None:
        return
    shipment = _shipment(session, row.exporter_org_id, key, now)
    if shipment.declaration_id is None:
        _declare(shipment, _customs_of(session, row.exporter_org_id, key), declaration_id, key, now)


def shipment_withdrawn(session: Session, row: ReceivedDocument, now: datetime) -> None:
    """The declaration ``row`` attached was cancelled (the exporter withdrew it,
    [domain A-4]): its shipment is no longer declared, so that a later (corrected) document
    of it attaches again; the customs records linked to it wait for an invoice again, the
    other documents linked to it are withdrawn with it, and ``row`` frees its dedup key
    (the same document may be sent again).
    """
    cancelled = row.declaration_id
    row.dedup_key = None
    if cancelled is None:
        return
    session.execute(
        update(FeedShipment)
        .where(FeedShipment.declaration_id == cancelled)
        .values(declaration_id=None, updated_at=now)
    )
    linked = session.execute(
        select(ReceivedDocument).where(
            ReceivedDocument.declaration_id == cancelled,
            ReceivedDocument.id != row.id,
            ReceivedDocument.status == "attached",
        )
    ).scalars()
    for other in linked:
        other.updated_at = now
        if other.kind in {k.value for k in CUSTOMS_KINDS}:
            other.status, other.declaration_id = "received", None
            other.reasons = [
                {
                    "code": AWAITING_INVOICE,
                    "detail": f"its invoice {other.invoice_key} was withdrawn: waiting for "
                    "the corrected one",
                }
            ]
        else:
            other.status, other.dedup_key = "withdrawn", None


def _enrich_one(
    session: Session,
    row: ReceivedDocument,
    document: TradeDocument,
    connection: FeedConnection,
    step: object,
    now: datetime,
) -> None:
    def no_attach(
        session: Session, document: TradeDocument, connection: FeedConnection
    ) -> tuple[str, int | None, tuple[Reason, ...]]:
        raise AssertionError("a customs record of a declared shipment attaches nothing")

    status, declaration_id, reasons = reconcile(
        session,
        row,
        document,
        connection,
        no_attach,
        enrich=step if isinstance(step, EnrichDeclaration) else None,
        now=now,
    )
    row.status, row.declaration_id = status, declaration_id
    row.reasons = [{"code": r.code, "detail": r.detail} for r in reasons]


def enrich_declared(
    session: Session,
    items: Sequence[tuple[ReceivedDocument, TradeDocument, FeedConnection, int]],
    step: object,
    now: datetime,
) -> None:
    """Customs records (row, document, connection, declaration) of shipments already
    declared, taken in a batch: each declaration takes the customs dates of the first of
    them through one batch correction (``step``'s ``enrich_many``) and the record links to
    it; the others are reconciled one by one (:func:`reconcile`).
    """
    batch = getattr(step, "enrich_many", None)
    first: dict[int, tuple[ReceivedDocument, TradeDocument, FeedConnection]] = {}
    for row, document, connection, declared in items:
        if batch is None or declared in first:
            _enrich_one(session, row, document, connection, step, now)
        else:
            first[declared] = (row, document, connection)
    if batch is None or not first:
        return
    corrected: list[int | None] = batch(
        session,
        [
            (declared, document, connection)
            for declared, (_r, document, connection) in first.items()
        ],
    )
    _move_declarations(
        session,
        {declared: new for declared, new in zip(first, corrected, strict=True) if new is not None},
        now,
    )
    for (declared, (row, _document, _connection)), new in zip(
        first.items(), corrected, strict=True
    ):
        detail = f"linked to the declaration of invoice {row.invoice_key}"
        row.status, row.declaration_id = "attached", new or declared
        row.reasons = [{"code": LINKED_TO_SHIPMENT, "detail": detail}]
        if new is not None:
            row.reasons.append(
                {
                    "code": SHIPMENT_DATE_ENRICHED,
                    "detail": f"shipment date set from customs record {row.document_id}",
                }
            )
