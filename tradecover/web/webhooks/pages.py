"""Dashboard pages of webhooks: the organisation's endpoints and each one's deliveries.

``/webhooks`` lists the endpoints (a disabled one with the notice of why) and registers a
new one; ``/webhooks/{id}`` shows its recent deliveries with every attempt's status and
answer, rotates its secret, enables it again and replays from an event.  Every write goes
through :mod:`tradecover.webhooks` (which checks the permission) in a savepoint that a
domain error rolls back; the page then shows the problem.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import events, webhooks
from tradecover.kit.errors import DomainError
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    in_savepoint,
    redirect,
    render_page,
    settings_of,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
PATH = "/webhooks"


def _list_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    problem: DomainError | None = None,
    secret: str | None = None,
) -> Response:
    rows = webhooks.list_endpoints(session, principal=viewer.principal)
    return render_page(
        request,
        choose_locale(request, viewer),
        "webhooks/endpoints.html",
        {
            "endpoints": rows,
            "event_types": sorted(events.CATALOG),
            "problem": problem,
            "secret": secret,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH, response_model=None)
def endpoints_page(request: Request, session: SessionDep) -> Response:
    """The organisation's webhook endpoints and the form to add one."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        return _list_page(request, session, viewer)
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)


@router.post(PATH, response_model=None)
def add_endpoint(
    request: Request,
    session: SessionDep,
    url: Annotated[str, Form()],
    event_types: Annotated[list[str], Form()],
    description: Annotated[str, Form()] = "",
) -> Response:
    """Register an endpoint; its secret is shown once on the answer."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    made: list[str] = []

    def work() -> None:
        row = webhooks.create_endpoint(
            session,
            principal=viewer.principal,
            url=url.strip(),
            event_types=event_types,
            description=description.strip() or None,
            development=settings_of(request).webhooks_development,
        )
        made.append(row.secret)

    problem = in_savepoint(session, work)
    return _list_page(request, session, viewer, problem=problem, secret=made[0] if made else None)


def _endpoint_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    endpoint_id: int,
    *,
    problem: DomainError | None = None,
    notice: str | None = None,
    secret: str | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        endpoint = webhooks.get_endpoint(
            session, principal=viewer.principal, endpoint_id=endpoint_id
        )
        rows, total = webhooks.list_deliveries(
            session, principal=viewer.principal, endpoint_id=endpoint_id, limit=50
        )
        attempts = {
            r.id: webhooks.attempts_of(
                session, principal=viewer.principal, endpoint_id=endpoint_id, delivery_id=r.id
            )[1]
            for r in rows
        }
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    return render_page(
        request,
        locale,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            "deliveries": rows,
            "total": total,
            "attempts": attempts,
            "problem": problem,
            "notice": notice,
            "secret": secret,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH + "/{endpoint_id}", response_model=None)
def endpoint_page(endpoint_id: int, request: Request, session: SessionDep) -> Response:
    """One endpoint: its recent deliveries with each attempt."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    if not 1 <= endpoint_id <= 2**63 - 1:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    return _endpoint_page(request, session, viewer, endpoint_id)


@router.post(PATH + "/{endpoint_id}/{action}", response_model=None)
def endpoint_action(
    endpoint_id: int,
    action: str,
    request: Request,
    session: SessionDep,
    from_event_id: Annotated[str, Form()] = "",
) -> Response:
    """``rotate`` the secret, ``enable``/``disable``, ``replay`` from an event or
    ``delete`` the endpoint.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    if action not in ("rotate", "enable", "disable", "replay", "delete") or not (
        1 <= endpoint_id <= 2**63 - 1
    ):
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    notes: list[str] = []

    def work() -> None:
        if action == "rotate":
            row = webhooks.rotate_secret(
                session, principal=viewer.principal, endpoint_id=endpoint_id
            )
            notes.append(row.secret)
        elif action in ("enable", "disable"):
            webhooks.update_endpoint(
                session,
                principal=viewer.principal,
                endpoint_id=endpoint_id,
                enabled=action == "enable",
                development=settings_of(request).webhooks_development,
            )
        elif action == "replay":
            queued = webhooks.replay(
                session,
                principal=viewer.principal,
                endpoint_id=endpoint_id,
                from_event_id=from_event_id.strip(),
            )
            notes.append(str(queued))
        else:
            webhooks.delete_endpoint(session, principal=viewer.principal, endpoint_id=endpoint_id)

    problem = in_savepoint(session, work)
    if problem is None and action == "delete":
        return redirect(PATH)
    return _endpoint_page(
        request,
        session,
        viewer,
        endpoint_id,
        problem=problem,
        secret=notes[0] if action == "rotate" and notes else None,
        notice=notes[0] if action == "replay" and notes else None,
    )
