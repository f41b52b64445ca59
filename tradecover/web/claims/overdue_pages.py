"""Dashboard pages of overdue invoices: the exporter's overdue list with the notice,
extension, collection confirmation and claim forms, the insurer's extension decisions,
and collection confirmation by upload.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's
language, signed-in people only; every read and write goes through the collections and
claims services (the ones the API uses), which scope exporters to their own invoices and
claims, so an id of another organisation answers 404 like a missing one.  A refused form
rolls its savepoint back: nothing is written, and the page shows the problem.  The claims
handler's pages are :mod:`tradecover.web.claims.pages`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover.access.roles import Permission
from tradecover.api.pagination import IdPath
from tradecover.claims import LineIn, LossCause, file_claim
from tradecover.collections import ArrangementKind, CollectionOutcome, LossCauseHint
from tradecover.collections import notice_repository as notice_reads
from tradecover.collections import service as collections
from tradecover.collections import upload as collection_upload
from tradecover.collections.schemas import UploadReportOut as CollectionReportOut
from tradecover.declarations.upload import MAX_UPLOAD_BYTES
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    form_choice,
    form_date,
    form_id,
    form_money,
    in_savepoint,
    may,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
NOTIFICATIONS_SHOWN = 50


def _overdue_context(session: Session, viewer: Viewer) -> dict[str, Any]:
    today = business_today()
    items = collections.overdue_list(session, principal=viewer.principal, today=today)
    exporter = not viewer.principal.is_insurer
    notices = notice_reads.open_notices(session, principal=viewer.principal)
    sent, _total = collections.notifications(
        session, principal=viewer.principal, limit=NOTIFICATIONS_SHOWN
    )
    return {
        "overdue": items,
        "notices": notices,
        "notifications": sent,
        "frozen": collections.frozen_buyers(session, principal=viewer.principal),
        "requests": collections.arrangements(
            session, principal=viewer.principal, pending_only=not exporter
        ),
        "can_decide_extension": not exporter and may(viewer, Permission.CLAIM_DECIDE),
        "noticed": {n.declaration_id for n in notices},
        "can_notify": exporter and may(viewer, Permission.COLLECTION_WRITE),
        "can_claim": exporter and may(viewer, Permission.CLAIM_FILE),
        "causes": [c.value for c in LossCauseHint],
        "outcomes": [
            (CollectionOutcome.PAID_IN_FULL.value, N_("Paid in full")),
            (CollectionOutcome.PAID_IN_PART.value, N_("Paid in part")),
            (CollectionOutcome.UNPAID.value, N_("Unpaid")),
        ],
        "claim_causes": [c.value for c in LossCause],
        "today": today.isoformat(),
        "done": None,
        "problem": None,
    }


def _overdue_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        context = _overdue_context(session, viewer)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    context.update(done=done, problem=problem)
    return render_page(
        request,
        locale,
        "claims/overdue.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/overdue", response_model=None)
def overdue_page(request: Request, session: SessionDep) -> Response:
    """Invoices past due with their notice deadline, the open notices and the claim form."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _overdue_page(request, session, viewer)


@router.post("/overdue/notices", response_model=None)
def notice_form(
    request: Request,
    session: SessionDep,
    declaration_id: Annotated[str, Form(max_length=20)] = "",
    cause: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    """File a notice of possible loss on one overdue invoice."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        hint = form_choice(LossCauseHint, cause, field="cause", message="please choose a cause")
        collections.file_notice(
            session,
            principal=viewer.principal,
            declaration_id=form_id(declaration_id, "declaration_id"),
            cause=hint,
            today=business_today(),
        )

    problem = in_savepoint(session, work)
    return _overdue_page(
        request, session, viewer, done=None if problem else "notice", problem=problem
    )


@router.post("/overdue/collections", response_model=None)
def collection_form(
    request: Request,
    session: SessionDep,
    declaration_id: Annotated[str, Form(max_length=20)] = "",
    outcome: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=24)] = "",
    paid_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Confirm what the buyer paid on one invoice: in full, in part or not at all.

    The same service as the API and the upload: a payment frees the limit, a payment in
    full withdraws the invoice's open notice; a refusal writes nothing.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        answer = form_choice(
            CollectionOutcome, outcome, field="outcome", message="please choose what the buyer paid"
        )
        row = collections.declaration_for(
            session, viewer.principal, form_id(declaration_id, "declaration_id")
        )
        collections.confirm_collection(
            session,
            principal=viewer.principal,
            declaration_id=row.id,
            outcome=answer,
            amount=form_money(amount, row.currency),
            paid_on=None
            if answer is CollectionOutcome.UNPAID or not paid_on.strip()
            else form_date(paid_on, "paid_on"),
            today=business_today(),
        )

    problem = in_savepoint(session, work)
    return _overdue_page(
        request, session, viewer, done=None if problem else "collection", problem=problem
    )


@router.post("/overdue/extensions", response_model=None)
def extension_form(
    request: Request,
    session: SessionDep,
    declaration_id: Annotated[str, Form(max_length=20)] = "",
    new_due_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Ask the insurer to extend the due date of one overdue invoice."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        collections.request_extension(
            session,
            principal=viewer.principal,
            declaration_id=form_id(declaration_id, "declaration_id"),
            kind=ArrangementKind.EXTENSION,
            today=business_today(),
            new_due_date=form_date(new_due_date, "new_due_date"),
        )

    problem = in_savepoint(session, work)
    return _overdue_page(
        request, session, viewer, done=None if problem else "extension", problem=problem
    )


def _decide_extension(
    request: Request, session: SessionDep, arrangement_id: int, approve: bool, reason: str
) -> Response:
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        collections.decide_extension(
            session,
            principal=viewer.principal,
            arrangement_id=arrangement_id,
            approve=approve,
            reason=reason or None,
            today=business_today(),
        )

    problem = in_savepoint(session, work)
    if problem is not None and problem.status == 404:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    return _overdue_page(
        request, session, viewer, done=None if problem else "extension_decided", problem=problem
    )


@router.post("/overdue/extensions/{arrangement_id}/approve", response_model=None)
def extension_approve_form(
    arrangement_id: IdPath,
    request: Request,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The insurer approves an extension: the due date and the notice deadline move."""
    return _decide_extension(request, session, arrangement_id, True, reason)


@router.post("/overdue/extensions/{arrangement_id}/refuse", response_model=None)
def extension_refuse_form(
    arrangement_id: IdPath,
    request: Request,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The insurer refuses an extension, with the reason the exporter reads."""
    return _decide_extension(request, session, arrangement_id, False, reason)


@router.post("/overdue/claims", response_model=None)
def claim_form(
    request: Request,
    session: SessionDep,
    declaration_id: Annotated[list[str] | None, Form(max_length=20)] = None,
    cause: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    """File a claim on the chosen invoices (each must carry an open notice)."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        loss_cause = form_choice(LossCause, cause, field="cause", message="please choose a cause")
        ids = declaration_id or []
        file_claim(
            session,
            principal=viewer.principal,
            lines=[LineIn(declaration_id=form_id(v, "declaration_id")) for v in ids[:200]],
            cause=loss_cause,
            today=business_today(),
        )

    problem = in_savepoint(session, work)
    return _overdue_page(
        request, session, viewer, done=None if problem else "claim", problem=problem
    )


def _upload_page(
    request: Request,
    viewer: Viewer,
    *,
    report: CollectionReportOut | None,
    problem: DomainError | None,
) -> Response:
    return render_page(
        request,
        choose_locale(request, viewer),
        "claims/collections_upload.html",
        {"report": report, "problem": problem, "columns": collection_upload.COLUMNS},
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/collections/upload", response_model=None)
def collections_upload_page(request: Request, session: SessionDep) -> Response:
    """The form to confirm collections by upload (CSV or XLSX)."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        viewer.principal.require(Permission.COLLECTION_WRITE)
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)
    return _upload_page(request, viewer, report=None, problem=None)


@router.post("/collections/upload", response_model=None)
def collections_upload(
    request: Request, session: SessionDep, file: Annotated[UploadFile, File()]
) -> Response:
    """Confirm every row of the file and show the row report."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    report: CollectionReportOut | None = None
    problem: DomainError | None = None
    try:
        name = file.filename or "upload"
        report = CollectionReportOut.of(
            name,
            collections.confirm_upload(
                session,
                principal=viewer.principal,
                filename=name,
                data=file.file.read(MAX_UPLOAD_BYTES + 1),
                today=business_today(),
            ),
        )
    except DomainError as error:
        problem = error
    return _upload_page(request, viewer, report=report, problem=problem)
