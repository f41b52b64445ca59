"""Applying for a limit and deciding it: proposals, underwriters' decisions, four eyes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tradecover import audit, buyers, policies
from tradecover.access import Permission, Principal
from tradecover.events import record_event
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import Conflict, NotFound, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import repository as repo
from tradecover.limits.changes.service import _change, _Loaded
from tradecover.limits.common.service import (
    CountryView,
    _active_limit,
    _in_currency,
    _rooms,
    _rooms_of,
    _view_of,
    country_view,
)
from tradecover.limits.decision import (
    AutoRule,
    DecisionOutcome,
    ExpectedShipments,
    LimitConditions,
    LimitDecision,
    LimitRequest,
    PolicyTerms,
    ReasonCode,
    RequestType,
    Route,
    check_decider,
    check_four_eyes,
    decide_limit,
    requires_second_approval,
    underwriter_decision,
)
from tradecover.limits.fx import CAP_CURRENCY, from_usd, to_usd
from tradecover.limits.model import (
    CreditLimit,
    LimitApplication,
)
from tradecover.limits.rules import DECIDED, PENDING, PENDING_SECOND, LimitRules
from tradecover.policies import PolicyState
from tradecover.reference.payment_terms import PaymentTerms

if TYPE_CHECKING:
    from tradecover.reporting import DecisionContext

DecisionContextSource = Callable[[Session, int], "DecisionContext | None"]
"""Loads everything a decision on one application reads (``None``: no such application):
the read side's :func:`tradecover.reporting.limit_decision_context`, handed in by the edge."""

# --- applying and deciding --------------------------------------------------------------


def _shipments_dict(s: ExpectedShipments | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"contract_size": str(s.contract_size.amount), "currency": s.contract_size.currency,
            "shipments_per_year": s.shipments_per_year,
            "largest_shipment": str(s.largest_shipment.amount), "transit_days": s.transit_days}


def _shipments_of(data: dict[str, Any] | None) -> ExpectedShipments | None:
    if not data:
        return None
    return ExpectedShipments(contract_size=Money.of(data["contract_size"], data["currency"]),
                             shipments_per_year=int(data["shipments_per_year"]),
                             largest_shipment=Money.of(data["largest_shipment"],
                                                       data["currency"]),
                             transit_days=int(data["transit_days"]))


def _proposal(session: Session, *, request: LimitRequest, buyer: buyers.Buyer,
              policy_terms: PolicyTerms, rules: LimitRules) -> tuple[LimitDecision, int]:
    view = country_view(session, buyer.country)
    rating_row = buyers.latest_rating(session, buyer.id)
    if rating_row is None:
        raise Conflict("the buyer has not been rated", code="buyer_not_rated")
    buyer_room, country_room = _rooms(session, buyer_id=buyer.id, country=buyer.country,
                                      view=view)
    return _proposal_with(request=request, rating_row=rating_row, view=view,
                          buyer_room=buyer_room, country_room=country_room,
                          policy_terms=policy_terms, rules=rules), rating_row.id


def _proposal_with(*, request: LimitRequest, rating_row: Any, view: CountryView,
                   buyer_room: Money, country_room: Money | None, policy_terms: PolicyTerms,
                   rules: LimitRules) -> LimitDecision:
    currency = request.amount.currency
    if currency not in policy_terms.currencies:  # before converting anything
        allowed = ", ".join(sorted(policy_terms.currencies))
        raise ValidationFailed(f"the policy allows limits in {allowed}, not {currency}",
                               code="currency_not_allowed", field="currency")
    auto = AutoRule(max_amount=from_usd(Money(rules.auto_approve_up_to, CAP_CURRENCY), currency))
    return decide_limit(
        request=request, rating=buyers.rating_from_row(rating_row),
        room_on_buyer_aggregate=_in_currency(buyer_room, currency) or Money.zero(currency),
        room_on_country_cap=_in_currency(country_room, currency), country_status=view.status,
        policy=policy_terms, auto_rule=auto)


def _request_of(app: LimitApplication, *, buyer: buyers.Buyer,
                current: CreditLimit | None) -> LimitRequest:
    return LimitRequest(
        request_type=RequestType(app.request_type),
        amount=Money.from_minor(app.amount_minor, app.currency),
        payment_terms=PaymentTerms(app.payment_terms),
        credit_period_days=app.credit_period_days, buyer_country=buyer.country,
        applicant_org_id=app.org_id,
        current_limit=Money.from_minor(current.amount_minor, current.currency)
        if current is not None else None,
        shipments=_shipments_of(app.shipments))


def _proposal_dict(d: LimitDecision) -> dict[str, Any]:
    return {"outcome": d.outcome.value, "route": d.route.value, "ceiling": str(d.ceiling.amount),
            "recommended": str(d.recommended.amount), "reasons": [r.value for r in d.reasons],
            "grade": d.grade, "model_version": d.model_version}


def app_snapshot(app: LimitApplication) -> dict[str, Any]:
    """The audited fields of an application."""
    return {"request_type": app.request_type, "policy_id": app.policy_id,
            "buyer_id": app.buyer_id, "amount": str(Money.from_minor(app.amount_minor,
                                                                     app.currency)),
            "status": app.status, "outcome": app.outcome,
            "approved": (str(Money.from_minor(app.approved_minor, app.currency))
                         if app.approved_minor is not None else None),
            "reasons": app.reasons, "model_version": app.model_version,
            "maker": app.maker_actor, "checker": app.checker_actor}


def apply(
    session: Session, *, principal: Principal, policy_id: int, buyer_id: int,
    request_type: RequestType, amount: Money, payment_terms: PaymentTerms,
    credit_period_days: int, today: date, rules: LimitRules,
    shipments: ExpectedShipments | None = None,
) -> LimitApplication:
    """An exporter applies for a limit on a buyer under its active policy.

    Bad input is refused before anything is written.  Small clean cases (and the
    exporter's own reductions and cancellations) are decided at once; the others wait in
    the underwriters' queue with the rating, the ceiling and a recommendation.
    """
    principal.require(Permission.LIMIT_APPLY)
    policy = policies.get_policy(session, principal=principal, policy_id=policy_id)
    if policy.exporter_org_id != principal.org_id:
        raise NotFound(f"no policy {policy_id}", code="policy_not_found")
    if policy.state != PolicyState.ACTIVE.value:
        raise Conflict(f"policy {policy_id} is {policy.state}: limits need an active policy",
                       code="policy_not_active", field="policy_id")
    buyer = buyers.get_buyer(session, principal=principal, buyer_id=buyer_id)
    if buyer.merged_into_id is not None:
        raise Conflict(f"buyer {buyer_id} was merged into {buyer.merged_into_id}",
                       code="buyer_merged", field="buyer_id")
    current = _active_limit(session, org_id=principal.org_id, policy_id=policy_id,
                            buyer_id=buyer_id)
    request = LimitRequest(
        request_type=request_type, amount=amount, payment_terms=payment_terms,
        credit_period_days=credit_period_days, buyer_country=buyer.country,
        applicant_org_id=principal.org_id,
        current_limit=Money.from_minor(current.amount_minor, current.currency)
        if current is not None else None, shipments=shipments)
    terms = PolicyTerms.from_schedule(policies.schedule_of(policy))
    decision, rating_id = _proposal(session, request=request, buyer=buyer, policy_terms=terms,
                                    rules=rules)
    automatic = decision.route is Route.AUTOMATIC and not (
        decision.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED)
        and request_type in (RequestType.NEW_LIMIT, RequestType.INCREASE)
        and requires_second_approval(to_usd(decision.approved),
                                     Money(rules.four_eyes_above, CAP_CURRENCY)))
    app = LimitApplication(
        org_id=principal.org_id, policy_id=policy_id, buyer_id=buyer_id,
        limit_id=current.id if current is not None else None, request_type=request_type.value,
        currency=amount.currency, amount_minor=amount.minor_units(),
        current_minor=current.amount_minor if current is not None else None,
        payment_terms=payment_terms.value, credit_period_days=credit_period_days,
        shipments=_shipments_dict(shipments), status=PENDING,
        route=(Route.AUTOMATIC if automatic else Route.UNDERWRITER).value,
        proposal=_proposal_dict(decision), rating_id=rating_id,
        model_version=decision.model_version, grade=decision.grade,
        submitted_by=principal.actor, submitted_at=utc_now())
    session.add(app)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="limit.applied",
                 entity_type="limit_application", entity_id=app.id, after=app_snapshot(app))
    if automatic:
        _conclude(session, principal=principal, app=app, buyer=buyer, decision=decision,
                  today=today, expected_status=PENDING, maker=f"auto:{principal.actor}")
    return app


def get_application(session: Session, *, principal: Principal,
                    application_id: int) -> LimitApplication:
    """One application the caller may see (an exporter: only its own)."""
    principal.require(Permission.LIMIT_READ)
    row = session.execute(repo.visible_applications(principal)
                          .where(LimitApplication.id == application_id)
                          .execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no limit application {application_id}",
                       code="limit_application_not_found")
    return row


def list_applications(session: Session, *, principal: Principal, status: str | None = None,
                      limit: int = 50, offset: int = 0) -> tuple[list[LimitApplication], int]:
    """Applications, oldest first (the underwriters' queue with ``status='pending'``)."""
    principal.require(Permission.LIMIT_READ)
    query = repo.visible_applications(principal)
    if status:
        query = query.where(LimitApplication.status == status)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(LimitApplication.id).limit(limit).offset(offset))
    return list(rows.scalars()), total


def _transition(session: Session, app: LimitApplication, *, expected: str,
                values: dict[str, Any]) -> None:
    session.flush()  # Core on the session's connection: no ORM state follows this row
    result = session.connection().execute(update(LimitApplication).where(
        LimitApplication.id == app.id, LimitApplication.status == expected).values(**values))
    if result.rowcount != 1:
        raise Conflict(f"application {app.id} was decided meanwhile",
                       code="application_already_decided")
    for key, value in values.items():  # the row already holds them: no second UPDATE
        set_committed_value(app, key, value)


def _conditions_dict(c: LimitConditions | None) -> dict[str, Any] | None:
    if c is None or c.is_empty():
        return None
    return {"indemnity_pct": str(c.indemnity_pct) if c.indemnity_pct is not None else None,
            "expires_on": c.expires_on.isoformat() if c.expires_on else None, "text": c.text}


def _conditions_of(data: dict[str, Any] | None) -> LimitConditions | None:
    if not data:
        return None
    return LimitConditions(
        indemnity_pct=Decimal(data["indemnity_pct"]) if data.get("indemnity_pct") else None,
        expires_on=date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None,
        text=data.get("text"))



def _audit_decision(session: Session, *, principal: Principal, app: LimitApplication,
                    action: str, reason: str | None, before: dict[str, Any],
                    after: dict[str, Any]) -> None:
    """One audit entry for a decision, on the buyer's sharded chain of the decider's
    organisation: decisions on different buyers never wait on one chain head.
    """
    audit.append_many(session, [(audit.chain_for(app.buyer_id), audit.Pending(
        org_id=principal.org_id, actor=principal.actor, action=action,
        entity_type="limit_application", entity_id=str(app.id), reason=reason,
        before=before, after=after))])


def _conclude(session: Session, *, principal: Principal, app: LimitApplication, buyer: buyers.Buyer,
              decision: LimitDecision, today: date, expected_status: str, maker: str | None,
              checker: str | None = None, loaded: _Loaded | None = None) -> None:
    """Record the final decision: the limit version it puts in force (if it approves),
    the application's new state, and ONE audit entry telling both.
    """
    approves = decision.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED,
                                    DecisionOutcome.CONDITIONAL)
    before = app_snapshot(app)
    limit_id = app.limit_id
    reason = ", ".join(r.value for r in decision.reasons)
    put_in_force: dict[str, Any] = {}
    if approves:
        kind = RequestType(app.request_type)
        limit, version = _change(
            session, principal=principal, org_id=app.org_id, policy_id=app.policy_id,
            buyer=buyer, kind=kind, amount=decision.approved, today=today,
            payment_terms=app.payment_terms, credit_period_days=app.credit_period_days,
            conditions=decision.conditions, application_id=app.id, reason=reason,
            loaded=loaded, audited=False)
        limit_id = limit.id
        put_in_force = {"limit_id": limit.id, "limit_version": version.number,
                        "limit_amount": str(Money.from_minor(version.amount_minor,
                                                             version.currency)),
                        "effective_from": version.effective_from.isoformat()}
    values: dict[str, Any] = {
        "limit_id": limit_id,
        "status": DECIDED, "outcome": decision.outcome.value,
        "approved_minor": decision.approved.minor_units(),
        "reasons": [r.value for r in decision.reasons],
        "conditions": _conditions_dict(decision.conditions),
        "decided_at": utc_now()}
    if maker is not None:
        values["maker_actor"] = maker
    if checker is not None:
        values["checker_actor"] = checker
    _transition(session, app, expected=expected_status, values=values)
    _audit_decision(session, principal=principal, app=app, action="limit.decided",
                    reason=reason, before=before, after=app_snapshot(app) | put_in_force)
    record_event(session, "limit.decided", f"limit_application:{app.id}", {
        "application_id": app.id, "policy_id": app.policy_id, "buyer_id": app.buyer_id,
        "outcome": decision.outcome.value,
        "approved_amount": str(decision.approved.rounded().amount),
        "currency": decision.approved.currency, "limit_id": limit_id}, app.org_id)


def _context(session: Session, principal: Principal, application_id: int,
             read_context: DecisionContextSource) -> DecisionContext:
    principal.require(Permission.LIMIT_READ)
    ctx = read_context(session, application_id)
    if ctx is None or not principal.can_see_org(ctx.application.org_id):
        raise NotFound(f"no limit application {application_id}",
                       code="limit_application_not_found")
    check_decider(applicant_org_id=ctx.application.org_id, decider_org_id=principal.org_id)
    principal.require(Permission.LIMIT_DECIDE)
    return ctx


def decide(
    session: Session, *, principal: Principal, application_id: int,
    outcome: DecisionOutcome, amount: Money | Decimal | str, reasons: Iterable[ReasonCode],
    today: date, rules: LimitRules, read_context: DecisionContextSource,
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
        raise Conflict(f"application {app.id} is {app.status.replace('_', ' ')}",
                       code="application_not_pending")
    if not isinstance(amount, Money):
        amount = Money.of(amount, app.currency)
    if ctx.rating is None:
        raise Conflict("the buyer has not been rated", code="buyer_not_rated")
    view = _view_of(ctx)
    buyer_room, country_room = _rooms_of(ctx.aggregate, view, ctx.country_committed)
    request = _request_of(app, buyer=ctx.buyer, current=ctx.current)
    terms = PolicyTerms.from_schedule(policies.schedule_of(ctx.policy))
    proposal = _proposal_with(request=request, rating_row=ctx.rating, view=view,
                              buyer_room=buyer_room, country_room=country_room,
                              policy_terms=terms, rules=rules)
    decision = underwriter_decision(request=request, proposal=proposal, outcome=outcome,
                                    amount=amount, reasons=reasons,
                                    decider_org_id=principal.org_id, conditions=conditions)
    approves = outcome in (DecisionOutcome.APPROVED, DecisionOutcome.PARTLY_APPROVED,
                           DecisionOutcome.CONDITIONAL)
    if approves and requires_second_approval(to_usd(amount),
                                             Money(rules.four_eyes_above, CAP_CURRENCY)):
        before = app_snapshot(app)
        _transition(session, app, expected=PENDING, values={
            "status": PENDING_SECOND, "outcome": outcome.value,
            "approved_minor": amount.minor_units(),
            "reasons": [r.value for r in decision.reasons],
            "conditions": _conditions_dict(conditions), "maker_actor": principal.actor})
        _audit_decision(session, principal=principal, app=app, action="limit.first_approval",
                        reason=", ".join(r.value for r in decision.reasons), before=before,
                        after=app_snapshot(app))
        return app
    if outcome is DecisionOutcome.STILL_INVESTIGATING:
        raise ValidationFailed("the application already waits: decide it, or leave it",
                               code="outcome_not_final", field="outcome")
    _conclude(session, principal=principal, app=app, buyer=ctx.buyer, decision=decision,
              today=today, expected_status=PENDING, maker=principal.actor,
              loaded=_Loaded(ctx.current, view, ctx.country_committed is not None))
    return app


def second_approval(session: Session, *, principal: Principal, application_id: int,
                    today: date, read_context: DecisionContextSource) -> LimitApplication:
    """A second underwriter confirms an approval above the four-eyes amount
    (``read_context`` as for :func:`decide`).
    """
    ctx = _context(session, principal, application_id, read_context)
    app = ctx.application
    if app.status != PENDING_SECOND:
        raise Conflict(f"application {app.id} does not wait for a second approval",
                       code="no_second_approval_pending")
    check_four_eyes(maker=app.maker_actor or "", checker=principal.actor)
    outcome = DecisionOutcome(app.outcome or DecisionOutcome.APPROVED.value)
    decision = LimitDecision(
        request_type=RequestType(app.request_type), outcome=outcome, route=Route.UNDERWRITER,
        approved=Money.from_minor(app.approved_minor or 0, app.currency),
        ceiling=Money.from_minor(app.approved_minor or 0, app.currency),
        recommended=Money.from_minor(app.approved_minor or 0, app.currency),
        reasons=tuple(ReasonCode(r) for r in app.reasons or ()),
        model_version=app.model_version, grade=app.grade,
        conditions=_conditions_of(app.conditions))
    _conclude(session, principal=principal, app=app, buyer=ctx.buyer, decision=decision,
              today=today, expected_status=PENDING_SECOND, maker=None, checker=principal.actor,
              loaded=_Loaded(ctx.current, _view_of(ctx),
                             ctx.country_committed is not None))
    return app
