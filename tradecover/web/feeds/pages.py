"""Dashboard pages of the feeds.

``/feeds`` is the exporter's view of automatic attachment: its connected sources, the
documents that arrived (what attached and why: the reasons and the matching rule), what
waits for its confirmation (``feeds/_awaiting_confirmation.html``: the list of
:mod:`tradecover.web.feeds.confirmations`, confirmed or withdrawn there), the quarantine (a
document is resubmitted fixed, or as it was, or withdrawn) and the omissions of the last
three months ([domain FR-4]).  ``/feeds/exposure`` is the underwriter's: per-buyer exposure
as it builds up from automatic attachment.  Writes go through :mod:`tradecover.feeds`
(which checks the permission) in a savepoint; a resubmitted document goes on the stream.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import feeds
from tradecover.access import Permission
from tradecover.config import Settings
from tradecover.feeds import Envelope, Publisher, StreamSettings, StreamUnavailable
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError
from tradecover.reporting import feed_exposure_by_buyer, omissions, omissions_by_month
from tradecover.web.feeds import confirmations
from tradecover.web.forms import in_savepoint
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    error_page,
    permitted_viewer,
    redirect,
    render_page,
)

router = APIRouter(include_in_schema=False)
router.include_router(confirmations.router)
PATH = "/feeds"
MAX_RESUBMIT_BYTES = 10 * 1024 * 1024
STATUSES = ("attached", "awaiting_confirmation", "received", "quarantined", "withdrawn")


class StreamDown(DomainError):
    """The stream cannot take the document now: nothing was resubmitted."""

    status = 503
    default_code = "stream_unavailable"


def _publish(request: Request, envelope: Envelope) -> None:
    publisher: Publisher | None = getattr(request.app.state, "feeds_publisher", None)
    if publisher is None:
        settings: Settings = request.app.state.settings
        publisher = Publisher(StreamSettings.of(settings))
        request.app.state.feeds_publisher = publisher
    try:
        publisher.publish(envelope)
    except StreamUnavailable:
        raise StreamDown("the document stream cannot be reached; retry later") from None


def _page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    problem: DomainError | None = None,
) -> Response:
    principal = viewer.principal
    today = business_today()
    start = (today - timedelta(days=90)).replace(day=1)
    recent, total = feeds.list_documents(session, principal=principal, limit=50)
    counts = {
        status: feeds.list_documents(session, principal=principal, status=status, limit=1)[1]
        for status in STATUSES
    }
    quarantined, _ = feeds.list_documents(
        session, principal=principal, status="quarantined", limit=100
    )
    awaiting = feeds.awaiting_confirmation(session, principal=principal)
    omitted = omissions(session, exporter_org_id=principal.org_id, start=start, end=today)
    return render_page(
        request,
        choose_locale(request, viewer),
        "feeds/documents.html",
        {
            "sources": feeds.connections_of(session, principal=principal),
            "documents": recent,
            "total": total,
            "counts": counts,
            "quarantined": quarantined,
            "awaiting": awaiting,
            "omission_months": omissions_by_month(omitted),
            "omissions": omitted,
            "start": start,
            "today": today,
            "problem": problem,
            "resubmitted": bool(request.query_params.get("resubmitted")),
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH, response_model=None)
def feeds_page(request: Request, session: SessionDep) -> Response:
    """The exporter's sources, documents, quarantine and omissions."""
    viewer = permitted_viewer(request, session, Permission.DECLARATION_READ)
    if not isinstance(viewer, Viewer):
        return viewer
    return _page(request, session, viewer)


@router.post(PATH + "/documents/{document_id}/resubmit", response_model=None)
def resubmit(
    document_id: int,
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Resubmit a quarantined document: the fixed file uploaded, else the stored one."""
    viewer = permitted_viewer(request, session, Permission.DECLARATION_WRITE)
    if not isinstance(viewer, Viewer):
        return viewer
    if not 1 <= document_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    content = file.file.read(MAX_RESUBMIT_BYTES + 1) if file is not None else b""

    def work() -> None:
        envelope = feeds.resubmission(
            session,
            principal=viewer.principal,
            document_id=document_id,
            content=content or None,
            filename=(file.filename if file is not None and content else None),
        )
        _publish(request, envelope)

    problem = in_savepoint(session, work)
    if problem is None:
        return redirect(f"{PATH}?resubmitted={document_id}")
    return _page(request, session, viewer, problem=problem)


@router.post(PATH + "/documents/{document_id}/withdraw", response_model=None)
def withdraw(document_id: int, request: Request, session: SessionDep) -> Response:
    """Withdraw a quarantined document that will not be fixed (or a shipment awaiting
    confirmation, or one attached under the hybrid model within its correction window).
    """
    viewer = permitted_viewer(request, session, Permission.DECLARATION_WRITE)
    if not isinstance(viewer, Viewer):
        return viewer
    if not 1 <= document_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    problem = in_savepoint(
        session,
        lambda: feeds.withdraw_received(
            session, principal=viewer.principal, document_id=document_id
        ),
    )
    if problem is None:
        return redirect(PATH)
    return _page(request, session, viewer, problem=problem)


@router.get(PATH + "/exposure", response_model=None)
def exposure_page(request: Request, session: SessionDep) -> Response:
    """Per-buyer exposure from automatic attachment (insurer staff)."""
    viewer = permitted_viewer(request, session, Permission.DECLARATION_READ)
    if not isinstance(viewer, Viewer):
        return viewer
    locale = choose_locale(request, viewer)
    if not viewer.principal.is_insurer:
        return error_page(request, locale, viewer, 403)
    rows = feed_exposure_by_buyer(session, principal=viewer.principal, today=business_today())
    return render_page(
        request, locale, "feeds/exposure.html", {"rows": rows, "days": 30}, viewer=viewer
    )
