"""Credit limit applications and decisions: the rules, as pure functions.

An exporter applies for a limit on a buyer under its policy ([002], 六.3); the insurer
rates the buyer, then approves within what is left of the buyer aggregate limit and the
country cap, sized to what the exporter needs for **one credit cycle** ([002], 七.5;
[domain L-5]).  The vocabulary is the one of the UN/EDIFACT credit-cover message RECECO:
a request is a new limit, an increase, a reduction or a cancellation; a decision approves,
partly approves, refuses, approves with conditions, or is still investigating.

How one application is handled (:func:`decide_limit`):

1. Bad input is refused before anything else (:func:`validate_request`): a non-positive
   amount, a currency or payment terms the policy does not allow, a credit period beyond
   the policy's, a buyer in an off-cover country, an "increase" that is not above the
   current limit (that is a reduction request), a new limit where one exists.
2. Reductions and cancellations asked for by the exporter lower the insurer's risk: they
   are approved automatically.
3. A hard stop in the rating (insolvency, sanctions) is refused automatically.
4. Otherwise the most that can be approved now, the **ceiling**, is the requested amount
   capped by the room left on the buyer aggregate limit and on the country cap (for an
   increase the room is on top of the current limit).  The **recommendation** is the
   ceiling capped again by the one-credit-cycle need (:func:`size_to_credit_cycle`) when
   the expected shipments are given.
5. Small, clean cases are decided automatically (:class:`AutoRule`): requested amount up to
   the rule's threshold, grade at least the rule's grade, no adverse event, an open country
   and a recommendation not cut by the rooms.  Everything else goes to an underwriter, who
   decides with :func:`underwriter_decision`, never above the ceiling.

Above a configurable amount a second underwriter must approve (:func:`requires_second_approval`,
:func:`check_four_eyes`); nobody decides their own organisation's application
(:func:`check_decider`).

Error codes (stable): ``amount_not_positive``, ``currency_not_allowed``,
``payment_terms_not_insured``, ``credit_period_out_of_range``, ``country_off_cover``,
``increase_below_current``, ``increase_not_above_current``, ``reduction_not_below_current``,
``no_current_limit``, ``limit_already_exists``, ``currency_mismatch``, ``exceeds_room``,
``outcome_amount_mismatch``, ``conditions_required``, ``reason_required``,
``own_application``, ``four_eyes_same_person``, ``invalid_shipments``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.buyers import AdverseEvent, Rating
from tradecover.country_risk import CoverStatus
from tradecover.kit.errors import Conflict, PermissionDenied, ValidationFailed
from tradecover.kit.four_eyes import require_another_person
from tradecover.kit.money import Money
from tradecover.policies import PolicySchedule
from tradecover.reference.countries import check_country
from tradecover.reference.payment_terms import PaymentTerms, check_credit_period

DAYS_PER_YEAR = 365
"""Days in the year over which the shipments per year are spread."""


class RequestType(StrEnum):
    """What the exporter asks for (RECECO request types)."""

    NEW_LIMIT = "new_limit"
    INCREASE = "increase"  # states the new total ("increase to"), not the increment
    REDUCTION = "reduction"
    CANCELLATION = "cancellation"


class DecisionOutcome(StrEnum):
    """The insurer's answer (RECECO decision types)."""

    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    NOT_APPROVED = "not_approved"
    CONDITIONAL = "conditional"
    STILL_INVESTIGATING = "still_investigating"


class ReasonCode(StrEnum):
    """Why a decision came out as it did; a decision carries one or more."""

    AUTO_RULE = "auto_rule"  # small and clean: decided by the automatic rule
    REQUESTED_BY_INSURED = "requested_by_insured"  # a reduction/cancellation asked for
    SIZED_TO_CREDIT_CYCLE = "sized_to_credit_cycle"
    CAPPED_BY_BUYER_AGGREGATE = "capped_by_buyer_aggregate"
    CAPPED_BY_COUNTRY_CAP = "capped_by_country_cap"
    NO_ROOM_ON_BUYER_AGGREGATE = "no_room_on_buyer_aggregate"
    NO_ROOM_ON_COUNTRY_CAP = "no_room_on_country_cap"
    BUYER_HARD_STOP = "buyer_hard_stop"
    ADVERSE_EVENTS = "adverse_events"
    GRADE_BELOW_APPETITE = "grade_below_appetite"
    AMOUNT_ABOVE_AUTO_THRESHOLD = "amount_above_auto_threshold"
    COUNTRY_RESTRICTED = "country_restricted"
    AUTO_RULE_DISABLED = "auto_rule_disabled"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    WEAK_FINANCIALS = "weak_financials"
    POOR_PAYMENT_RECORD = "poor_payment_record"
    UNDERWRITER_JUDGEMENT = "underwriter_judgement"


CountryStatus = CoverStatus
"""The insurer's stance on new cover in the buyer's country (one enum, shared)."""


class Route(StrEnum):
    """Who decides: the automatic rule or an underwriter."""

    AUTOMATIC = "automatic"
    UNDERWRITER = "underwriter"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectedShipments:
    """What the exporter expects to ship to the buyer in a year, and how."""

    contract_size: Money  # expected sales to the buyer in a year
    shipments_per_year: int
    largest_shipment: Money
    transit_days: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitRequest:
    """An exporter's application; ``amount`` is the total wanted (zero to cancel).

    ``current_limit`` is the amount of the exporter's limit on this buyer in force now,
    ``None`` when there is none.
    """

    request_type: RequestType
    amount: Money
    payment_terms: PaymentTerms
    credit_period_days: int
    buyer_country: str
    applicant_org_id: int
    current_limit: Money | None = None
    shipments: ExpectedShipments | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyTerms:
    """What the exporter's policy allows a limit to be: currencies, terms, credit period."""

    currencies: frozenset[str]
    payment_terms: frozenset[PaymentTerms]
    max_credit_days: int

    @classmethod
    def from_schedule(cls, schedule: PolicySchedule) -> PolicyTerms:
        """The limit terms of a policy schedule: its currency and insurable scope."""
        return cls(currencies=frozenset({schedule.currency}),
                   payment_terms=frozenset(schedule.scope.payment_terms),
                   max_credit_days=schedule.scope.max_credit_days)


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoRule:
    """When a limit may be decided without an underwriter."""

    max_amount: Money
    worst_grade: int = 10  # BBB-: the last investment grade
    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitConditions:
    """Special conditions of a limit: its own indemnity percentage, an expiry, free text."""

    indemnity_pct: Decimal | None = None
    expires_on: date | None = None
    text: str | None = None

    def is_empty(self) -> bool:
        """True when no condition is set."""
        return self.indemnity_pct is None and self.expires_on is None and not self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitDecision:
    """The answer to a request.

    ``approved`` is the limit's new total when the outcome approves (full, partly or with
    conditions) and zero otherwise (an existing limit then stays as it is); a cancellation
    approves zero.  ``ceiling`` is the most that could be approved now and
    ``recommended`` what the rules suggest within it.
    """

    request_type: RequestType
    outcome: DecisionOutcome
    route: Route
    approved: Money
    ceiling: Money
    recommended: Money
    reasons: tuple[ReasonCode, ...]
    model_version: str | None
    grade: int | None
    conditions: LimitConditions | None = None

    @property
    def needs_underwriter(self) -> bool:
        """True while an underwriter still has to decide."""
        return self.route is Route.UNDERWRITER and (
            self.outcome is DecisionOutcome.STILL_INVESTIGATING)


# --- sizing -----------------------------------------------------------------------------


def _invalid_shipments(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_shipments", field=f"shipments.{field}")


def size_to_credit_cycle(
    *,
    contract_size: Money,
    shipments_per_year: int,
    largest_shipment: Money,
    credit_period_days: int,
    transit_days: int,
) -> Money:
    """The amount outstanding in one credit cycle: what a limit must cover ([domain L-5]).

    [002] (七.5) sizes a limit to the credit the exporter extends in one credit
    cycle, from the contract size, shipment frequency, largest single shipment, credit
    period, transport mode and transit time.  A shipment stays unpaid from dispatch until
    the end of its credit period, so one cycle lasts ``credit_period_days + transit_days``
    and::

        average shipment = contract_size / shipments_per_year
        shipments open   = ceil(shipments_per_year x cycle days / 365),
                           at least 1, at most shipments_per_year
        need             = max(shipments open x average shipment, largest_shipment)

    rounded half-up to the currency's minor unit.  ``contract_size`` is the expected sales
    to the buyer in one year.
    """
    currency = contract_size.currency
    if largest_shipment.currency != currency:
        raise ValidationFailed("the largest shipment must be in the contract currency",
                               code="currency_mismatch", field="shipments.largest_shipment")
    if contract_size.amount <= 0:
        raise _invalid_shipments("the contract size must be positive", "contract_size")
    if (isinstance(shipments_per_year, bool) or not isinstance(shipments_per_year, int)
            or not 1 <= shipments_per_year <= DAYS_PER_YEAR):
        raise _invalid_shipments(f"shipments per year must be 1..{DAYS_PER_YEAR}",
                                 "shipments_per_year")
    if not 0 < largest_shipment.amount <= contract_size.amount:
        raise _invalid_shipments("the largest shipment must be positive and within the contract",
                                 "largest_shipment")
    check_credit_period(credit_period_days)
    if (isinstance(transit_days, bool) or not isinstance(transit_days, int)
            or not 0 <= transit_days <= DAYS_PER_YEAR):
        raise _invalid_shipments(f"transit days must be 0..{DAYS_PER_YEAR}", "transit_days")
    cycle_days = credit_period_days + transit_days
    open_shipments = math.ceil(Decimal(shipments_per_year * cycle_days) / DAYS_PER_YEAR)
    open_shipments = max(1, min(shipments_per_year, open_shipments))
    average = contract_size.amount / shipments_per_year
    need = max(average * open_shipments, largest_shipment.amount)
    return Money(need, currency).rounded()


# --- validation -------------------------------------------------------------------------


def validate_request(
    request: LimitRequest, *, policy: PolicyTerms, country_status: CountryStatus
) -> None:
    """Raise the first rule ``request`` breaks; return ``None`` when it may be decided."""
    r = request
    check_country(r.buyer_country, field="buyer_country")
    if r.amount.currency not in policy.currencies:
        allowed = ", ".join(sorted(policy.currencies))
        raise ValidationFailed(f"the policy allows limits in {allowed}, not {r.amount.currency}",
                               code="currency_not_allowed", field="currency")
    if r.request_type is RequestType.CANCELLATION:
        if not r.amount.is_zero():
            raise ValidationFailed("a cancellation asks for zero", code="amount_not_zero",
                                   field="amount")
    elif r.amount.amount <= 0:
        raise ValidationFailed("the amount must be greater than zero",
                               code="amount_not_positive", field="amount")
    if r.payment_terms not in policy.payment_terms:
        raise ValidationFailed(f"payment terms {r.payment_terms.value} are not insured "
                               "under the policy", code="payment_terms_not_insured",
                               field="payment_terms")
    check_credit_period(r.credit_period_days)
    if r.credit_period_days > policy.max_credit_days:
        raise ValidationFailed(
            f"credit period of {r.credit_period_days} days is longer than the policy's "
            f"{policy.max_credit_days}", code="credit_period_out_of_range",
            field="credit_period_days")
    if r.current_limit is not None and r.current_limit.currency != r.amount.currency:
        raise ValidationFailed("the request must be in the currency of the current limit",
                               code="currency_mismatch", field="currency")
    _check_against_current(r)
    if (r.request_type in (RequestType.NEW_LIMIT, RequestType.INCREASE)
            and country_status is CountryStatus.OFF_COVER):
        raise Conflict(f"{r.buyer_country} is off cover: no new limits there",
                       code="country_off_cover", field="buyer_country")


def _check_against_current(r: LimitRequest) -> None:
    current = r.current_limit
    if r.request_type is RequestType.NEW_LIMIT:
        if current is not None:
            raise Conflict("a limit on this buyer exists: ask for an increase or a reduction",
                           code="limit_already_exists", field="request_type")
        return
    if current is None:
        raise Conflict(f"there is no limit to {r.request_type.value.replace('_', ' ')}",
                       code="no_current_limit", field="request_type")
    if r.request_type is RequestType.INCREASE:
        if r.amount < current:
            raise ValidationFailed(
                f"{r.amount} is lower than the current limit of {current}: "
                "that is a reduction request", code="increase_below_current", field="amount",
                details={"current_limit": str(current)})
        if r.amount == current:
            raise ValidationFailed(f"{r.amount} is the current limit: nothing to increase",
                                   code="increase_not_above_current", field="amount")
    if r.request_type is RequestType.REDUCTION and not r.amount < current:
        raise ValidationFailed(
            f"a reduction must be below the current limit of {current}; "
            "to raise it, ask for an increase", code="reduction_not_below_current",
            field="amount")


def check_decider(*, applicant_org_id: int, decider_org_id: int) -> None:
    """Refuse a decision taken by the applicant's own organisation."""
    if applicant_org_id == decider_org_id:
        raise PermissionDenied("an organisation cannot decide its own limit application",
                               code="own_application")


def requires_second_approval(amount: Money, threshold: Money) -> bool:
    """True when a limit of ``amount`` needs a second underwriter (above ``threshold``)."""
    return amount > threshold


def check_four_eyes(*, maker: str, checker: str) -> None:
    """Refuse a second approval by the person who made the first one."""
    require_another_person(
        maker=maker, checker=checker,
        message="the second approval must come from another underwriter")


# --- deciding ---------------------------------------------------------------------------


def _same_currency(room: Money | None, amount: Money, field: str) -> None:
    if room is not None and room.currency != amount.currency:
        raise ValidationFailed(f"{field} is in {room.currency}, the request in {amount.currency}",
                               code="currency_mismatch", field=field)


def _ceiling(
    request: LimitRequest, room_on_buyer_aggregate: Money, room_on_country_cap: Money | None
) -> tuple[Money, list[ReasonCode]]:
    """The most that can be approved now, and the reasons it is below the request."""
    base = request.current_limit if request.request_type is RequestType.INCREASE else None
    zero = Money.zero(request.amount.currency)
    base = base or zero
    ceiling, reasons = request.amount, []
    for room, capped, empty in (
        (room_on_buyer_aggregate, ReasonCode.CAPPED_BY_BUYER_AGGREGATE,
         ReasonCode.NO_ROOM_ON_BUYER_AGGREGATE),
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

    def decision(outcome: DecisionOutcome, route: Route, approved: Money, ceiling: Money,
                 recommended: Money, reasons: Iterable[ReasonCode]) -> LimitDecision:
        return LimitDecision(request_type=request.request_type, outcome=outcome, route=route,
                             approved=approved, ceiling=ceiling, recommended=recommended,
                             reasons=tuple(dict.fromkeys(reasons)),
                             model_version=rating.model_version, grade=rating.grade)

    if request.request_type in (RequestType.REDUCTION, RequestType.CANCELLATION):
        return decision(DecisionOutcome.APPROVED, Route.AUTOMATIC, amount, amount, amount,
                        [ReasonCode.REQUESTED_BY_INSURED])
    if rating.hard_stop:
        return decision(DecisionOutcome.NOT_APPROVED, Route.AUTOMATIC, zero, zero, zero,
                        [ReasonCode.BUYER_HARD_STOP])

    ceiling, reasons = _ceiling(request, room_on_buyer_aggregate, room_on_country_cap)
    recommended = ceiling
    if request.shipments is not None:
        s = request.shipments
        if s.contract_size.currency != amount.currency:
            raise ValidationFailed("expected shipments must be in the currency of the request",
                                   code="currency_mismatch", field="shipments.contract_size")
        need = size_to_credit_cycle(
            contract_size=s.contract_size, shipments_per_year=s.shipments_per_year,
            largest_shipment=s.largest_shipment, credit_period_days=request.credit_period_days,
            transit_days=s.transit_days)
        floor = request.current_limit if request.request_type is RequestType.INCREASE else None
        if need < recommended and (floor is None or need > floor):
            recommended = need
            reasons.append(ReasonCode.SIZED_TO_CREDIT_CYCLE)

    blockers = _auto_blockers(request, rating, country_status, auto_rule)
    capped_by_room = ceiling < amount
    if blockers or capped_by_room:
        return decision(DecisionOutcome.STILL_INVESTIGATING, Route.UNDERWRITER, zero, ceiling,
                        recommended, [*reasons, *blockers])
    outcome = (DecisionOutcome.APPROVED if recommended == amount
               else DecisionOutcome.PARTLY_APPROVED)
    return decision(outcome, Route.AUTOMATIC, recommended, ceiling, recommended,
                    [ReasonCode.AUTO_RULE, *reasons])


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
    return frozenset(AdverseEvent(c.factor[len(prefix):]) for c in rating.contributions
                     if c.factor.startswith(prefix))


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
        raise ValidationFailed(f"the decision must be in {requested.currency}",
                               code="currency_mismatch", field="amount")
    if amount.amount < 0:
        raise ValidationFailed("an amount cannot be negative", code="amount_not_positive",
                               field="amount")
    if amount > proposal.ceiling:
        raise Conflict(
            f"{amount} exceeds the {proposal.ceiling} left on the buyer aggregate limit "
            "and the country cap", code="exceeds_room", field="amount",
            details={"ceiling": str(proposal.ceiling)})
    _check_outcome_amount(request, outcome, amount, conditions, reason_list)
    return LimitDecision(request_type=request.request_type, outcome=outcome,
                         route=Route.UNDERWRITER, approved=amount, ceiling=proposal.ceiling,
                         recommended=proposal.recommended,
                         reasons=reason_list or (ReasonCode.UNDERWRITER_JUDGEMENT,),
                         model_version=proposal.model_version, grade=proposal.grade,
                         conditions=conditions)


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
            raise ValidationFailed("a refusal needs a reason code", code="reason_required",
                                   field="reasons")
        return
    if outcome is DecisionOutcome.APPROVED and amount != requested:
        raise _mismatch(f"approved in full means {requested}; give less as partly approved")
    if outcome is DecisionOutcome.PARTLY_APPROVED and not amount < requested:
        raise _mismatch("partly approved means less than the request")
    if outcome is DecisionOutcome.CONDITIONAL:
        if conditions is None or conditions.is_empty():
            raise ValidationFailed("a conditional approval needs its conditions",
                                   code="conditions_required", field="conditions")
        if amount > requested:
            raise _mismatch("a conditional approval cannot exceed the request")
    if amount.amount <= 0:
        raise _mismatch("an approval must approve more than zero")
    current = request.current_limit
    if request.request_type is RequestType.INCREASE and current is not None and amount <= current:
        raise ValidationFailed(
            f"{amount} is not above the current limit of {current}: refuse the increase "
            "instead (the current limit stays)", code="increase_below_current", field="amount")
    if conditions is not None and conditions.indemnity_pct is not None and not (
            Decimal(0) < conditions.indemnity_pct <= Decimal(100)):
        raise ValidationFailed("a limit's indemnity percentage must be in (0, 100]",
                               code="indemnity_out_of_range", field="conditions.indemnity_pct")
