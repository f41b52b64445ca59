"""Checks before a limit decision: is the request admissible, and who may decide it.

Bad input is refused before anything else (:func:`validate_request`): a non-positive
amount, a currency or payment terms the policy does not allow, a credit period beyond the
policy's, a buyer in an off-cover country, an "increase" that is not above the current
limit, a new limit where one exists.  Nobody decides their own organisation's application
(:func:`check_decider`); above a configurable amount a second underwriter must approve
(:func:`requires_second_approval`, :func:`check_four_eyes`).
"""

from __future__ import annotations

from tradecover.kit.errors import Conflict, PermissionDenied, ValidationFailed
from tradecover.kit.four_eyes import require_another_person
from tradecover.kit.money import Money
from tradecover.limits.request import CountryStatus, LimitRequest, PolicyTerms, RequestType
from tradecover.reference.countries import check_country
from tradecover.reference.payment_terms import check_credit_period


def validate_request(
    request: LimitRequest, *, policy: PolicyTerms, country_status: CountryStatus
) -> None:
    """Raise the first rule ``request`` breaks; return ``None`` when it may be decided."""
    r = request
    check_country(r.buyer_country, field="buyer_country")
    if r.amount.currency not in policy.currencies:
        allowed = ", ".join(sorted(policy.currencies))
        raise ValidationFailed(
            f"the policy allows limits in {allowed}, not {r.amount.currency}",
            code="currency_not_allowed",
            field="currency",
        )
    if r.request_type is RequestType.CANCELLATION:
        if not r.amount.is_zero():
            raise ValidationFailed(
                "a cancellation asks for zero", code="amount_not_zero", field="amount"
            )
    elif r.amount.amount <= 0:
        raise ValidationFailed(
            "the amount must be greater than zero", code="amount_not_positive", field="amount"
        )
    if r.payment_terms not in policy.payment_terms:
        raise ValidationFailed(
            f"payment terms {r.payment_terms.value} are not insured under the policy",
            code="payment_terms_not_insured",
            field="payment_terms",
        )
    check_credit_period(r.credit_period_days)
    if r.credit_period_days > policy.max_credit_days:
        raise ValidationFailed(
            f"credit period of {r.credit_period_days} days is longer than the policy's "
            f"{policy.max_credit_days}",
            code="credit_period_out_of_range",
            field="credit_period_days",
        )
    if r.current_limit is not None and r.current_limit.currency != r.amount.currency:
        raise ValidationFailed(
            "the request must be in the currency of the current limit",
            code="currency_mismatch",
            field="currency",
        )
    _check_against_current(r)
    if (
        r.request_type in (RequestType.NEW_LIMIT, RequestType.INCREASE)
        and country_status is CountryStatus.OFF_COVER
    ):
        raise Conflict(
            f"{r.buyer_country} is off cover: no new limits there",
            code="country_off_cover",
            field="buyer_country",
        )


def _check_against_current(r: LimitRequest) -> None:
    current = r.current_limit
    if r.request_type is RequestType.NEW_LIMIT:
        if current is not None:
            raise Conflict(
                "a limit on this buyer exists: ask for an increase or a reduction",
                code="limit_already_exists",
                field="request_type",
            )
        return
    if current is None:
        raise Conflict(
            f"there is no limit to {r.request_type.value.replace('_', ' ')}",
            code="no_current_limit",
            field="request_type",
        )
    if r.request_type is RequestType.INCREASE:
        if r.amount < current:
            raise ValidationFailed(
                f"{r.amount} is lower than the current limit of {current}: "
                "that is a reduction request",
                code="increase_below_current",
                field="amount",
                details={"current_limit": str(current)},
            )
        if r.amount == current:
            raise ValidationFailed(
                f"{r.amount} is the current limit: nothing to increase",
                code="increase_not_above_current",
                field="amount",
            )
    if r.request_type is RequestType.REDUCTION and not r.amount < current:
        raise ValidationFailed(
            f"a reduction must be below the current limit of {current}; "
            "to raise it, ask for an increase",
            code="reduction_not_below_current",
            field="amount",
        )


def check_decider(*, applicant_org_id: int, decider_org_id: int) -> None:
    """Refuse a decision taken by the applicant's own organisation."""
    if applicant_org_id == decider_org_id:
        raise PermissionDenied(
            "an organisation cannot decide its own limit application", code="own_application"
        )


def requires_second_approval(amount: Money, threshold: Money) -> bool:
    """True when a limit of ``amount`` needs a second underwriter (above ``threshold``)."""
    return amount > threshold


def check_four_eyes(*, maker: str, checker: str) -> None:
    """Refuse a second approval by the person who made the first one."""
    require_another_person(
        maker=maker,
        checker=checker,
        message="the second approval must come from another underwriter",
    )
