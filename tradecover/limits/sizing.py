"""Sizing a limit to one credit cycle: what the exporter has outstanding on a buyer.

[002] (七.5) sizes a limit to the credit extended in one credit cycle ([domain L-5]);
:func:`tradecover.limits.decision.decide_limit` caps its recommendation by it.
"""

from __future__ import annotations

import math
from decimal import Decimal

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.reference.payment_terms import check_credit_period

DAYS_PER_YEAR = 365
"""Days in the year over which the shipments per year are spread."""


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
        raise ValidationFailed(
            "the largest shipment must be in the contract currency",
            code="currency_mismatch",
            field="shipments.largest_shipment",
        )
    if contract_size.amount <= 0:
        raise _invalid_shipments("the contract size must be positive", "contract_size")
    if (
        isinstance(shipments_per_year, bool)
        or not isinstance(shipments_per_year, int)
        or not 1 <= shipments_per_year <= DAYS_PER_YEAR
    ):
        raise _invalid_shipments(
            f"shipments per year must be 1..{DAYS_PER_YEAR}", "shipments_per_year"
        )
    if not 0 < largest_shipment.amount <= contract_size.amount:
        raise _invalid_shipments(
            "the largest shipment must be positive and within the contract", "largest_shipment"
        )
    check_credit_period(credit_period_days)
    if (
        isinstance(transit_days, bool)
        or not isinstance(transit_days, int)
        or not 0 <= transit_days <= DAYS_PER_YEAR
    ):
        raise _invalid_shipments(f"transit days must be 0..{DAYS_PER_YEAR}", "transit_days")
    cycle_days = credit_period_days + transit_days
    open_shipments = math.ceil(Decimal(shipments_per_year * cycle_days) / DAYS_PER_YEAR)
    open_shipments = max(1, min(shipments_per_year, open_shipments))
    average = contract_size.amount / shipments_per_year
    need = max(average * open_shipments, largest_shipment.amount)
    return Money(need, currency).rounded()
