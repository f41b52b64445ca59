"""Credit limit decisions: the rules, as pure functions.

An exporter applies for a limit on a buyer under its policy ([002], 六.3); the insurer
rates the buyer, then approves within what is left of the buyer aggregate limit and the
country cap, sized to what the exporter needs for **one credit cycle** ([002], 七.5;
[domain L-5]).  The vocabulary is the one of the UN/EDIFACT credit-cover message RECECO:
a request is a new limit, an increase, a reduction or a cancellation; a decision approves,
partly approves, refuses, approves with conditions, or is still investigating
(:mod:`tradecover.limits.request`).

How one application is handled (:func:`decide_limit`):

1. Bad input is refused before anything else (:mod:`tradecover.limits.checks`): a non-positive
   amount, a currency or payment terms the policy does not allow, a credit period beyond
   the policy's, a buyer in an off-cover country, an "increase" that is not above the
   current limit (that is a reduction request), a new limit where one exists.
2. Reductions and cancellations asked for by the exporter lower the insurer's risk: they
   are approved automatically.
3. A hard stop in the rating (insolvency, sanctions) is refused automatically.
4. Otherwise the most that can be approved now, the **ceiling**, is the requested amount
   capped by the room left on the buyer aggregate limit and on the country cap (for an
   increase the room is on top of the current limit).  The **recommendation** is the
   ceiling capped again by the one-credit-cycle need (:mod:`tradecover.limits.sizing`) when
   the expected shipments are given.
5. Small, clean cases are decided automatically (:class:`AutoRule`): requested amount up to
   the rule's threshold, grade at least the rule's grade, no adverse event, an open country
   and a recommendation not cut by the rooms.  Everything else goes to an underwriter, who
   decides with :func:`underwriter_decision`, never above the ceiling.

Above a configurable amount a second underwriter must approve, and nobody decides their
own organisation's application (:mod:`tradecover.limits.checks`).

Error codes (stable): ``amount_not_positive``, ``currency_not_allowed``,
``payment_terms_not_insured``, ``credit_period_out_of_range``, ``country_off_cover``,
``increase_below_current``, ``increase_not_above_current``, ``reduction_not_below_current``,
``no_current_limit``, ``limit_already_exists``, ``currency_mismatch``, ``exceeds_room``,
``outcome_amount_mismatch``, ``conditions_required``, ``reason_required``,
``own_application``, ``four_eyes_same_person``, ``invalid_shipments``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from tradecover.buyers import AdverseEvent, Rating
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits.checks import check_decider, validate_request
from tradecover.limits.request import (
    AutoRule,
    CountryStatus,
    DecisionOutcome,
    LimitConditions,
    LimitDecision,
    LimitRequest,
    PolicyTerms,
    ReasonCode,
    RequestType,
    Route,
)
from tradecover.limits.sizing import size_to_credit_cycle


def _same_currency(room: Money | None, amount: Money, field: str) -> None:
    if room is not None and room.currency != amount.currency:
        raise ValidationFailed(
            f"{field} is in {room.currency}, the request in {amount.currency}",
            code="currency_mismatch",
            field=field,
        )


def _ceiling(
    request: LimitRequest, room_on_buyer_aggregate: Money, room_on_country_cap: Money | None
) -> tuple[Money, list[ReasonCode]]:
    """The most that can be approved now, and the reasons it is below the request."""
    base = request.current_limit if request.request_type is RequestType.INCREASE else None
    zero = Money.zero(request.amount.currency)
    base = base or zero
    ceiling, reasons = request.amount, []
    for room, capped, empty in (
        (
            room_on_buyer_aggregate,
            ReasonCode.CAPPED_BY_BUYER_AGGREGATE,
            ReasonCode.NO_ROOM_ON_BUYER_AGGREGATE,
        ),
        (room_on_country_cap, ReasonCode.CAPPED_BY_COUNTRY_CAP, ReasonCode.NO_ROOM_ON_COUNTRY_CAP),
    ):
        if room is None:
            continue
        most = base + max(room, zero)
        if most < ceiling:
            ceiling = most
            reasons.append(empty if most <= base else capped)
    return ceiling, reasons


def decide_limit(
    *,
    request: LimitRequest,
    rating: Rating,
    room_on_buyer_aggregate: Money,
    room_on_country_cap: Money | None,
    country_status: CountryStatus,
    policy: PolicyTerms,
    auto_rule: AutoRule,
) -> LimitDecision:
    """Decide ``request`` automatically, or prepare it for an underwriter.

    ``room_on_buyer_aggregate`` and ``room_on_country_cap`` are what is left of the buyer
    aggregate limit and the country cap with every limit in force counted, this
    exporter's current one included; ``None`` for the country cap means the country has
    none.  The approved amount never adds more exposure than either room.
    """
    validate_request(request, policy=policy, country_status=country_status)
    amount = request.amount
    _same_currency(room_on_buyer_aggregate, amount, "room_on_buyer_aggregate")
    _same_currency(room_on_country_cap, amount, "room_on_country_cap")
    _same_currency(auto_rule.max_amount, amount, "auto_rule.max_amount")
    zero = Money.zero(amount.currency)

    def decision(
        outcome: DecisionOutcome,
        route: Route,
        approved: Money,
        ceiling: Money,
        recommended: Money,
        reasons: Iterable[ReasonCode],
    ) -> LimitDecision:
        return LimitDecision(
            request_type=request.request_type,
            outcome=outcome,
            route=route,
            approved=approved,
            ceiling=ceiling,
            recommended=recommended,
            reasons=tuple(dict.fromkeys(reasons)),
            model_version=rating.model_version,
            grade=rating.grade,
        )

    if request.request_type in (RequestType.REDUCTION, RequestType.CANCELLATION):
        return decision(
            DecisionOutcome.APPROVED,
            Route.AUTOMATIC,
            amount,
            amount,
            amount,
            [ReasonCode.REQUESTED_BY_INSURED],
        )
    if rating.hard_stop:
        return decision(
            DecisionOutcome.NOT_APPROVED,
            Route.AUTOMATIC,
            zero,
            zero,
            zero,
            [ReasonCode.BUYER_HARD_STOP],
        )

    ceiling, reasons = _ceiling(request, room_on_buyer_aggregate, room_on_country_cap)
    recommended = ceiling
    if request.shipments is not None:
        s = request.shipments
        if s.contract_size.currency != amount.currency:
            raise ValidationFailed(
                "expected shipments must be in the currency of the request",
                code="currency_mismatch",
                field="shipments.contract_size",
            )
        need = size_to_credit_cycle(
            contract_size=s.contract_size,
            shipments_per_year=s.shipments_per_year,
            largest_shipment=s.largest_shipment,
            credit_period_days=request.credit_period_days,
            transit_days=s.transit_days,
        )
        floor = request.current_limit if request.request_type is RequestType.INCREASE else None
        if need < recommended and (floor is None or need > floor):
            recommended = need
            reasons.append(ReasonCode.SIZED_TO_CREDIT_CYCLE)

    blockers = _auto_blockers(request, rating, country_status, auto_rule)
    capped_by_room = ceiling < amount
    if blockers or capped_by_room:
        return decision(
            DecisionOutcome.STILL_INVESTIGATING,
            Route.UNDERWRITER,
            zero,
            ceiling,
            recommended,
            [*reasons, *blockers],
        )
    outcome = DecisionOutcome.APPROVED if recommended == amount else DecisionOutcome.PARTLY_APPROVED
    return decision(
        outcome,
        Route.AUTOMATIC,
        recommended,
        ceiling,
        recommended,
        [ReasonCode.AUTO_RULE, *reasons],
    )


def _auto_blockers(
    request: LimitRequest, rating: Rating, country_status: CountryStatus, rule: AutoRule
) -> list[ReasonCode]:
    blockers: list[ReasonCode] = []
    if not rule.enabled:
        blockers.append(ReasonCode.AUTO_RULE_DISABLED)
    if request.amount > rule.max_amount:
        blockers.append(ReasonCode.AMOUNT_ABOVE_AUTO_THRESHOLD)
    if not rating.at_least(rule.worst_grade):
        blockers.append(ReasonCode.GRADE_BELOW_APPETITE)
    if adverse_events_of(rating):
        blockers.append(ReasonCode.ADVERSE_EVENTS)
    if country_status is not CountryStatus.OPEN:
        blockers.append(ReasonCode.COUNTRY_RESTRICTED)
    return blockers


def adverse_events_of(rating: Rating) -> frozenset[AdverseEvent]:
    """The adverse events a rating took into account."""
    prefix = "adverse_event:"
    return frozenset(
        AdverseEvent(c.factor[len(prefix) :])
        for c in rating.contributions
        if c.factor.startswith(prefix)
    )


def underwriter_decision(
    *,
    request: LimitRequest,
    proposal: LimitDecision,
    outcome: DecisionOutcome,
    amount: Money,
    reasons: Iterable[ReasonCode],
    decider_org_id: int,
    conditions: LimitConditions | None = None,
) -> LimitDecision:
    """An underwriter's decision on a request prepared by :func:`decide_limit`.

    ``amount`` is the new total approved: the full request for ``approved``, less for
    ``partly_approved``, up to the request for ``conditional`` (which needs conditions),
    zero for ``not_approved`` (which needs a reason) and ``still_investigating``.  It
    never exceeds the proposal's ceiling.
    """
    check_decider(applicant_org_id=request.applicant_org_id, decider_org_id=decider_org_id)
    reason_list = tuple(dict.fromkeys(reasons))
    requested = request.amount
    if amount.currency != requested.currency:
        raise ValidationFailed(
            f"the decision must be in {requested.currency}",
            code="currency_mismatch",
            field="amount",
        )
    if amount.amount < 0:
        raise ValidationFailed(
            "an amount cannot be negative", code="amount_not_positive", field="amount"
        )
    if amount > proposal.ceiling:
        raise Conflict(
            f"{amount} exceeds the {proposal.ceiling} left on the buyer aggregate limit "
            "and the country cap",
            code="exceeds_room",
            field="amount",
            details={"ceiling": str(proposal.ceiling)},
        )
    _check_outcome_amount(request, outcome, amount, conditions, reason_list)
    return LimitDecision(
        request_type=request.request_type,
        outcome=outcome,
        route=Route.UNDERWRITER,
        approved=amount,
        ceiling=proposal.ceiling,
        recommended=proposal.recommended,
        reasons=reason_list or (ReasonCode.UNDERWRITER_JUDGEMENT,),
        model_version=proposal.model_version,
        grade=proposal.grade,
        conditions=conditions,
    )


def _mismatch(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="outcome_amount_mismatch", field="amount")


def _check_outcome_amount(
    request: LimitRequest,
    outcome: DecisionOutcome,
    amount: Money,
    conditions: LimitConditions | None,
    reasons: tuple[ReasonCode, ...],
) -> None:
    requested = request.amount
    if outcome in (DecisionOutcome.NOT_APPROVED, DecisionOutcome.STILL_INVESTIGATING):
        if not amount.is_zero():
            raise _mismatch(f"a decision '{outcome.value}' approves nothing: amount must be 0")
        if outcome is DecisionOutcome.NOT_APPROVED and not reasons:
            raise ValidationFailed(
                "a refusal needs a reason code", code="reason_required", field="reasons"
            )
        return
    if outcome is DecisionOutcome.APPROVED and amount != requested:
        raise _mismatch(f"approved in full means {requested}; give less as partly approved")
    if outcome is DecisionOutcome.PARTLY_APPROVED and not amount < requested:
        raise _mismatch("partly approved means less than the request")
    if outcome is DecisionOutcome.CONDITIONAL:
        if conditions is None or conditions.is_empty():
            raise ValidationFailed(
                "a conditional approval needs its conditions",
                code="conditions_required",
                field="conditions",
            )
        if amount > requested:
            raise _mismatch("a conditional approval cannot exceed the request")
    if amount.amount <= 0:
        raise _mismatch("an approval must approve more than zero")
    current = request.current_limit
    if request.request_type is RequestType.INCREASE and current is not None and amount <= current:
        raise ValidationFailed(
            f"{amount} is not above the current limit of {current}: refuse the increase "
            "instead (the current limit stays)",
            code="increase_below_current",
            field="amount",
        )
    if (
        conditions is not None
        and conditions.indemnity_pct is not None
        and not (Decimal(0) < conditions.indemnity_pct <= Decimal(100))
    ):
        raise ValidationFailed(
            "a limit's indemnity percentage must be in (0, 100]",
            code="indemnity_out_of_range",
            field="conditions.indemnity_pct",
        )
