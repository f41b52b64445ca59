"""Dashboard page of the shipments waiting for the exporter's confirmation ([domain A-3]).

``/feeds/confirmations`` lists what the connected sources delivered that is not covered
until the exporter confirms it, most urgent first, each with its deadline and whether it is
at risk or overdue; the exporter ticks shipments and confirms them (they attach through
the one attachment service) or withdraws them.  Every write goes through
:mod:`tradecover.feeds.confirmation_repository` (which checks the permission) in a savepoint
that a domain error rolls back; the page then shows the problem.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import feeds as confirmations
from tradecover.kit.errors import DomainError
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    in_savepoint,
    render_page,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
PATH = "/feeds/confirmations"


def _page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    problems: list[tuple[int, DomainError]] | None = None,
    confirmed: int = 0,
    withdrawn: int = 0,
) -> Response:
    items = confirmations.awaiting_confirmation(session, principal=viewer.principal)
    return render_page(
        request,
        choose_locale(request, viewer),
        "feeds/confirmations.html",
        {
            "items": items,
            "problems": problems or [],
            "confirmed": confirmed,
            "withdrawn": withdrawn,
        },
        viewer=viewer,
        status=problems[0][1].status if problems and not (confirmed or withdrawn) else 200,
    )


@router.get(PATH, response_model=None)
def confirmations_page(request: Request, session: SessionDep) -> Response:
    """The shipments waiting for the caller's confirmation."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        return _page(request, session, viewer)
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)


@router.post(PATH, response_model=None)
def decide(
    request: Request,
    session: SessionDep,
    action: Annotated[Literal["confirm", "withdraw"], Form()],
    document_ids: Annotated[list[int], Form()],
) -> Response:
    """Confirm (one click for the ticked shipments) or withdraw them."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    problems: list[tuple[int, DomainError]] = []
    done = 0
    if action == "confirm":
        outcomes = confirmations.confirm_many(
            session,
            principal=viewer.principal,
            document_ids=document_ids[: confirmations.MAX_CONFIRM],
            store=request.app.state.attachment_store,
        )
        problems = [(o.document_id, o.error) for o in outcomes if o.error is not None]
        done = len(outcomes) - len(problems)
    else:
        for document_id in document_ids[: confirmations.MAX_CONFIRM]:

            def work(document_id: int = document_id) -> None:
                confirmations.withdraw_received(
                    session, principal=viewer.principal, document_id=document_id
                )

            problem = in_savepoint(session, work)
            if problem is None:
                done += 1
            else:
                problems.append((document_id, problem))
    return _page(
        request,
        session,
        viewer,
        problems=problems,
        confirmed=done if action == "confirm" else 0,
        withdrawn=done if action == "withdraw" else 0,
    )
