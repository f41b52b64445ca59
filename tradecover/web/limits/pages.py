"""Dashboard pages of credit limits: the underwriters' queue with the rating breakdown and
the decision forms, a buyer page, and a limit history page with the reduce / cancel form.

Same conventions as :mod:`tradecover.web.kit`: server-rendered, in the reader's
language, signed-in people only; every read and write goes through the buyers and limits
services (the ones the API uses), which scope exporters to their own relationships and
limits and enforce four eyes.  Forms post to the same origin with the SameSite=Lax
session cookie (and the pages' CSP ``form-action 'self'``), like the other page forms.
A refused form rolls its savepoint back: nothing is written, and the page shows the
problem with the status of the error (never a 500).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import buyers, reporting
from tradecover.access.roles import Permission
from tradecover.api.pagination import IdPath
from tradecover.buyers import directory as buyer_directory
from tradecover.buyers import lookup_repository as buyer_lookup
from tradecover.kit.dates import business_today
from tradecover.kit.errors import Conflict, DomainError, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import DecisionOutcome, ReasonCode, RequestType, service
from tradecover.limits.fx import CAP_CURRENCY
from tradecover.reporting import lists, names
from tradecover.web import tables
from tradecover.web.kit import (
    N_,
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    form_choice,
    form_decimal,
    in_savepoint,
    may,
    render_page,
    settings_of,
    to_sign_in,
)

if TYPE_CHECKING:  # the row types only: the pages read them through the services
    from tradecover.limits import BuyerAggregateChange, LimitNotification

router = APIRouter(include_in_schema=False)
DECISION_OUTCOMES = (
    DecisionOutcome.APPROVED,
    DecisionOutcome.PARTLY_APPROVED,
    DecisionOutcome.NOT_APPROVED,
)
"""What the queue's form offers: approve in full, approve less, refuse."""
QUEUE_SHOWN = 20
"""The applications the underwriters' queue shows at once (the oldest waiting first)."""


NAV_LINKS: tuple[tuple[str, str, Permission], ...] = (
    ("/limits", N_("Credit limits"), Permission.LIMIT_READ),
    ("/limits/watch-list", N_("Watch list"), Permission.LIMIT_MANAGE),
    ("/limits/bulk", N_("Bulk action"), Permission.LIMIT_MANAGE),
    ("/limits/idle", N_("Idle limits"), Permission.LIMIT_MANAGE),
    ("/limits/reduction-proposals", N_("Reduction proposals"), Permission.LIMIT_MANAGE),
    ("/buyers/matches", N_("Buyer matches"), Permission.BUYER_ASSESS),
)
"""The limit pages' own navigation: path, label, and the permission that shows it."""


def nav_links(viewer: Viewer) -> list[tuple[str, str]]:
    """The limit pages this viewer may use (none beyond the queue for an exporter)."""
    links = [
        (path, label)
        for path, label, permission in NAV_LINKS
        if viewer.principal.is_insurer and may(viewer, permission)
    ]
    return links if len(links) > 1 else []


def _limit_cells(session: Session, batch: list[Any]) -> list[tuple[Any, ...]]:
    buyer_names = names.buyer_names(session, (limit.buyer_id for limit in batch))
    usage = lists.limit_usage(session, [limit.id for limit in batch])
    cells = []
    for limit in batch:
        u = usage.get(limit.id)
        cells.append(
            (
                limit.id,
                buyer_names.get(limit.buyer_id) or limit.buyer_id,
                limit.country,
                tables.major(limit.amount_minor, limit.currency),
                tables.major(u.outstanding_minor, limit.currency) if u else None,
                tables.major(u.available_minor, limit.currency) if u else None,
                limit.effective_from,
                limit.status,
                limit.payment_terms,
                limit.credit_period_days,
                limit.currency,
            )
        )
    return cells


def _queue_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        principal = viewer.principal
        status = "pending" if principal.is_insurer else None
        apps, total = service.list_applications(
            session,
            principal=principal,
            status=status,
            limit=QUEUE_SHOWN if principal.is_insurer else 100,
        )
        second, _ = service.list_applications(
            session, principal=principal, status=service.PENDING_SECOND, limit=100
        )
        table = tables.read_table(request, tables.LIMITS)
        fmt = tables.export_format(request)
        if fmt is not None:
            exported = lists.LIMITS.export(session, principal, table)
            return tables.export_response(
                tables.LIMITS, fmt, exported, lambda batch: _limit_cells(session, batch)
            )
        found = lists.LIMITS.page(session, principal, table)
        limits = found.rows
        usage = lists.limit_usage(session, [limit.id for limit in limits])
        notices: list[LimitNotification] = []
        if not principal.is_insurer:
            notices, _ = service.list_notifications(
                session, principal=principal, unacknowledged=True, limit=100
            )
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    queue = [
        {
            "app": a,
            "rating": buyer_lookup.rating_by_id(session, a.rating_id)
            if principal.is_insurer
            else None,
        }
        for a in apps
    ]
    return render_page(
        request,
        locale,
        "limits/queue.html",
        {
            "queue": queue,
            "total": total,
            "second": second,
            "limits": limits,
            "buyer_names": names.buyer_names(session, (limit.buyer_id for limit in limits)),
            "table": tables.view(
                request,
                tables.LIMITS,
                table,
                found,
                empty_message=N_("No limits in force."),
                empty_hint=N_("Apply for a credit limit on a buyer before you ship to it.")
                if may(viewer, Permission.LIMIT_APPLY) and not principal.is_insurer
                else "",
            ),
            "usage": usage,
            "notices": notices,
            "insurer": principal.is_insurer,
            "can_decide": principal.is_insurer and may(viewer, Permission.LIMIT_DECIDE),
            "can_acknowledge": may(viewer, Permission.LIMIT_APPLY),
            "outcomes": [o.value for o in DECISION_OUTCOMES],
            "reason_codes": [
                r.value
                for r in ReasonCode
                if r not in (ReasonCode.AUTO_RULE, ReasonCode.REQUESTED_BY_INSURED)
            ],
            "done": done,
            "problem": problem,
            "subnav": nav_links(viewer),
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/limits", response_model=None)
def limits_page(request: Request, session: SessionDep) -> Response:
    """Insurer: the queue of applications waiting for a decision, each with the buyer's
    rating factors and the decision form; exporter: its applications, limits in force
    and the notices to acknowledge.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _queue_page(request, session, viewer)


@router.post("/limits/applications/{application_id}/decision", response_model=None)
def decision_form(
    application_id: IdPath,
    request: Request,
    session: SessionDep,
    outcome: Annotated[str, Form(max_length=24)] = "",
    amount: Annotated[str, Form(max_length=24)] = "",
    reason: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """An underwriter approves in full, approves less or refuses, with a reason code."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        unclear = "please choose an outcome and a reason code"
        chosen = form_choice(DecisionOutcome, outcome, field="outcome", message=unclear)
        code = form_choice(ReasonCode, reason, field="outcome", message=unclear)
        if chosen not in DECISION_OUTCOMES:
            raise ValidationFailed("please choose an outcome", code="invalid_form", field="outcome")
        value = form_decimal(amount) if chosen is not DecisionOutcome.NOT_APPROVED else Decimal(0)
        service.decide(
            session,
            principal=viewer.principal,
            application_id=application_id,
            outcome=chosen,
            amount=value,
            reasons=[code],
            today=business_today(),
            rules=service.LimitRules.from_settings(settings_of(request)),
            read_context=reporting.limit_decision_context,
        )

    problem = in_savepoint(session, work)
    return _queue_page(
        request, session, viewer, done=None if problem else "decided", problem=problem
    )


@router.post("/limits/applications/{application_id}/second-approval", response_model=None)
def second_approval_form(application_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A second underwriter confirms an approval above the four-eyes amount."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    problem = in_savepoint(
        session,
        lambda: service.second_approval(
            session,
            principal=viewer.principal,
            application_id=application_id,
            today=business_today(),
            read_context=reporting.limit_decision_context,
        ),
    )
    return _queue_page(
        request, session, viewer, done=None if problem else "second", problem=problem
    )


@router.post("/limits/notices/{notification_id}/acknowledge", response_model=None)
def acknowledge_form(notification_id: IdPath, request: Request, session: SessionDep) -> Response:
    """The exporter acknowledges a notice that its limit was reduced or cancelled."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    problem = in_savepoint(
        session,
        lambda: service.acknowledge(
            session, principal=viewer.principal, notification_id=notification_id
        ),
    )
    return _queue_page(
        request, session, viewer, done=None if problem else "acknowledged", problem=problem
    )


def _buyer_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    buyer_id: int,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    principal = viewer.principal
    try:
        buyer = buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
        limits, _ = service.list_limits(session, principal=principal, buyer_id=buyer_id, limit=100)
        usage = {
            u.limit_id: u
            for u in service.utilisation(session, principal=principal, buyer_id=buyer_id)
        }
        rating = aggregate = None
        changes: list[BuyerAggregateChange] = []
        if principal.is_insurer:
            rating = buyers.latest_rating(session, buyer_id)
            try:
                aggregate = service.get_aggregate(session, principal=principal, buyer_id=buyer_id)
            except Conflict as unrated:  # a buyer not yet rated has no aggregate limit
                if unrated.code != "no_aggregate_limit":
                    raise
            changes = service.aggregate_history(session, principal=principal, buyer_id=buyer_id)
        relation = buyer_directory.relationship(session, principal=principal, buyer_id=buyer_id)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    context: dict[str, Any] = {
        "buyer": buyer,
        "limits": limits,
        "usage": usage,
        "rating": rating,
        "aggregate": aggregate,
        "relation": relation,
        "changes": changes[-10:],
        "can_override": aggregate is not None and may(viewer, Permission.BUYER_REVIEW),
        "unrated": principal.is_insurer and aggregate is None,
        "subnav": nav_links(viewer),
        "done": done,
        "problem": problem,
    }
    return render_page(
        request,
        locale,
        "limits/buyer.html",
        context,
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/buyers/{buyer_id}", response_model=None)
def buyer_page(buyer_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A buyer: identity, the viewer's limits on it and, for the insurer, the rating and the
    aggregate limit (with its recent changes and, for a risk manager, the override form).
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _buyer_page(request, session, viewer, buyer_id)


@router.post("/buyers/{buyer_id}/aggregate", response_model=None)
def aggregate_form(
    buyer_id: IdPath,
    request: Request,
    session: SessionDep,
    action: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=24)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A risk manager sets the buyer aggregate limit (USD) or clears the override, with a
    reason; lowering it below what is committed keeps the existing limits.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        if action not in ("set", "clear"):
            raise ValidationFailed(
                "please choose set or clear", code="invalid_form", field="action"
            )
        target = Money.of(form_decimal(amount), CAP_CURRENCY) if action == "set" else None
        service.override_aggregate(
            session,
            principal=viewer.principal,
            buyer_id=buyer_id,
            amount=target,
            reason=reason.strip(),
        )

    problem = in_savepoint(session, work)
    return _buyer_page(
        request, session, viewer, buyer_id, done=None if problem else action, problem=problem
    )


def _limit_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    limit_id: int,
    *,
    done: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    locale = choose_locale(request, viewer)
    try:
        limit = service.get_limit(session, principal=viewer.principal, limit_id=limit_id)
        versions = service.limit_history(session, principal=viewer.principal, limit_id=limit_id)
        usage = service.utilisation(session, principal=viewer.principal, limit_id=limit_id)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    can_change = (
        viewer.principal.is_insurer
        and may(viewer, Permission.LIMIT_MANAGE)
        and limit.status == "active"
    )
    return render_page(
        request,
        locale,
        "limits/limit.html",
        {
            "limit": limit,
            "versions": versions,
            "usage": usage[0] if usage else None,
            "can_change": can_change,
            "done": done,
            "problem": problem,
        },
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get("/limits/{limit_id}", response_model=None)
def limit_page(limit_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A limit's versions with their effective dates, its utilisation and, for a risk
    manager, the form that reduces or cancels it.
    """
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    return _limit_page(request, session, viewer, limit_id)


@router.post("/limits/{limit_id}/change", response_model=None)
def change_form(
    limit_id: IdPath,
    request: Request,
    session: SessionDep,
    kind: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=24)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A risk manager reduces (to a new amount) or cancels a limit, with a reason."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)

    def work() -> None:
        chosen = form_choice(
            RequestType, kind, field="kind", message="please choose reduce or cancel"
        )
        if not reason.strip():
            raise ValidationFailed("a reason is required", code="reason_required", field="reason")
        row = service.get_limit(session, principal=viewer.principal, limit_id=limit_id)
        target = None
        if chosen is RequestType.REDUCTION:
            target = Money.of(form_decimal(amount), row.currency)
        service.change_by_insurer(
            session,
            principal=viewer.principal,
            limit_id=limit_id,
            kind=chosen,
            amount=target,
            reason=reason.strip(),
            today=business_today(),
        )

    problem = in_savepoint(session, work)
    return _limit_page(
        request, session, viewer, limit_id, done=None if problem else "changed", problem=problem
    )
