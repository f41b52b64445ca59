"""Dashboard pages that track the limit book: the large-limit watch list, bulk actions for
an adverse event, the idle-limit job and the buyer match review queue.

Same conventions as :mod:`tradecover.web.limits.pages`: insurer staff only (an exporter
gets the 403 page), every write goes through the limits or buyers service (which checks
the permission again and writes the audit entries), in a savepoint that a domain error
rolls back; the page then shows the problem with the error's status.

The two mass actions (bulk cut or cancel, idle revocation) are previewed first: the page
lists exactly the limits the service will touch, and the confirming form carries a
fingerprint of that list.  If the limits in scope change between preview and
confirmation, nothing is written and the page asks to look again (409).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import reporting
from tradecover.access.roles import Permission
from tradecover.api.pagination import IdPath
from tradecover.buyers import Sector
from tradecover.buyers import lookup_repository as buyer_lookup
from tradecover.buyers import matching as buyer_matching
from tradecover.kit.dates import business_today
from tradecover.kit.errors import Conflict, DomainError, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import service
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    error_page,
    form_choice,
    form_decimal,
    in_savepoint,
    may,
    permitted_viewer,
    render_page,
    settings_of,
)
from tradecover.web.limits.pages import nav_links
from tradecover.web.limits.proposals_pages import router as proposals_router

if TYPE_CHECKING:  # the row types only: the pages read them through the services
    from tradecover.buyers import Buyer
    from tradecover.limits import CreditLimit

router = APIRouter(include_in_schema=False)
SCOPES = ("country", "sector", "buyer")
"""What a bulk action can target, as the form names it."""

ACTIONS = ("cut", "cancel")
"""What a bulk action does: cut by a percentage, or cancel."""

REVIEW_STATUSES = ("open", "merged", "kept_separate")
"""The match review queue's filters."""

MAX_IDLE_DAYS = 3650

PREVIEW_ROWS = 500
"""Most limits a preview prints; the confirmation still covers (and checks) all of them."""


def _fingerprint(rows: Iterable[CreditLimit]) -> str:
    """A digest of the limits a preview showed (ids and amounts), to confirm exactly them."""
    text = ";".join(f"{r.id}:{r.amount_minor}:{r.currency}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def _check_unchanged(rows: list[CreditLimit], fingerprint: str) -> None:
    if _fingerprint(rows) != fingerprint:
        raise Conflict(
            "the limits in scope changed since the preview: look at it again",
            code="scope_changed",
            field="preview",
        )


# --- watch list -------------------------------------------------------------------------


def _threshold(value: str, default: Decimal, field: str) -> Decimal:
    if not value.strip():
        return default
    try:
        amount = form_decimal(value)
    except ValidationFailed:
        amount = Decimal(-1)
    if amount <= 0:
        raise ValidationFailed(
            "a threshold is a positive amount in USD", code="invalid_threshold", field=field
        )
    return amount


@router.get("/limits/watch-list", response_model=None)
def watch_list_page(
    request: Request,
    session: SessionDep,
    single: Annotated[str, Query(max_length=24)] = "",
    total: Annotated[str, Query(max_length=24)] = "",
) -> Response:
    """Buyers with a large single limit or a large total of limits (USD), largest first;
    the thresholds default to the configured ones and can be changed for one look.
    """
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    rules = service.LimitRules.from_settings(settings_of(request))
    problem: DomainError | None = None
    entries: list[reporting.WatchEntry] = []
    try:
        rules = replace(
            rules,
            watch_single=_threshold(single, rules.watch_single, "single"),
            watch_buyer_total=_threshold(total, rules.watch_buyer_total, "total"),
        )
        entries = reporting.limit_watch_list(session, principal=viewer.principal, rules=rules)
    except DomainError as error:
        problem = error
    names = buyer_lookup.buyers_by_id(session, (e.buyer_id for e in entries))
    return render_page(
        request,
        choose_locale(request, viewer),
        "limits/watch_list.html",
        {
            "entries": entries,
            "buyers": names,
            "single": single or rules.watch_single,
            "total": total or rules.watch_buyer_total,
            "subnav": nav_links(viewer),
            "problem": problem,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


# --- bulk actions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulkRequest:
    """A bulk action as typed in the form, checked."""

    scope: service.BulkScope
    cut_pct: Decimal | None
    cancel: bool
    reason: str


def _bulk_request(scope: str, value: str, action: str, cut_pct: str, reason: str) -> BulkRequest:
    """Parse the form; a ValidationFailed names the field to correct."""
    value = value.strip()
    if scope not in SCOPES:
        raise ValidationFailed(
            "choose a buyer, a sector or a country", code="invalid_scope", field="scope"
        )
    if scope == "country":
        if len(value) != 2 or not value.isalpha():
            raise ValidationFailed(
                "a country is its two-letter ISO code", code="invalid_country", field="value"
            )
        target = service.BulkScope(country=value.upper())
    elif scope == "sector":
        if value not in {s.value for s in Sector}:
            raise ValidationFailed(
                "choose a sector from the list", code="invalid_sector", field="value"
            )
        target = service.BulkScope(sector=value)
    else:
        if not value.isdigit() or len(value) > 18 or int(value) < 1:
            raise ValidationFailed(
                "a buyer is given by its number", code="invalid_buyer", field="value"
            )
        target = service.BulkScope(buyer_id=int(value))
    if action not in ACTIONS:
        raise ValidationFailed("choose cut or cancel", code="invalid_bulk_action", field="action")
    pct = None
    if action == "cut":
        try:
            pct = form_decimal(cut_pct)
        except ValidationFailed:
            pct = Decimal(-1)
        if not Decimal(0) < pct < Decimal(100):
            raise ValidationFailed(
                "the cut is a percentage in (0, 100); 100 % is a cancellation",
                code="cut_out_of_range",
                field="cut_pct",
            )
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    return BulkRequest(target, pct, action == "cancel", reason.strip())


@dataclass(frozen=True, slots=True)
class PreviewLine:
    """One limit a bulk action would touch, and what it would become."""

    limit: CreditLimit
    buyer: Buyer | None
    after_minor: int | None  # None: cancelled
    skipped: bool


def _after(row: CreditLimit, bulk: BulkRequest) -> tuple[int | None, bool]:
    """The amount after the action, as :func:`service.bulk_action` computes it."""
    if bulk.cancel or bulk.cut_pct is None:
        return None, False
    current = Money.from_minor(row.amount_minor, row.currency)
    target = (current * ((Decimal(100) - bulk.cut_pct) / Decimal(100))).rounded()
    if target.amount <= 0 or target >= current:
        return row.amount_minor, True
    return target.minor_units(), False


def _preview(session: Session, bulk: BulkRequest) -> tuple[list[PreviewLine], str]:
    rows = service.limits_in_scope(session, bulk.scope)
    names = buyer_lookup.buyers_by_id(session, (r.buyer_id for r in rows))
    lines = [PreviewLine(r, names.get(r.buyer_id), *_after(r, bulk)) for r in rows]
    return lines, _fingerprint(rows)


def _bulk_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    form: dict[str, str],
    *,
    result: service.BulkResult | None = None,
    problem: DomainError | None = None,
) -> Response:
    lines: list[PreviewLine] | None = None
    fingerprint = ""
    if result is None and form.get("scope"):
        try:
            lines, fingerprint = _preview(session, _bulk_request(**form))
        except DomainError as error:
            problem = problem or error
    return render_page(
        request,
        choose_locale(request, viewer),
        "limits/bulk.html",
        {
            "form": form,
            "scopes": SCOPES,
            "sectors": [s.value for s in Sector],
            "shown": PREVIEW_ROWS,
            "lines": lines,
            "fingerprint": fingerprint,
            "result": result,
            "subnav": nav_links(viewer),
            "problem": problem,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


Field = Annotated[str, Query(max_length=40)]


@router.get("/limits/bulk", response_model=None)
def bulk_page(
    request: Request,
    session: SessionDep,
    scope: Field = "",
    value: Field = "",
    action: Field = "cut",
    cut_pct: Field = "",
    reason: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    """The bulk action form; with a scope, the preview of every limit it would change and
    the form that confirms it.
    """
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    form = {"scope": scope, "value": value, "action": action, "cut_pct": cut_pct, "reason": reason}
    return _bulk_page(request, session, viewer, form)


FormField = Annotated[str, Form(max_length=40)]


@router.post("/limits/bulk", response_model=None)
def bulk_form(
    request: Request,
    session: SessionDep,
    scope: FormField = "",
    value: FormField = "",
    action: FormField = "",
    cut_pct: FormField = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    preview: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Confirm a previewed bulk action: cut or cancel every limit in its scope."""
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    form = {"scope": scope, "value": value, "action": action, "cut_pct": cut_pct, "reason": reason}
    outcome: list[service.BulkResult] = []

    def work() -> None:
        bulk = _bulk_request(**form)
        _check_unchanged(service.limits_in_scope(session, bulk.scope), preview)
        outcome.append(
            service.bulk_action(
                session,
                principal=viewer.principal,
                scope=bulk.scope,
                reason=bulk.reason,
                today=business_today(),
                cut_pct=bulk.cut_pct,
                cancel=bulk.cancel,
            )
        )

    problem = in_savepoint(session, work)
    return _bulk_page(
        request, session, viewer, form, result=outcome[0] if outcome else None, problem=problem
    )


# --- idle limits ------------------------------------------------------------------------


def _idle_days(value: str, default: int) -> int:
    text = value.strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_IDLE_DAYS:
        raise ValidationFailed(
            f"the idle period is a number of days from 1 to {MAX_IDLE_DAYS}",
            code="invalid_idle_days",
            field="idle_days",
        )
    return int(text)


def _idle_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    days: str,
    *,
    revoked: list[int] | None = None,
    problem: DomainError | None = None,
) -> Response:
    default = settings_of(request).limit_idle_days
    lines: list[CreditLimit] = []
    names: dict[int, Buyer] = {}
    fingerprint = ""
    chosen: int | str = days or default
    try:
        chosen = _idle_days(days, default)
        lines = service.idle_limits(session, today=business_today(), idle_days=chosen)
        names = buyer_lookup.buyers_by_id(session, (r.buyer_id for r in lines))
        fingerprint = _fingerprint(lines)
    except DomainError as error:
        problem = problem or error
    return render_page(
        request,
        choose_locale(request, viewer),
        "limits/idle.html",
        {
            "idle_days": chosen,
            "lines": lines,
            "shown": PREVIEW_ROWS,
            "buyers": names,
            "fingerprint": fingerprint,
            "revoked": revoked,
            "subnav": nav_links(viewer),
            "problem": problem,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/limits/idle", response_model=None)
def idle_page(
    request: Request, session: SessionDep, idle_days: Annotated[str, Query(max_length=9)] = ""
) -> Response:
    """The limits the idle-limit job would revoke now, and the form that runs it."""
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    return _idle_page(request, session, viewer, idle_days)


@router.post("/limits/idle", response_model=None)
def idle_form(
    request: Request,
    session: SessionDep,
    idle_days: Annotated[str, Form(max_length=9)] = "",
    preview: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Run the idle-limit job on the previewed limits: each is cancelled with a notice."""
    viewer = permitted_viewer(request, session, Permission.LIMIT_MANAGE)
    if isinstance(viewer, Response):
        return viewer
    revoked: list[list[int]] = []

    def work() -> None:
        days = _idle_days(idle_days, settings_of(request).limit_idle_days)
        today = business_today()
        _check_unchanged(service.idle_limits(session, today=today, idle_days=days), preview)
        revoked.append(
            service.revoke_idle(session, principal=viewer.principal, today=today, idle_days=days)
        )

    problem = in_savepoint(session, work)
    return _idle_page(
        request,
        session,
        viewer,
        idle_days,
        revoked=revoked[0] if revoked else None,
        problem=problem,
    )


# --- buyer match reviews ----------------------------------------------------------------


def _matches_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    status: str,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    chosen = status if status in REVIEW_STATUSES else "open"
    try:
        reviews, total = buyer_matching.list_reviews(
            session, principal=viewer.principal, status=chosen, limit=100
        )
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)
    records = buyer_lookup.buyers_by_id(
        session, [r.buyer_id for r in reviews] + [r.candidate_id for r in reviews]
    )
    context: dict[str, Any] = {
        "reviews": reviews,
        "total": total,
        "records": records,
        "status": chosen,
        "statuses": REVIEW_STATUSES,
        "can_resolve": may(viewer, Permission.BUYER_REVIEW),
        "subnav": nav_links(viewer),
        "done": done,
        "problem": problem,
    }
    return render_page(
        request,
        choose_locale(request, viewer),
        "limits/matches.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/buyers/matches", response_model=None)
def matches_page(
    request: Request, session: SessionDep, status: Annotated[str, Query(max_length=16)] = "open"
) -> Response:
    """Uncertain buyer matches side by side: the new record and the existing one."""
    viewer = permitted_viewer(request, session, Permission.BUYER_ASSESS)
    if isinstance(viewer, Response):
        return viewer
    return _matches_page(request, session, viewer, status)


@router.post("/buyers/matches/{review_id}", response_model=None)
def resolve_form(
    review_id: IdPath,
    request: Request,
    session: SessionDep,
    resolution: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A risk manager merges the new record into the existing one, or keeps them apart."""
    viewer = permitted_viewer(request, session, Permission.BUYER_ASSESS)
    if isinstance(viewer, Response):
        return viewer

    def work() -> None:
        chosen = form_choice(
            buyer_matching.ReviewResolution,
            resolution,
            field="resolution",
            message="choose merge or keep separate",
        )
        buyer_matching.resolve_review(
            session,
            principal=viewer.principal,
            review_id=review_id,
            resolution=chosen,
            note=note.strip() or None,
        )

    problem = in_savepoint(session, work)
    return _matches_page(
        request, session, viewer, "open", done=None if problem else resolution, problem=problem
    )


router.include_router(proposals_router)  # /limits/reduction-proposals, before /limits/{id}
