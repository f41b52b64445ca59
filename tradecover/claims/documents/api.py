"""HTTP routes of claim documents: the checklist, uploads (multipart), content, review.

The exporter uploads documents to its own undecided claim as ``multipart/form-data`` with
two fields, ``kind`` (a :class:`~tradecover.claims.documents.checklist.DocumentKind`) and
``file``; the file's own ``Content-Type`` (or an optional ``content_type`` field) is its
declared type, checked against the type sniffed from its bytes.  Bad input answers a
problem naming the field ``file``: 413 over the size limit, 415 a type not accepted, 422
content not matching the declared type.  The upload runs in a transaction of its own:
when it does not commit, the bytes already put in the store are deleted again, so a
refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Security, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker

from tradecover.access import Principal
from tradecover.api.deps import PrincipalDep, SessionDep
from tradecover.api.pagination import IdPath
from tradecover.claims.api import principal_only
from tradecover.claims.documents import service
from tradecover.claims.documents.checklist import DocumentKind, DocumentStatus
from tradecover.claims.documents.content_type import DocumentTooLarge
from tradecover.claims.documents.schemas import ChecklistOut, DocumentOut, ReviewIn
from tradecover.claims.documents.store import DocumentStore, store_from_settings
from tradecover.config import Settings, get_settings
from tradecover.db.engine import transaction

router = APIRouter(prefix="/api/v1", tags=["claims"])

UPLOAD_PATH = re.compile(r"^(/api/v1)?/claims/\d+/documents$")
"""The document upload routes (API and dashboard): their body limit is the document's."""
MULTIPART_ALLOWANCE = 64 * 1024
"""Room for the multipart framing and the other form fields around a document."""


def settings_of(request: Request) -> Settings:
    """The app's settings (the process-wide ones for an app built without)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    return settings or get_settings()


def document_store(request: Request) -> DocumentStore:
    """The app's document store, built from its settings on first use."""
    store: DocumentStore | None = getattr(request.app.state, "document_store", None)
    if store is None:
        store = store_from_settings(settings_of(request))
        request.app.state.document_store = store
    return store


def limits_of(request: Request) -> service.UploadLimits:
    """The size and type limits of uploads, from the settings."""
    settings = settings_of(request)
    return service.UploadLimits(
        max_bytes=settings.claim_document_max_bytes, accepted=settings.accepted_document_types()
    )


def read_upload(file: UploadFile, max_bytes: int) -> bytes:
    """The uploaded bytes, refused (413, field ``file``) beyond ``max_bytes``."""
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = file.size if file.size is not None else len(data)
        raise DocumentTooLarge(
            f"the document has {size} bytes, over the limit of {max_bytes}",
            field="file",
            details={"size": size, "max_bytes": max_bytes},
        )
    return data


def upload_document(
    request: Request,
    principal: Principal,
    *,
    claim_id: int,
    kind: DocumentKind,
    file: UploadFile,
    declared_type: str | None = None,
) -> DocumentOut:
    """Upload in a transaction of its own; delete the stored bytes unless it commits."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    store = document_store(request)
    limits = limits_of(request)
    data = read_upload(file, limits.max_bytes)
    written: list[str] = []
    try:
        with transaction(factory) as session:
            row = service.upload(
                session,
                principal=principal,
                store=store,
                claim_id=claim_id,
                kind=kind,
                filename=file.filename,
                data=data,
                declared_type=declared_type or file.content_type,
                limits=limits,
                written=written,
            )
            answer = DocumentOut.of(row)
    except BaseException:
        for key in written:
            store.delete(key)
        raise
    return answer


@router.get(
    "/claims/{claim_id}/documents",
    response_model=ChecklistOut,
    summary="The documents a claim needs for its cause of loss, and where each stands",
)
def get_documents(claim_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ChecklistOut:
    """Required documents first (in checklist order), then other kinds uploaded."""
    claim, checklist, rows = service.checklist_of(session, principal=principal, claim_id=claim_id)
    return ChecklistOut.of(claim.id, checklist, rows)


@router.post(
    "/claims/{claim_id}/documents",
    status_code=201,
    response_model=DocumentOut,
    summary="Upload a claim document (exporter; multipart: kind, file)",
    responses={
        413: {"description": "The document is over the size limit"},
        415: {"description": "The document's type is not accepted"},
    },
)
def post_document(
    request: Request,
    claim_id: IdPath,
    principal: Annotated[Principal, Security(principal_only)],
    kind: Annotated[DocumentKind, Form(description="What the document is")],
    file: Annotated[
        UploadFile,
        File(description="The document; its Content-Type is checked against its content"),
    ],
    content_type: Annotated[
        str | None,
        Form(
            max_length=127,
            description="The declared media type, when not given as the file part's "
            "Content-Type (it then replaces it); checked against the content",
        ),
    ] = None,
) -> DocumentOut:
    """Stored with its SHA-256; its type is sniffed from the content, not the name."""
    return upload_document(
        request, principal, claim_id=claim_id, kind=kind, file=file, declared_type=content_type
    )


@router.get(
    "/claims/{claim_id}/documents/{document_id}",
    response_model=DocumentOut,
    summary="One claim document",
)
def get_document(
    claim_id: IdPath, document_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> DocumentOut:
    """Its kind, fingerprint and review."""
    return DocumentOut.of(
        service.document_for(
            session, principal=principal, claim_id=claim_id, document_id=document_id
        )
    )


@router.get(
    "/claims/{claim_id}/documents/{document_id}/content",
    summary="The bytes of a claim document",
    responses={
        200: {
            "content": {"application/octet-stream": {}},
            "description": "The document, as uploaded",
        }
    },
)
def get_document_content(
    request: Request,
    claim_id: IdPath,
    document_id: IdPath,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """Served as an attachment under its sniffed type, checked against its SHA-256."""
    row, data = service.content_of(
        session,
        principal=principal,
        store=document_store(request),
        claim_id=claim_id,
        document_id=document_id,
    )
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="document-{row.id}"',
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{row.sha256}"',
        },
    )


@router.post(
    "/claims/{claim_id}/documents/{document_id}/review",
    response_model=DocumentOut,
    summary="Mark a claim document accepted or missing (claims handler)",
)
def post_review(
    claim_id: IdPath,
    document_id: IdPath,
    body: ReviewIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> DocumentOut:
    """A required document must be accepted before the claim can be approved."""
    row = service.review(
        session,
        principal=principal,
        claim_id=claim_id,
        document_id=document_id,
        decision=DocumentStatus(body.decision),
        note=body.note,
    )
    return DocumentOut.of(row)
