"""THE cover decision: whether cover attaches to a declared shipment, and for how much.

One pure function, :func:`decide_cover`, that every channel reaches through the
attachment service.  Its inputs are plain facts the service has read (and locked):

* the policy (:class:`PolicyFacts`): state, period, insurable scope, frequency;
* the buyer's credit limit version in force on the shipment date (:class:`LimitFacts`),
  and how much of it is already outstanding;
* whether the buyer is frozen or in default; the country's cover status; the
  declaration date.

The checks run in this fixed order and the first that fails names the reason:

 1. ``policy_suspended``: premium arrears stopped new declarations ([002], 8.2.3);
 2. the policy's liability rule (:mod:`tradecover.policies.liability`, the rule the
    claim checks apply too): ``policy_not_active`` when the policy is a draft, a quote,
    rescinded for fraud, or cancelled (in effect or scheduled) from a date on or before
    the shipment date (an expired or renewed policy still covers the shipments of its
    period that are declared on time); ``outside_policy_period`` for a shipment date
    before inception or after expiry; ``policy_suspended`` for a shipment made while the
    policy was suspended, even when declared after reinstatement;
 4. ``outside_scope``: country, payment terms or HS chapter outside the insurable scope;
 5. ``country_off_cover``: the insurer has closed the buyer's country to new cover;
 6. ``late_declaration``: declared after the frequency's deadline, when the policy denies
    cover for late declarations (:mod:`tradecover.declarations.deadlines`);
 7. ``buyer_in_default``: the buyer is frozen after a notice of possible loss;
 8. ``no_limit`` / ``limit_cancelled`` / ``limit_expired`` / ``limit_conditions_not_met``:
    no usable limit version on the shipment date;
 9. ``limit_exhausted``: nothing is left on the revolving limit.

Otherwise cover attaches to ``min(insured amount, available)`` where insured amount =
invoice - prepayment and available = limit - outstanding ([domain L-7], [domain D-9]): reason
``within_limit`` (in full) or ``exceeds_available_limit`` (partly: the excess is
uninsured).  A shipment paid wholly in advance carries nothing at risk: ``fully_prepaid``.

A country classed ``restricted`` does not deny cover to a shipment under an approved
limit: "restricted" means new *limits* need an underwriter, who has then decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.declarations.deadlines import DEFAULT_RULES, DeadlineRules, declaration_timing
from tradecover.declarations.shipment import Shipment
from tradecover.kit.money import Money
from tradecover.limits import CountryStatus, LimitVersion
from tradecover.policies import (
    DeclarationFrequency,
    InsurableScope,
    LiabilityRule,
    PolicyStanding,
    PolicyState,
    Suspension,
    TerminationKind,
    liability_for_shipment,
)
from tradecover.reference.payment_terms import PaymentTerms


class CoverStatus(StrEnum):
    """The outcome of a cover decision."""

    COVERED_IN_FULL = "covered_in_full"
    COVERED_PARTLY = "covered_partly"
    NOT_COVERED = "not_covered"


class CoverReason(StrEnum):
    """Why cover attached in full, in part, or not at all (stable codes)."""

    WITHIN_LIMIT = "within_limit"
    FULLY_PREPAID = "fully_prepaid"
    EXCEEDS_AVAILABLE_LIMIT = "exceeds_available_limit"
    POLICY_NOT_ACTIVE = "policy_not_active"
    POLICY_SUSPENDED = "policy_suspended"
    OUTSIDE_POLICY_PERIOD = "outside_policy_period"
    OUTSIDE_SCOPE = "outside_scope"
    COUNTRY_OFF_COVER = "country_off_cover"
    LATE_DECLARATION = "late_declaration"
    BUYER_IN_DEFAULT = "buyer_in_default"
    NO_LIMIT = "no_limit"
    LIMIT_CANCELLED = "limit_cancelled"
    LIMIT_EXPIRED = "limit_expired"
    LIMIT_CONDITIONS_NOT_MET = "limit_conditions_not_met"
    LIMIT_EXHAUSTED = "limit_exhausted"


CountryCoverStatus = CountryStatus
"""The insurer's stance on new cover in a country: ``open``, ``restricted``, ``off_cover``."""


class LimitStatus(StrEnum):
    """Whether a credit limit version can carry new shipments."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """What the cover decision needs to know about the policy.

    ``cancelled_from`` is the effective date of a cancellation (in effect or scheduled):
    shipments before it stay covered ([domain P-11]).  ``suspensions`` are the policy's
    pauses of cover.  ``deny_cover_when_late`` is the policy's rule for late declarations
    ([002]: a late declaration *can* cost the right to claim).
    """

    state: PolicyState
    inception: date
    expiry: date
    scope: InsurableScope
    frequency: DeclarationFrequency
    deny_cover_when_late: bool = True
    cancelled_from: date | None = None
    deadline_rules: DeadlineRules = DEFAULT_RULES
    suspensions: tuple[Suspension, ...] = ()

    @property
    def standing(self) -> PolicyStanding:
        """The policy as its liability rule reads it."""
        return PolicyStanding(
            state=self.state,
            inception=self.inception,
            expiry=self.expiry,
            termination_kind=(
                TerminationKind.INSURER_CANCELLATION if self.cancelled_from is not None else None
            ),
            termination_date=self.cancelled_from,
            suspensions=self.suspensions,
        )


@dataclass(frozen=True, slots=True)
class LimitFacts:
    """The buyer's credit limit version in force on the shipment date, with its conditions.

    Empty ``payment_terms`` means any terms; ``max_credit_days`` ``None`` means the
    policy's scope decides.  ``expires_on`` is the last day the limit covers shipments.
    """

    amount: Money
    status: LimitStatus = LimitStatus.ACTIVE
    effective_from: date | None = None
    expires_on: date | None = None
    payment_terms: tuple[PaymentTerms, ...] = ()
    max_credit_days: int | None = None
    indemnity_pct: Decimal | None = None

    @classmethod
    def from_version(cls, version: LimitVersion) -> LimitFacts:
        """The facts of a limits.versions.LimitVersion (cancelled if it cancels)."""
        return cls(
            amount=version.amount,
            status=LimitStatus.CANCELLED if version.is_cancellation else LimitStatus.ACTIVE,
            effective_from=version.effective_from,
            expires_on=version.expires_on,
            indemnity_pct=version.indemnity_pct,
        )


@dataclass(frozen=True, slots=True)
class CoverDecision:
    """What cover attached: ``covered_amount + uninsured_amount == insured_amount``."""

    status: CoverStatus
    insured_amount: Money
    covered_amount: Money
    uninsured_amount: Money
    reason_code: CoverReason
    explanation: str

    @property
    def covered(self) -> bool:
        """True when cover attached to at least part of the shipment."""
        return self.status is not CoverStatus.NOT_COVERED


def _refuse(insured: Money, reason: CoverReason, explanation: str) -> CoverDecision:
    return CoverDecision(
        CoverStatus.NOT_COVERED, insured, Money.zero(insured.currency), insured, reason, explanation
    )


_REFUSALS = {
    LiabilityRule.OUTSIDE_POLICY_PERIOD: CoverReason.OUTSIDE_POLICY_PERIOD,
    LiabilityRule.SUSPENDED: CoverReason.POLICY_SUSPENDED,
}


def _policy_refusal(policy: PolicyFacts, shipment: Shipment) -> tuple[CoverReason, str] | None:
    if policy.state is PolicyState.SUSPENDED:
        return (
            CoverReason.POLICY_SUSPENDED,
            "the policy is suspended for premium arrears: declarations are not accepted",
        )
    ruling = liability_for_shipment(policy.standing, shipment_date=shipment.shipment_date)
    if ruling.keeps_cover:
        return None
    return _REFUSALS.get(ruling.rule, CoverReason.POLICY_NOT_ACTIVE), ruling.explanation


def _scope_refusal(scope: InsurableScope, shipment: Shipment) -> str | None:
    country = shipment.buyer_country
    if country is not None and not scope.covers_country(country):
        return f"the buyer's country {country} is outside the insurable scope"
    if shipment.payment_terms not in scope.payment_terms:
        return f"payment terms {shipment.payment_terms.value} are outside the insurable scope"
    chapter = shipment.hs_code.replace(".", "").replace(" ", "")[:2]
    if scope.hs_chapters and chapter not in scope.hs_chapters:
        return f"goods of HS chapter {chapter} are outside the insurable scope"
    if shipment.credit_days > scope.max_credit_days:
        return (
            f"a credit period of {shipment.credit_days} days exceeds the scope's "
            f"{scope.max_credit_days}"
        )
    return None


def _limit_refusal(limit: LimitFacts | None, shipment: Shipment) -> tuple[CoverReason, str] | None:
    shipped = shipment.shipment_date
    if limit is None or (limit.effective_from is not None and shipped < limit.effective_from):
        return CoverReason.NO_LIMIT, "there is no credit limit on the buyer for this shipment date"
    if limit.status is LimitStatus.CANCELLED:
        return CoverReason.LIMIT_CANCELLED, "the buyer's credit limit was cancelled"
    if limit.expires_on is not None and shipped > limit.expires_on:
        return (
            CoverReason.LIMIT_EXPIRED,
            f"the buyer's credit limit expired on {limit.expires_on.isoformat()}",
        )
    if limit.payment_terms and shipment.payment_terms not in limit.payment_terms:
        return (
            CoverReason.LIMIT_CONDITIONS_NOT_MET,
            f"the limit does not cover payment terms {shipment.payment_terms.value}",
        )
    if limit.max_credit_days is not None and shipment.credit_days > limit.max_credit_days:
        return (
            CoverReason.LIMIT_CONDITIONS_NOT_MET,
            f"the limit allows at most {limit.max_credit_days} days of credit, "
            f"the shipment has {shipment.credit_days}",
        )
    return None


def decide_cover(
    *,
    shipment: Shipment,
    policy: PolicyFacts,
    limit: LimitFacts | None,
    outstanding: Money,
    buyer_in_default: bool,
    country_status: CountryCoverStatus,
    declared_on: date,
) -> CoverDecision:
    """Decide whether and how far cover attaches to ``shipment`` (see the module's order).

    ``outstanding`` is what is already owed under ``limit`` before this shipment; it
    must be in the limit's currency, which must be the shipment's (the service converts).
    """
    insured = shipment.insured_amount
    refusal = _policy_refusal(policy, shipment)
    if refusal is not None:
        return _refuse(insured, *refusal)
    if (scope_reason := _scope_refusal(policy.scope, shipment)) is not None:
        return _refuse(insured, CoverReason.OUTSIDE_SCOPE, scope_reason)
    if country_status is CountryCoverStatus.OFF_COVER:
        return _refuse(
            insured,
            CoverReason.COUNTRY_OFF_COVER,
            f"the insurer has taken {shipment.buyer_country or 'the country'} off cover",
        )
    timing = declaration_timing(
        frequency=policy.frequency,
        shipment_date=shipment.shipment_date,
        declared_on=declared_on,
        rules=policy.deadline_rules,
    )
    if timing.late and policy.deny_cover_when_late:
        return _refuse(
            insured,
            CoverReason.LATE_DECLARATION,
            f"declared {timing.days_late} day(s) after the deadline "
            f"{timing.due.isoformat()} of a {policy.frequency.value} declaration",
        )
    if buyer_in_default:
        return _refuse(
            insured,
            CoverReason.BUYER_IN_DEFAULT,
            "the buyer is in default: further shipments to it are not covered",
        )
    if (limit_refusal := _limit_refusal(limit, shipment)) is not None:
        return _refuse(insured, *limit_refusal)
    assert limit is not None
    if insured.is_zero():
        return CoverDecision(
            CoverStatus.COVERED_IN_FULL,
            insured,
            insured,
            insured,
            CoverReason.FULLY_PREPAID,
            "the invoice was paid in advance: nothing is at risk",
        )
    available = limit.amount - outstanding
    if available.amount <= 0:
        return _refuse(
            insured,
            CoverReason.LIMIT_EXHAUSTED,
            f"the limit of {limit.amount} is fully used ({outstanding} outstanding)",
        )
    if insured <= available:
        return CoverDecision(
            CoverStatus.COVERED_IN_FULL,
            insured,
            insured,
            Money.zero(insured.currency),
            CoverReason.WITHIN_LIMIT,
            f"covered in full: {insured} within {available} available",
        )
    return CoverDecision(
        CoverStatus.COVERED_PARTLY,
        insured,
        available,
        insured - available,
        CoverReason.EXCEEDS_AVAILABLE_LIMIT,
        f"covered up to the {available} available on the limit; {insured - available} is uninsured",
    )
