"""HTTP routes of declarations: the ERP API (single or batch, with ``Idempotency-Key``),
uploads, reading with history, corrections, cancellations, the declaration status of a
policy and monthly turnover returns.

The organisation always comes from the credential; an id of another organisation answers
404 exactly like a missing one.  ``POST /api/v1/declarations`` authenticates the caller,
holds its ``Idempotency-Key``, attaches and stores the answer in ONE transaction (so a retry
after a timeout gets the original answer, and a refused or failed request leaves nothing,
not even the key, so that a corrected retry can run).  Every attachment here goes through
the one shell (:mod:`tradecover.declarations.attachment.service`) on the store the app chose
at start-up (:func:`attachment_store`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import psycopg
from fastapi import (
    APIRouter,
    BackgroundTasks,
    File,
    Header,
    Path,
    Query,
    Request,
    Security,
    UploadFile,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tradecover import idempotency
from tradecover.access import KnownApiKeys, Permission, Principal, api_key_rows
from tradecover.api.deps import (
    PrincipalDep,
    SessionDep,
    api_key_scheme,
    bearer_scheme,
    current_principal,
    get_settings,
)
from tradecover.api.pagination import Page, PageDep
from tradecover.api.problems import is_collision
from tradecover.declarations import ports, service, upload
from tradecover.declarations.attachment.repository import (
    AttachmentStore,
    KeyedRequest,
    KeyNotConfirmed,
)
from tradecover.declarations.attachment.service import Outcome, attach_batch
from tradecover.declarations.cover import CoverStatus
from tradecover.declarations.schemas import (
    BatchIn,
    BatchOut,
    CorrectionIn,
    DeclarationOut,
    DeclarationStatusOut,
    DeclarationWithHistoryOut,
    ReasonIn,
    ShipmentIn,
    TurnoverReturnIn,
    TurnoverReturnOut,
    UploadReportOut,
    answer_json,
    batch_fields,
    declaration_fields,
)
from tradecover.kit.dates import business_today
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

router = APIRouter(prefix="/api/v1", tags=["declarations"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric id", examples=[1])]


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller of ``POST /declarations`` and the session whose
    transaction authenticated it: the route goes on in that same transaction (the key, the
    effect and the stored answer) and commits it.

    ``unconfirmed_key`` is set when the principal came from the keys this process
    authenticated a moment ago (:class:`~tradecover.access.known_keys.KnownApiKeys`)
    without asking the database: the route's first round trip confirms it.
    """

    session: Session
    principal: Principal
    unconfirmed_key: str | None = None
    known: KnownApiKeys | None = None


def _known_keys(request: Request) -> KnownApiKeys | None:
    """The remembered keys, on PostgreSQL only (whose pipeline confirms them)."""
    factory = _factory(request)
    bind = factory.kw.get("bind")
    if bind is None or bind.dialect.name != "postgresql":
        return None
    known: KnownApiKeys = request.app.state.known_api_keys
    return known


def _open_and_authenticate(
    request: Request, api_key: str | None, token: str | None, known: KnownApiKeys | None
) -> Caller:
    session = _factory(request)()
    try:
        principal = current_principal(request, session, api_key, token)
    except BaseException:
        session.close()
        raise
    if api_key and known is not None:
        known.remember(api_key, principal)
    return Caller(session, principal, known=known)


async def caller_session(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_scheme)] = None,
    token: Annotated[str | None, Security(bearer_scheme)] = None,
) -> AsyncIterator[Caller]:
    """The caller, authenticated before the body is read (a bad credential is a 401 whatever
    the body), in a transaction the route goes on using and commits itself.

    A key this process authenticated a moment ago costs no round trip here: the route's
    first round trip confirms it.  Otherwise an async generator around ONE worker-thread
    call (a sync generator dependency costs a thread hop to enter and another to leave).
    """
    known = _known_keys(request)
    principal = known.principal(api_key) if known is not None and api_key else None
    if principal is not None:
        caller = Caller(_factory(request)(), principal, unconfirmed_key=api_key, known=known)
    else:
        caller = await run_in_threadpool(_open_and_authenticate, request, api_key, token, known)
    try:
        yield caller
    finally:
        if caller.session.in_transaction():
            await run_in_threadpool(caller.session.close)  # rolls back, e.g. a bad body
        else:
            caller.session.close()  # nothing to roll back: no I/O


@router.post(
    "/declarations",
    status_code=201,
    summary="Declare one shipment or a batch (ERP API)",
    response_model=DeclarationOut | BatchOut,
    responses={
        200: {"description": "A batch: the per-item outcome", "model": BatchOut},
        409: {"description": "A request with this key is still running"},
    },
)
async def post_declarations(
    request: Request,
    body: ShipmentIn | BatchIn,
    caller: Annotated[Caller, Security(caller_session)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=idempotency.MAX_KEY_LENGTH,
            description="Required: a retry with the same key gets the original answer",
        ),
    ] = None,
) -> Any:
    """Attach one shipment (201) or up to 1000 (200, each accepted or rejected on its own).

    The same key with the same body answers as the first time; with another body 422; while
    the first is still running 409.
    """
    status, answer, replayed = await run_in_threadpool(
        declare, caller, body, idempotency_key, business_today(), attachment_store(request)
    )
    return Response(
        answer,
        status_code=status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"} if replayed else None,
    )


RETRIES = 3


def attachment_store(request: Request) -> AttachmentStore:
    """The attachment store the app chose at start-up for its database."""
    store: AttachmentStore = request.app.state.attachment_store
    return store


def declare(
    caller: Caller, body: ShipmentIn | BatchIn, key: str | None, today: date, store: AttachmentStore
) -> tuple[int, bytes, bool]:
    """Hold the key, attach, store the answer and commit: ONE transaction, the one that
    authenticated the caller (a deadlock or serialization failure is retried afresh), on
    the attachment shell: (status, JSON answer, whether it is a replay).  The store sends
    the key with its first step and the answer and COMMIT with its last (on PostgreSQL the
    whole request is two round trips).
    """
    session, principal, unconfirmed = caller.session, caller.principal, caller.unconfirmed_key
    principal.require(Permission.DECLARATION_WRITE)
    if key is None:
        raise ValidationFailed(
            "the Idempotency-Key header is required",
            code="idempotency_key_required",
            field="Idempotency-Key",
        )
    held = idempotency.HeldKey(principal.org_id, key, _fingerprint(body))
    status = 200 if isinstance(body, BatchIn) else 201
    answered: list[bytes] = []

    def answer(outcomes: Sequence[Outcome]) -> bytes:
        if isinstance(body, ShipmentIn) and outcomes[0].error is not None:
            raise outcomes[0].error  # one shipment: its refusal is the answer (4xx)
        answered.append(answer_json(_fields_of(body, outcomes)))
        return answered[-1]

    attempt = 0
    while True:
        attempt += 1
        try:
            items = body.declarations if isinstance(body, BatchIn) else [body]
            attach_batch(
                store,
                session,
                principal=principal,
                channel="erp",
                today=today,
                shipments=[item.to_shipment(principal.org_id) for item in items],
                keyed=KeyedRequest(held, status, principal, unconfirmed),
                answer=answer,
                commit=True,
            )
            session.commit()  # after the store's COMMIT: nothing left, no round trip
            return status, answered[-1], False
        except idempotency.Replayed as replayed:
            session.rollback()
            return replayed.replay.status_code, answer_json(replayed.replay.body), True
        except KeyNotConfirmed:
            session.rollback()  # the remembered key changed: authenticate afresh, go on
            assert unconfirmed is not None
            assert caller.known is not None
            principal = caller.known.renewed(  # 401 if revoked
                unconfirmed, api_key_rows(session, unconfirmed)
            )
            principal.require(Permission.DECLARATION_WRITE)
            unconfirmed = None
        except (OperationalError, psycopg.OperationalError) as exc:
            session.rollback()  # a deadlock or serialization failure: retry
            if attempt >= RETRIES or not is_collision(exc):
                raise  # answered 409 (collision) or 503 by the API's problem handlers
        except BaseException:
            session.rollback()
            raise


def _fingerprint(body: ShipmentIn | BatchIn) -> str:
    return idempotency.fingerprint(
        method="POST", path="/api/v1/declarations", body=body.model_dump(mode="json")
    )


def _fields_of(body: ShipmentIn | BatchIn, outcomes: Sequence[Outcome]) -> dict[str, Any]:
    if isinstance(body, BatchIn):
        return batch_fields(outcomes)
    declaration = outcomes[0].declaration
    assert declaration is not None
    return declaration_fields(declaration)


@router.post(
    "/declarations/uploads",
    response_model=UploadReportOut,
    summary="Upload shipments as CSV or XLSX: a row-level report",
)
def upload_declarations(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    background: BackgroundTasks,
    file: Annotated[UploadFile, File(description="CSV or XLSX with a header row")],
) -> UploadReportOut | JSONResponse:
    """Each row is attached on its own; a malformed row writes nothing and stops nothing.

    A file above ``upload_job_threshold_bytes`` is answered 202 with a job (follow
    ``Location``: the job's result is this report).
    """
    principal.require(Permission.DECLARATION_WRITE)
    data = file.file.read(upload.MAX_UPLOAD_BYTES + 1)
    name = file.filename or "upload"
    settings = get_settings(request)
    if len(data) > settings.upload_job_threshold_bytes:
        if len(data) > upload.MAX_UPLOAD_BYTES:
            upload.read_rows(name, data)  # the size refusal of the upload path
        job_id, send = ports.defer_upload(
            session, principal, filename=name, data=data, settings=settings
        )
        background.add_task(send)  # after the answer, so after the commit
        return JSONResponse(
            {"job_id": job_id, "kind": "declarations.upload", "state": "queued"},
            status_code=202,
            headers={"Location": f"/api/v1/jobs/{job_id}"},
        )
    return UploadReportOut.of(
        name,
        service.attach_upload(
            session,
            principal=principal,
            org_id=principal.org_id,
            filename=name,
            data=data,
            today=business_today(),
            channel="upload",
            store=attachment_store(request),
        ),
    )


@router.get("/declarations", response_model=Page[DeclarationOut], summary="Declarations")
def list_declarations(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    policy_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    buyer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    shipped_from: date | None = None,
    shipped_to: date | None = None,
    cover_status: CoverStatus | None = None,
    status: Annotated[str | None, Query(pattern="^(active|corrected|cancelled)$")] = None,
) -> Page[DeclarationOut]:
    """Filter by policy, buyer, shipment period and cover status; newest first."""
    rows, total = service.list_declarations(
        session,
        principal=principal,
        policy_id=policy_id,
        buyer_id=buyer_id,
        shipped_from=shipped_from,
        shipped_to=shipped_to,
        cover_status=cover_status,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[DeclarationOut.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/declarations/{declaration_id}",
    response_model=DeclarationWithHistoryOut,
    summary="A declaration with its history",
)
def get_declaration(
    declaration_id: Id, session: SessionDep, principal: PrincipalDep
) -> DeclarationWithHistoryOut:
    """The declaration and every version of it (corrections), oldest first."""
    rows = service.history(session, principal=principal, declaration_id=declaration_id)
    row = next(r for r in rows if r.id == declaration_id)
    return DeclarationWithHistoryOut(
        **DeclarationOut.of(row).model_dump(), history=[DeclarationOut.of(r) for r in rows]
    )


@router.post(
    "/declarations/{declaration_id}/corrections",
    status_code=201,
    response_model=DeclarationOut,
    summary="Correct a declaration (a new version)",
)
def correct_declaration(
    request: Request,
    declaration_id: Id,
    body: CorrectionIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> DeclarationOut:
    """The old version is kept, marked ``corrected``; the new one is decided afresh."""
    org_id = service.get_declaration(
        session, principal=principal, declaration_id=declaration_id
    ).exporter_org_id
    row = service.correct(
        session,
        principal=principal,
        declaration_id=declaration_id,
        shipment=body.to_shipment(org_id),
        reason=body.reason,
        today=business_today(),
        channel="api",
        store=attachment_store(request),
    )
    return DeclarationOut.of(row)


@router.post(
    "/declarations/{declaration_id}/cancellation",
    response_model=DeclarationOut,
    summary="Cancel a declaration",
)
def cancel_declaration(
    declaration_id: Id, body: ReasonIn, session: SessionDep, principal: PrincipalDep
) -> DeclarationOut:
    """The declaration is kept, marked ``cancelled``; its limit reservation is released."""
    return DeclarationOut.of(
        service.cancel(
            session, principal=principal, declaration_id=declaration_id, reason=body.reason
        )
    )


@router.get(
    "/policies/{policy_id}/declaration-status",
    response_model=DeclarationStatusOut,
    summary="What is due on a policy and what was declared",
)
def declaration_status(
    policy_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    start: date | None = None,
    end: date | None = None,
) -> DeclarationStatusOut:
    """Periods by the policy's frequency with their due dates, declared and late counts,
    the compliance rate and the declared share of the returned turnover; each month's
    turnover return against that month's declarations, its undeclared remainder flagged,
    and whether a whole-turnover policy is under review.
    """
    today = business_today()
    return DeclarationStatusOut.of(
        service.declaration_status(
            session, principal=principal, policy_id=policy_id, start=start, end=end, today=today
        ),
        as_of=today,
    )


@router.post(
    "/policies/{policy_id}/turnover-returns",
    status_code=201,
    response_model=TurnoverReturnOut,
    summary="Return a month's turnover",
)
def post_turnover_return(
    policy_id: Id, body: TurnoverReturnIn, session: SessionDep, principal: PrincipalDep
) -> TurnoverReturnOut:
    """The exporter's insurable turnover of one month (a second return replaces the first)."""
    amount = Money.of(body.amount, body.currency)
    row = service.submit_turnover_return(
        session,
        principal=principal,
        policy_id=policy_id,
        month=date.fromisoformat(body.month + "-01"),
        amount=amount,
    )
    return TurnoverReturnOut.of(row)
