"""Deciding a limit application: an underwriter's decision and the four-eyes second approval."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tradecover import policies
from tradecover.access import Permission, Principal
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits.applications.recording import (
    app_snapshot,
    audit_decision,
    conclude,
    conditions_of,
    conditions_record,
    transition,
)
from tradecover.limits.applications.service import proposal_with, request_of
from tradecover.limits.changes.service import _Loaded
from tradecover.limits.checks import check_decider, check_four_eyes, requires_second_approval
from tradecover.limits.common.service import (
    _rooms_of,
    _view_of,
)
from tradecover.limits.decision import underwriter_decision
from tradecover.limits.fx import CAP_CURRENCY, to_usd
from tradecover.limits.model import (
    LimitApplication,
)
from tradecover.limits.request import (
    DecisionOutcome,
    LimitConditions,
    LimitDecision,
    PolicyTerms,
    ReasonCode,
    RequestType,
    Route,
)
from tradecover.limits.rules import PENDING, PENDING_SECOND, LimitRules

if TYPE_CHECKING:
    from tradecover.reporting import DecisionContext

DecisionContextSource = Callable[[Session, int], "DecisionContext | None"]
"""Loads everything a decision on one application reads (``None``: no such application):
the read side's :func:`tradecover.reporting.limit_decision_context`, handed in by the edge."""


def _context(
    session: Session, principal: Principal, application_id: int, read_context: DecisionContextSource
) -> DecisionContext:
    principal.require(Permission.LIMIT_READ)
    ctx = read_context(session, application_id)
    if ctx is None or not principal.can_see_org(ctx.application.org_id):
        raise NotFound(f"no limit application {application_id}", code="limit_application_not_found")
    check_decider(applicant_org_id=ctx.application.org_id, decider_org_id=principal.org_id)
    principal.require(Permission.LIMIT_DECIDE)
    return ctx


def decide(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    outcome: DecisionOutcome,
    amount: Money | Decimal | str,
    reasons: Iterable[ReasonCode],
    today: date,
    rules: LimitRules,
    read_context: DecisionContextSource,
    conditions: LimitConditions | None = None,
) -> LimitApplication:
    """An underwriter decides a pending application; above the four-eyes amount an
    approval waits for a second underwriter (:func:`second_approval`).

    ``amount`` is the new total approved; a bare number is in the application's currency.
    Everything the decision reads comes in one query, ``read_context`` (the edge hands in
    :func:`tradecover.reporting.limit_decision_context`); the caps are then only touched
    by the conditional reservations.
    """
    ctx = _context(session, principal, application_id, read_context)
    app = ctx.application
    if app.status != PENDING:
        raise Conflict(
            f"application {app.id} is {app.status.replace('_', ' ')}",
            code="application_not_pending",
        )
    if not isinstance(amount, Money):
        amount = Money.of(amount, app.currency)
    if ctx.rating is None:
        raise Conflict("the buyer has not been rated", code="buyer_not_rated")
    view = _view_of(ctx)
    buyer_room, country_room = _rooms_of(ctx.aggregate, view, ctx.country_committed)
    request = request_of(app, buyer=ctx.buyer, current=ctx.current)
    terms = PolicyTerms.from_schedule(policies.schedule_of(ctx.policy))
    proposal = proposal_with(
        request=request,
        rating_row=ctx.rating,
        view=view,
        buyer_room=buyer_room,
        country_room=country_room,
        policy_terms=terms,
        rules=rules,
    )
    decision = underwriter_decision(
        request=request,
        proposal=proposal,
        outcome=outcome,
        amount=amount,
        reasons=reasons,
        decider_org_id=principal.org_id,
        conditions=conditions,
    )
    approves = outcome in (
        DecisionOutcome.APPROVED,
        DecisionOutcome.PARTLY_APPROVED,
        DecisionOutcome.CONDITIONAL,
    )
    if approves and requires_second_approval(
        to_usd(amount), Money(rules.four_eyes_above, CAP_CURRENCY)
    ):
        before = app_snapshot(app)
        transition(
            session,
            app,
            expected=PENDING,
            values={
                "status": PENDING_SECOND,
                "outcome": outcome.value,
                "approved_minor": amount.minor_units(),
                "reasons": [r.value for r in decision.reasons],
                "conditions": conditions_record(conditions),
                "maker_actor": principal.actor,
            },
        )
        audit_decision(
            session,
            principal=principal,
            app=app,
            action="limit.first_approval",
            reason=", ".join(r.value for r in decision.reasons),
            before=before,
            after=app_snapshot(app),
        )
        return app
    if outcome is DecisionOutcome.STILL_INVESTIGATING:
        raise ValidationFailed(
            "the application already waits: decide it, or leave it",
            code="outcome_not_final",
            field="outcome",
        )
    conclude(
        session,
        principal=principal,
        app=app,
        buyer=ctx.buyer,
        decision=decision,
        today=today,
        expected_status=PENDING,
        maker=principal.actor,
        loaded=_Loaded(ctx.current, view, ctx.country_committed is not None),
    )
    return app


def second_approval(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    today: date,
    read_context: DecisionContextSource,
) -> LimitApplication:
    """A second underwriter confirms an approval above the four-eyes amount
    (``read_context`` as for :func:`decide`).
    """
    ctx = _context(session, principal, application_id, read_context)
    app = ctx.application
    if app.status != PENDING_SECOND:
        raise Conflict(
            f"application {app.id} does not wait for a second approval",
            code="no_second_approval_pending",
        )
    check_four_eyes(maker=app.maker_actor or "", checker=principal.actor)
    outcome = DecisionOutcome(app.outcome or DecisionOutcome.APPROVED.value)
    decision = LimitDecision(
        request_type=RequestType(app.request_type),
        outcome=outcome,
        route=Route.UNDERWRITER,
        approved=Money.from_minor(app.approved_minor or 0, app.currency),
        ceiling=Money.from_minor(app.approved_minor or 0, app.currency),
        recommended=Money.from_minor(app.approved_minor or 0, app.currency),
        reasons=tuple(ReasonCode(r) for r in app.reasons or ()),
        model_version=app.model_version,
        grade=app.grade,
        conditions=conditions_of(app.conditions),
    )
    conclude(
        session,
        principal=principal,
        app=app,
        buyer=ctx.buyer,
        decision=decision,
        today=today,
        expected_status=PENDING_SECOND,
        maker=None,
        checker=principal.actor,
        loaded=_Loaded(ctx.current, _view_of(ctx), ctx.country_committed is not None),
    )
    return app
