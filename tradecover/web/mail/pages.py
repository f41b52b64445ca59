"""Dashboard page of e-mail: ``/account/mail``, the notices a person chooses to receive.

Every mailed event type is listed with its checkbox (ticked unless the person opted out);
saving the form stores a choice for each, through :mod:`tradecover.mail` (which checks
that it is a person's and that the type is mailed).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import mail
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
PATH = "/account/mail"


def _page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    saved: bool = False,
    problem: DomainError | None = None,
) -> Response:
    chosen = mail.preferences_of(session, principal=viewer.principal)
    return render_page(
        request,
        choose_locale(request, viewer),
        "mail/preferences.html",
        {"kinds": mail.mail_kinds(), "chosen": chosen, "saved": saved, "problem": problem},
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH, response_model=None)
def preferences_page(request: Request, session: SessionDep) -> Response:
    """The signed-in person's e-mail choices."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        return _page(request, session, viewer)
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)


@router.post(PATH, response_model=None)
def save_preferences(
    request: Request,
    session: SessionDep,
    receive: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Store a choice for every mailed type: ticked ones are received, the others not."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    ticked = set(receive or [])

    def work() -> None:
        unknown = ticked - set(mail.mail_kinds())
        for kind in sorted(unknown):  # refused by the use case, with its reason
            mail.set_preference(session, principal=viewer.principal, event_type=kind, enabled=True)
        for kind in mail.mail_kinds():
            mail.set_preference(
                session, principal=viewer.principal, event_type=kind, enabled=kind in ticked
            )

    problem = in_savepoint(session, work)
    return _page(request, session, viewer, saved=problem is None, problem=problem)
