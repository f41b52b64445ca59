"""Dashboard pages of credit limits: the underwriters' queue with the rating breakdown, a
buyer page and a limit history page.

Same conventions as :mod:`tradecover.web.pages`: server-rendered, in the reader's
language, signed-in people only; every read goes through the buyers and limits services,
which scope exporters to their own relationships and limits.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradecover.api.deps import SessionDep
from tradecover.api.pagination import IdPath
from tradecover.buyers import service as buyers
from tradecover.buyers.model import BuyerRating
from tradecover.kit.errors import DomainError
from tradecover.limits import service
from tradecover.web.pages import _error_page, _page, _to_sign_in, _viewer, choose_locale

router = APIRouter(include_in_schema=False)


def _rating(session: SessionDep, rating_id: int | None) -> BuyerRating | None:
    return session.get(BuyerRating, rating_id) if rating_id is not None else None


@router.get("/limits", response_model=None)
def limits_page(request: Request, session: SessionDep) -> Response:
    """Insurer: the queue of applications waiting for a decision, each with the buyer's
    rating factors; exporter: its applications and limits in force.
    """
    viewer = _viewer(request, session)
    if viewer is None:
        return _to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        principal = viewer.principal
        status = "pending" if principal.is_insurer else None
        apps, total = service.list_applications(session, principal=principal, status=status,
                                                limit=100)
        second, _ = service.list_applications(session, principal=principal,
                                              status=service.PENDING_SECOND, limit=100)
        limits, limit_total = service.list_limits(session, principal=principal, limit=100)
        usage = {u.limit_id: u for u in service.utilisation(session, principal=principal)}
    except DomainError as error:
        return _error_page(request, locale, viewer, error.status)
    queue = [{"app": a, "rating": _rating(session, a.rating_id) if principal.is_insurer
              else None} for a in apps]
    return _page(request, locale, "limits/queue.html",
                 {"queue": queue, "total": total, "second": second, "limits": limits,
                  "limit_total": limit_total, "usage": usage,
                  "insurer": principal.is_insurer}, viewer=viewer)


@router.get("/buyers/{buyer_id}", response_model=None)
def buyer_page(buyer_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A buyer: identity, the viewer's limits on it and, for the insurer, the rating and the
    aggregate limit.
    """
    viewer = _viewer(request, session)
    if viewer is None:
        return _to_sign_in(request)
    locale = choose_locale(request, viewer)
    principal = viewer.principal
    try:
        buyer = buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
        limits, _ = service.list_limits(session, principal=principal, buyer_id=buyer_id,
                                        limit=100)
        usage = {u.limit_id: u for u in service.utilisation(session, principal=principal,
                                                             buyer_id=buyer_id)}
        rating = aggregate = None
        if principal.is_insurer:
            rating = buyers.latest_rating(session, buyer_id)
            aggregate = service.get_aggregate(session, principal=principal, buyer_id=buyer_id)
        relation = buyers.relationship(session, principal=principal, buyer_id=buyer_id)
    except DomainError as error:
        return _error_page(request, locale, viewer, error.status)
    context: dict[str, Any] = {"buyer": buyer, "limits": limits, "usage": usage,
                               "rating": rating, "aggregate": aggregate, "relation": relation}
    return _page(request, locale, "limits/buyer.html", context, viewer=viewer)


@router.get("/limits/{limit_id}", response_model=None)
def limit_page(limit_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A limit's versions with their effective dates, and its utilisation."""
    viewer = _viewer(request, session)
    if viewer is None:
        return _to_sign_in(request)
    locale = choose_locale(request, viewer)
    try:
        limit = service.get_limit(session, principal=viewer.principal, limit_id=limit_id)
        versions = service.limit_history(session, principal=viewer.principal,
                                         limit_id=limit_id)
        usage = service.utilisation(session, principal=viewer.principal, limit_id=limit_id)
    except DomainError as error:
        return _error_page(request, locale, viewer, error.status)
    return _page(request, locale, "limits/limit.html",
                 {"limit": limit, "versions": versions, "usage": usage[0] if usage else None},
                 viewer=viewer)
