"""Dashboard page of reduction proposals for under-used limits (underwriters).

``/limits/reduction-proposals`` lists the proposals (pending by default) with the peak
the job found; an underwriter runs the job, accepts or dismisses one proposal, or ticks
several and accepts or dismisses them together.  Every write goes through
:mod:`tradecover.limits.proposals` (which checks the permission again and audits) in a
savepoint that a domain error rolls back; the page then shows the problem.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import reporting
from tradecover.access.roles import Permission
from tradecover.buyers import lookup_repository as buyer_lookup
from tradecover.kit.dates import business_today
from tradecover.kit.errors import DomainError, ValidationFailed
from tradecover.limits.proposals import service as proposals
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    in_savepoint,
    permitted_viewer,
    render_page,
    settings_of,
)
from tradecover.web.limits.pages import nav_links

router = APIRouter(include_in_schema=False)
PATH = "/limits/reduction-proposals"
FILTERS = (*proposals.STATUSES, "all")
"""The list's status filters."""

STATUS_LABELS: dict[str, str] = {
    "pending": N_("Pending"),
    "accepted": N_("Accepted"),
    "dismissed": N_("Dismissed"),
    "lapsed": N_("Lapsed"),
    "all": N_("All"),
}
"""The words shown for the proposal statuses (translated by the template)."""


def _proposals_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    status: str,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    chosen = status if status in FILTERS else "pending"
    rows, total = proposals.list_proposals(
        session, principal=viewer.principal, status=None if chosen == "all" else chosen, limit=500
    )
    settings = settings_of(request)
    context = {
        "proposals": rows,
        "total": total,
        "status": chosen,
        "statuses": FILTERS,
        "status_labels": STATUS_LABELS,
        "buyers": buyer_lookup.buyers_by_id(session, (r.buyer_id for r in rows)),
        "share": settings.limit_under_use_share,
        "days": settings.limit_under_use_days,
        "subnav": nav_links(viewer),
        "done": done,
        "problem": problem,
    }
    return render_page(
        request,
        choose_locale(request, viewer),
        "limits/proposals.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH, response_model=None)
def proposals_page(
    request: Request, session: SessionDep, status: Annotated[str, Query(max_length=16)] = "pending"
) -> Response:
    """The proposals, the job's form and the accept / dismiss forms."""
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    return _proposals_page(request, session, viewer, status)


@router.post(f"{PATH}/run", response_model=None)
def run_form(request: Request, session: SessionDep) -> Response:
    """Run the under-use job now with the configured share and period."""
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    found: list[int] = []

    def work() -> None:
        result = proposals.propose_reductions(
            session,
            principal=viewer.principal,
            rule=proposals.rule_from_settings(settings_of(request)),
            today=business_today(),
            read_exposures=reporting.limit_exposures,
        )
        found.append(len(result.proposed))

    problem = in_savepoint(session, work)
    return _proposals_page(
        request,
        session,
        viewer,
        "pending",
        done=None if problem else f"proposed:{found[0]}",
        problem=problem,
    )


@router.post(f"{PATH}/decide", response_model=None)
def decide_form(
    request: Request,
    session: SessionDep,
    proposal_ids: Annotated[list[str] | None, Form()] = None,
    action: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Accept or dismiss the proposals ticked (or the one of the row)."""
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    outcome: list[proposals.BulkOutcome] = []

    def work() -> None:
        ids = [int(i) for i in proposal_ids or [] if i.isdigit()]
        if len(ids) != len(proposal_ids or []) or not ids:
            raise ValidationFailed(
                "tick at least one proposal", code="proposals_required", field="proposal_ids"
            )
        outcome.append(
            proposals.decide_many(
                session,
                principal=viewer.principal,
                proposal_ids=ids,
                action=action,
                today=business_today(),
                reason=reason.strip() or None,
            )
        )

    problem = in_savepoint(session, work)
    done = None
    if outcome:
        done = f"{action}:{len(outcome[0].decided)}:{len(outcome[0].skipped)}"
    return _proposals_page(request, session, viewer, "pending", done=done, problem=problem)
