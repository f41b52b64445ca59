"""HTTP routes of the feed stream: the signed ERP webhook, uploads, the exporter's documents.

``POST /api/v1/feeds/erp/{connection_id}/events`` is authenticated by its signature alone
(``Tradecover-Signature``, see :mod:`tradecover.feeds.erp_webhook`): a bad signature, one
outside the replay window or one received before is refused 401 with the reason's code.
``POST /api/v1/feeds/{source}/documents`` uploads a document (the raw body) for the
caller's own connection of that source; an ``Idempotency-Key`` makes the message id, so
that a retried upload is one message (JetStream drops the repeat, the worker finds it).
Both answer 202 once the stream has the document; the workers attach it, and
``GET /api/v1/feeds/documents`` shows what became of it.  A quarantined document is
resubmitted (fixed: the body; as it was: no body) with ``POST .../{id}/resubmit``, or
withdrawn with ``POST .../{id}/withdraw``.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.config import Settings
from tradecover.db.engine import transaction
from tradecover.feeds import confirmation_repository as confirmations
from tradecover.feeds import connection_repository as connections
from tradecover.feeds import service
from tradecover.feeds.erp_webhook import SIGNATURE_HEADER
from tradecover.feeds.schemas import (
    AcceptedOut,
    AwaitingShipmentOut,
    ConfirmIn,
    ConfirmItemOut,
    DocumentStatus,
    OmissionMonthOut,
    OmissionsOut,
    OmittedExportOut,
    ReceivedDocumentOut,
    TurnoverMonthOut,
)
from tradecover.feeds.stream.envelope import Envelope, FeedSource
from tradecover.feeds.stream.nats_stream import Publisher, StreamSettings, StreamUnavailable
from tradecover.idempotency import check_key
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.reporting import (
    exporter_in_view,
    omissions,
    omissions_by_month,
    turnover_from_customs,
)

if TYPE_CHECKING:
    from tradecover.declarations import AttachmentStore

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])
_MESSAGE_IDS = uuid.UUID("6f2b0f7e-3c1a-4f57-9d0e-6b8f1c2a9e41")


class StreamDown(DomainError):
    """The stream cannot take the document now (HTTP 503): nothing was accepted."""

    status = 503
    default_code = "stream_unavailable"


async def raw_body(request: Request) -> bytes:
    """The request body as sent (the signature covers these very bytes)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def publisher_of(request: Request) -> Publisher:
    """The app's publisher, connected to the stream on first use."""
    publisher: Publisher | None = getattr(request.app.state, "feeds_publisher", None)
    if publisher is None:
        settings: Settings = request.app.state.settings
        publisher = Publisher(StreamSettings.of(settings))
        request.app.state.feeds_publisher = publisher
    return publisher


def _publish(request: Request, envelope: Envelope) -> AcceptedOut:
    try:
        publisher_of(request).publish(envelope)
    except StreamUnavailable:
        raise StreamDown(
            "the document stream cannot be reached; nothing was accepted, retry later"
        ) from None
    return AcceptedOut(message_id=envelope.message_id)


_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {
        "description": "signature_missing, signature_malformed, signature_expired, "
        "signature_mismatch or signature_replayed"
    },
    503: {"description": "The stream cannot be reached (stream_unavailable)"},
}


@router.post(
    "/erp/{connection_id}/events",
    status_code=202,
    response_model=AcceptedOut,
    summary="An ERP shipment event (signed webhook)",
    responses=_REFUSED,
)
def post_erp_event(
    connection_id: IdPath,
    request: Request,
    body: RawBody,
    signature: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER, max_length=1000, description="t=<unix seconds>,v1=<hex HMAC>"
        ),
    ] = None,
) -> AcceptedOut:
    """Verify the signature, refuse a replay, and put the event on the stream."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    settings: Settings = request.app.state.settings
    with transaction(factory) as session:
        envelope = connections.accept_webhook(
            session,
            connection_id=connection_id,
            body=body,
            signature=signature,
            signing_key=settings.signing_key(),
        )
        return _publish(request, envelope)  # before the commit: a refused publish keeps
        # the signature unused, so that the ERP's retry is not taken for a replay


@router.post(
    "/{source}/documents",
    status_code=202,
    response_model=AcceptedOut,
    summary="Upload a document for the caller's connection of a source",
    responses={503: _REFUSED[503]},
)
def post_document(
    source: FeedSource,
    request: Request,
    body: RawBody,
    session: SessionDep,
    principal: PrincipalDep,
    filename: Annotated[str | None, Query(max_length=200, description="Its file name")] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Optional: a retry with the same key is the same message",
        ),
    ] = None,
) -> AcceptedOut:
    """Put the document on the stream (the workers read, check and attach it)."""
    envelope = service.submission(
        session, principal=principal, source=source, content=body, filename=filename
    )
    if idempotency_key is not None:
        key = f"{principal.org_id}:{check_key(idempotency_key)}"
        envelope = replace(envelope, message_id=uuid.uuid5(_MESSAGE_IDS, key).hex)
    return _publish(request, envelope)


@router.get(
    "/documents",
    response_model=Page[ReceivedDocumentOut],
    summary="The caller's received documents, with status and reasons",
)
def get_documents(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: DocumentStatus | None = None,
) -> Page[ReceivedDocumentOut]:
    """Newest first; only the caller's own organisation's."""
    rows, total = service.list_documents(
        session, principal=principal, status=status, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[ReceivedDocumentOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/documents/{document_id}", response_model=ReceivedDocumentOut, summary="One received document"
)
def get_document(
    document_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> ReceivedDocumentOut:
    """A received document of the caller's organisation."""
    return ReceivedDocumentOut.of(
        service.get_document(session, principal=principal, document_id=document_id)
    )


@router.post(
    "/documents/{document_id}/resubmit",
    status_code=202,
    response_model=AcceptedOut,
    summary="Resubmit a quarantined document (fixed, or as it was)",
    responses={409: {"description": "The document is not quarantined"}, 503: _REFUSED[503]},
)
def post_resubmit(
    document_id: IdPath,
    request: Request,
    body: RawBody,
    session: SessionDep,
    principal: PrincipalDep,
) -> AcceptedOut:
    """Put the fixed document (the body) or the stored one (no body) on the stream again."""
    envelope = service.resubmission(
        session, principal=principal, document_id=document_id, content=body or None
    )
    return _publish(request, envelope)


@router.post(
    "/documents/{document_id}/withdraw",
    response_model=ReceivedDocumentOut,
    summary="Withdraw a received document: quarantined, awaiting confirmation, or attached "
    "under the hybrid model within its correction window",
    responses={
        409: {
            "description": "document_not_withdrawable, correction_window_closed or "
            "withdrawal_not_allowed"
        }
    },
)
def post_withdraw(
    document_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> ReceivedDocumentOut:
    """The document becomes ``withdrawn``; a declaration it attached is cancelled."""
    return ReceivedDocumentOut.of(
        confirmations.withdraw_received(session, principal=principal, document_id=document_id)
    )


@router.get(
    "/awaiting-confirmation",
    response_model=list[AwaitingShipmentOut],
    summary="The caller's shipments waiting for its confirmation, most urgent first",
)
def get_awaiting(session: SessionDep, principal: PrincipalDep) -> list[AwaitingShipmentOut]:
    """Each with its deadline and whether it is at risk or overdue (not covered until
    confirmed).
    """
    return [
        AwaitingShipmentOut(
            id=item.document_row_id,
            source=item.source,
            document_id=item.document_id,
            kind=item.kind,
            buyer_name=item.buyer_name,
            currency=item.currency,
            amount=item.amount,
            shipment_date=item.shipment_date,
            deadline=item.deadline,
            standing=item.standing.value if item.standing else None,
            received_at=item.received_at,
        )
        for item in confirmations.awaiting_confirmation(session, principal=principal)
    ]


def _store(request: Request) -> AttachmentStore:
    store: AttachmentStore = request.app.state.attachment_store
    return store


@router.post(
    "/documents/{document_id}/confirm",
    response_model=ReceivedDocumentOut,
    summary="Confirm a shipment awaiting confirmation: it attaches now",
    responses={
        409: {"description": "document_not_awaiting_confirmation"},
        422: {"description": "What the attachment refused (buyer_unknown, ...)"},
    },
)
def post_confirm(
    document_id: IdPath, request: Request, session: SessionDep, principal: PrincipalDep
) -> ReceivedDocumentOut:
    """The shipment attaches through the one attachment service."""
    return ReceivedDocumentOut.of(
        confirmations.confirm(
            session, principal=principal, document_id=document_id, store=_store(request)
        )
    )


@router.post(
    "/confirm",
    response_model=list[ConfirmItemOut],
    summary="Confirm several shipments; a refused one does not stop the others",
)
def post_confirm_many(
    body: ConfirmIn, request: Request, session: SessionDep, principal: PrincipalDep
) -> list[ConfirmItemOut]:
    """One item per document id, in the order given (a repeated id counts once)."""
    outcomes = confirmations.confirm_many(
        session, principal=principal, document_ids=body.document_ids, store=_store(request)
    )
    return [
        ConfirmItemOut(
            document_id=o.document_id,
            declaration_id=o.declaration_id,
            code=o.error.code if o.error else None,
            message=o.error.message if o.error else None,
        )
        for o in outcomes
    ]


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or business_today()
    return start or (end - timedelta(days=90)).replace(day=1), end


_PERIOD: dict[int | str, dict[str, Any]] = {
    422: {"description": "period_invalid or period_too_long"}
}


@router.get(
    "/omissions",
    response_model=OmissionsOut,
    summary="Customs exports in a policy's scope with no declaration behind them",
    responses=_PERIOD,
)
def get_omissions(
    session: SessionDep,
    principal: PrincipalDep,
    start: Annotated[
        date | None, Query(description="First shipment date (default: 3 months)")
    ] = None,
    end: Annotated[date | None, Query(description="Last shipment date (default: today)")] = None,
    exporter_org_id: Annotated[
        int | None, Query(ge=1, description="Insurer staff: one exporter (default: all)")
    ] = None,
) -> OmissionsOut:
    """The caller's own omissions (insurer staff: any exporter's), per month and one by one."""
    start, end = _period(start, end)
    org = exporter_in_view(principal, exporter_org_id, start, end)
    items = omissions(session, exporter_org_id=org, start=start, end=end)
    return OmissionsOut(
        start=start,
        end=end,
        months=[
            OmissionMonthOut(
                exporter_org_id=m.exporter_org_id,
                policy_id=m.policy_id,
                month=m.month,
                currency=m.currency,
                count=m.count,
                amount=m.amount,
            )
            for m in omissions_by_month(items)
        ],
        items=[
            OmittedExportOut(
                document_row_id=i.row_id,
                exporter_org_id=i.exporter_org_id,
                policy_id=i.policy_id,
                declaration_number=i.declaration_number,
                shipped=i.shipped,
                consignee=i.consignee,
                country=i.country,
                hs_code=i.hs_code,
                currency=i.currency,
                amount=i.amount,
            )
            for i in items
        ],
    )


@router.get(
    "/turnover",
    response_model=list[TurnoverMonthOut],
    summary="Whole turnover from customs data: declared share next to the exporter's return",
    responses=_PERIOD,
)
def get_turnover(
    session: SessionDep,
    principal: PrincipalDep,
    start: Annotated[date | None, Query(description="First month (default: 3 months)")] = None,
    end: Annotated[date | None, Query(description="Last day (default: today)")] = None,
    exporter_org_id: Annotated[
        int | None, Query(ge=1, description="Insurer staff: one exporter (default: all)")
    ] = None,
) -> list[TurnoverMonthOut]:
    """Per policy and month: customs-exported, declared, returned, and the declared share."""
    start, end = _period(start, end)
    org = exporter_in_view(principal, exporter_org_id, start, end)
    return [
        TurnoverMonthOut(
            policy_id=t.policy_id,
            exporter_org_id=t.exporter_org_id,
            month=t.month,
            currency=t.currency,
            customs_exported=t.customs_exported,
            declared=t.declared,
            returned=t.returned,
            share=t.share,
            customs_records=t.customs_records,
            omitted=t.omitted,
        )
        for t in turnover_from_customs(session, exporter_org_id=org, start=start, end=end)
    ]
