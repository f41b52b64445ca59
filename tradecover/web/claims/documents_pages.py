"""Dashboard page of one claim's documents: the checklist of the documents
its cause of loss needs, the exporter's upload form, the claims handler's accept / missing
buttons and the download links.

Same conventions as :mod:`tradecover.web.claims.pages`: every read and write goes through
the claim documents service (the one the API uses), so a claim of another organisation
answers 404 like a missing one.  An upload runs in a transaction of its own (the bytes
it stored are deleted again when it does not commit); a refused form writes nothing and
the page shows the problem.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from tradecover.access.roles import Permission
from tradecover.api.pagination import IdPath
from tradecover.claims.documents import service
from tradecover.claims.documents.api import document_store, upload_document
from tradecover.claims.documents.checklist import DocumentKind, DocumentStatus, ItemStatus
from tradecover.db.engine import transaction
from tradecover.kit.errors import DomainError
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    form_choice,
    in_savepoint,
    may,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)

KIND_LABELS: dict[str, str] = {
    DocumentKind.SALES_CONTRACT.value: N_("Sales contract"),
    DocumentKind.COMMERCIAL_INVOICE.value: N_("Commercial invoice"),
    DocumentKind.TRANSPORT_DOCUMENT.value: N_("Transport document (bill of lading, air waybill)"),
    DocumentKind.PROOF_OF_INSOLVENCY.value: N_("Proof of the buyer's insolvency"),
    DocumentKind.PROOF_OF_DEFAULT.value: N_("Proof of the buyer's default"),
    DocumentKind.COLLECTION_CORRESPONDENCE.value: N_("Collection correspondence"),
    DocumentKind.PROOF_OF_REFUSAL.value: N_("Proof of the buyer's refusal of the goods"),
    DocumentKind.PROOF_OF_POLITICAL_EVENT.value: N_("Proof of the political event"),
    DocumentKind.OTHER.value: N_("Other document"),
}
"""The words the page shows for each document kind."""
STATUS_LABELS: dict[str, str] = {
    ItemStatus.MISSING.value: N_("Missing"),
    ItemStatus.RECEIVED.value: N_("Received, awaiting review"),
    ItemStatus.ACCEPTED.value: N_("Accepted"),
}
"""The words the page shows for the status of a document or a checklist item."""


def _documents_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    claim_id: int,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        claim, checklist, rows = service.checklist_of(
            session, principal=viewer.principal, claim_id=claim_id
        )
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    is_open = claim.state in service.OPEN_STATES
    context: dict[str, Any] = {
        "claim": claim,
        "checklist": checklist,
        "documents": {r.id: r for r in rows},
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "kinds": list(KIND_LABELS),
        "can_upload": is_open
        and not viewer.principal.is_insurer
        and may(viewer, Permission.CLAIM_FILE),
        "can_review": is_open
        and viewer.principal.is_insurer
        and may(viewer, Permission.CLAIM_DECIDE),
        "done": done,
        "problem": problem,
    }
    return render_page(
        request,
        locale,
        "claims/documents.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/claims/{claim_id}", response_model=None)
def claim_page(
    claim_id: IdPath, request: Request, session: SessionDep, done: str | None = None
) -> Response:
    """The claim's page: its documents checklist, upload form and review buttons."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    shown = done if done in ("uploaded", "accepted", "missing") else None
    return _documents_page(request, session, viewer, claim_id, done=shown)


@router.post("/claims/{claim_id}/documents", response_model=None)
def upload_form(
    claim_id: IdPath,
    request: Request,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The exporter uploads one document; back to the claim's page."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with transaction(factory) as session:
        viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        chosen = form_choice(
            DocumentKind, kind, field="kind", message="please choose what the document is"
        )
        upload_document(request, viewer.principal, claim_id=claim_id, kind=chosen, file=file)
    except DomainError as error:
        with transaction(factory) as session:
            if error.status == 404:
                return error_page(request, choose_locale(request, viewer), viewer, 404)
            return _documents_page(request, session, viewer, claim_id, problem=error)
    return RedirectResponse(f"/claims/{claim_id}?done=uploaded", status_code=303)


@router.post("/claims/{claim_id}/documents/{document_id}/review", response_model=None)
def review_form(
    claim_id: IdPath,
    document_id: IdPath,
    request: Request,
    session: SessionDep,
    decision: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The claims handler marks a document accepted or missing."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        chosen = form_choice(
            DocumentStatus, decision, field="decision", message="please choose accepted or missing"
        )
        service.review(
            session,
            principal=viewer.principal,
            claim_id=claim_id,
            document_id=document_id,
            decision=chosen,
            note=note,
        )

    problem = in_savepoint(session, work)
    if problem is not None and problem.status == 404:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    return _documents_page(
        request, session, viewer, claim_id, done=None if problem else decision, problem=problem
    )


@router.get("/claims/{claim_id}/documents/{document_id}/content", response_model=None)
def content_page(
    claim_id: IdPath, document_id: IdPath, request: Request, session: SessionDep
) -> Response:
    """Download a document (as an attachment, under the type sniffed at upload)."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        row, data = service.content_of(
            session,
            principal=viewer.principal,
            store=document_store(request),
            claim_id=claim_id,
            document_id=document_id,
        )
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="document-{row.id}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
