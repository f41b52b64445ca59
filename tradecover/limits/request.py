"""Limit requests and decisions: what an exporter asks for and what the insurer answers.

The vocabulary is the one of the UN/EDIFACT credit-cover message RECECO: a request is a
new limit, an increase, a reduction or a cancellation; a decision approves, partly
approves, refuses, approves with conditions, or is still investigating ([002], 六.3).
The rules that read them live in :mod:`tradecover.limits.checks`,
:mod:`tradecover.limits.sizing` and :mod:`tradecover.limits.decision`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.country_risk import CoverStatus
from tradecover.kit.money import Money
from tradecover.policies import PolicySchedule
from tradecover.reference.payment_terms import PaymentTerms


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
        return cls(
            currencies=frozenset({schedule.currency}),
            payment_terms=frozenset(schedule.scope.payment_terms),
            max_credit_days=schedule.scope.max_credit_days,
        )


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
            self.outcome is DecisionOutcome.STILL_INVESTIGATING
        )
