"""Dashboard pages of policies: the policy list and one policy, in the reader's language.

Same conventions as :mod:`tradecover.web.kit`: every read goes through the policies
service, which scopes exporters to their own policies; an id of another organisation
renders the same 404 page as a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradecover.access import directory_repository as directory
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError, NotFound, PermissionDenied
from tradecover.policies import service as policies
from tradecover.policies.lifecycle import PolicyState
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    render_page,
    to_sign_in,
)
from tradecover.web.policies import actions, insurer_views, investment_debt_views, views

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PAGE_SIZE = 25
MAX_SEARCH = 100

router = APIRouter(include_in_schema=False)


@router.get("/policies", response_model=None)
def policy_list(
    request: Request,
    session: SessionDep,
    state: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=MAX_SEARCH)] = None,
    exporter: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[str | None, Query(max_length=9)] = None,
) -> Response:
    """The policies the signed-in person may see: filter by state, search, page."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    principal = viewer.principal
    chosen_state = PolicyState(state) if state in {s.value for s in PolicyState} else None
    search = (q or "").strip() or None
    exporter_id = (
        int(exporter) if principal.is_insurer and exporter and exporter.isdigit() else None
    )
    page_no = max(1, int(page)) if page and page.isdigit() else 1
    try:
        rows, total = policies.list_policies(
            session,
            principal=principal,
            state=chosen_state,
            exporter_org_id=exporter_id,
            search=search,
            limit=PAGE_SIZE,
            offset=(page_no - 1) * PAGE_SIZE,
        )
    except PermissionDenied:
        return error_page(request, locale, viewer, 403)
    names = directory.organisation_names(session, {p.exporter_org_id for p in rows})
    items = [views.policy_row(p, exporter_name=names.get(p.exporter_org_id, "—")) for p in rows]
    pages = max(1, -(-total // PAGE_SIZE))
    filters = {
        k: v
        for k, v in {
            "state": chosen_state,
            "q": search,
            "exporter": str(exporter_id) if exporter_id else None,
        }.items()
        if v
    }

    def page_url(number: int) -> str:
        return "/policies?" + urlencode({**filters, "page": number})

    return render_page(
        request,
        locale,
        "policies/list.html",
        {
            "items": items,
            "total": total,
            "page_no": page_no,
            "pages": pages,
            "page_url": page_url,
            "states": list(PolicyState),
            "state": chosen_state,
            "q": search or "",
            "exporter_id": exporter_id,
            "exporters": directory.exporters(session) if principal.is_insurer else [],
            "show_exporter": principal.is_insurer,
        },
        viewer=viewer,
    )


@router.get("/policies/{policy_id}", response_model=None)
def policy_page(policy_id: str, request: Request, session: SessionDep) -> Response:
    """One policy: schedule, who insures it (the market's issuer and double insurance's two
    carriers, [domain MK-15]), endorsements, renewal offers, its history and its actions.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    if not policy_id.isdigit() or len(policy_id) > 18:
        return error_page(request, locale, viewer, 404)
    return render_policy(request, session, viewer, int(policy_id))


def render_policy(
    request: Request,
    session: Session,
    viewer: Viewer,
    pid: int,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The policy page, after an action (``done``) or with the problem an action met."""
    locale = choose_locale(request, viewer)
    principal = viewer.principal
    try:
        policy = policies.get_policy(session, principal=principal, policy_id=pid)
        endorsements = policies.list_endorsements(session, principal=principal, policy_id=pid)
        offers = policies.list_renewal_offers(session, principal=principal, policy_id=pid)
        history = policies.policy_history(session, principal=principal, policy_id=pid)
    except NotFound:
        return error_page(request, locale, viewer, 404)
    except PermissionDenied:
        return error_page(request, locale, viewer, 403)
    if problem is not None and problem.status in (403, 404):
        return error_page(request, locale, viewer, problem.status)
    exporter = directory.organisation_name(session, policy.exporter_org_id)
    today = business_today()
    return render_page(
        request,
        locale,
        "policies/detail.html",
        {
            "policy": views.policy_row(
                policy, exporter_name=exporter if exporter is not None else "—"
            ),
            "schedule": views.schedule_view(policy),
            "state_reason": policy.state_reason,
            "endorsements": [views.endorsement_view(e) for e in endorsements],
            "offers": [views.offer_view(o, currency=policy.currency) for o in offers],
            "history": [views.history_view(h) for h in history],
            "show_exporter": principal.is_insurer,
            "quote": quote,
            "actions": [a.value for a in actions.actions_for(principal, policy, today)],
            "may_accept_offer": actions.may_accept_offer(principal, policy),
            "done": done,
            "problem": problem,
            "typed": typed or {},
            "today": today,
            "insurers": insurer_views.insurers_view(session, principal=principal, policy_id=pid),
            **investment_debt_views.policy_extras(
                session, principal=principal, policy=policy, today=today
            ),
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


router.include_router(actions.router)
