"""The buyer aggregate limit: the most the insurer carries on one buyer or bank.

[002] (七.4) and [domain L-4]: every buyer (or bank) has an aggregate limit across all
the insurer's insureds, set from the rating; more favourable information earns more
capacity, adverse information less or none.  tradecover suggests it from the rating:

    suggested = capacity of the grade (:data:`GRADE_CAPACITY_USD`) x size factor,
                rounded down to a whole thousand; zero after a hard stop.

The size factor (:data:`SIZE_FACTOR`) scales capacity with the buyer's revenue band; a bank's
size is already in its rating, so banks use :data:`BANK_GRADE_CAPACITY_USD` without one.
A risk manager may override the suggestion: the override (amount, reason, who) is kept
beside the suggestion, never written over it, so both stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final

from tradecover.buyers import Rating, SizeBand
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

CAPACITY_CURRENCY: Final = "USD"
"""Currency of the capacity tables and of every suggested aggregate limit."""

GRADE_CAPACITY_USD: Final[tuple[int, ...]] = (
    50_000_000,
    40_000_000,
    30_000_000,
    25_000_000,
    20_000_000,
    15_000_000,
    12_000_000,
    10_000_000,
    8_000_000,
    6_000_000,
    4_000_000,
    3_000_000,
    2_000_000,
    1_500_000,
    1_000_000,
    600_000,
    300_000,
    150_000,
    50_000,
    0,
)
"""Capacity of grades 1..20 for a large buyer (size factor 1), in USD; grade 20 has none."""

BANK_GRADE_CAPACITY_USD: Final[tuple[int, ...]] = tuple(2 * c for c in GRADE_CAPACITY_USD)
"""Capacity of grades 1..20 for a bank (letters of credit), in USD."""

SIZE_FACTOR: Final[dict[SizeBand, Decimal]] = {
    SizeBand.MICRO: Decimal("0.05"),
    SizeBand.SMALL: Decimal("0.15"),
    SizeBand.MEDIUM: Decimal("0.4"),
    SizeBand.LARGE: Decimal(1),
    SizeBand.VERY_LARGE: Decimal(2),
}
"""Share of the grade's capacity a buyer of each revenue band gets."""

ROUNDING_STEP: Final = Decimal(1000)
"""Suggested limits are rounded down to a multiple of this (in USD)."""


def _round_down(amount: Decimal) -> Money:
    steps = (amount / ROUNDING_STEP).to_integral_value(rounding=ROUND_FLOOR)
    return Money(steps * ROUNDING_STEP, CAPACITY_CURRENCY)


def suggested_buyer_aggregate(rating: Rating, *, size: SizeBand) -> Money:
    """The aggregate limit the rating supports for a buyer of revenue band ``size`` (USD)."""
    if rating.hard_stop:
        return Money.zero(CAPACITY_CURRENCY)
    return _round_down(Decimal(GRADE_CAPACITY_USD[rating.grade - 1]) * SIZE_FACTOR[size])


def suggested_bank_aggregate(rating: Rating) -> Money:
    """The aggregate limit the rating supports for a bank (USD)."""
    if rating.hard_stop:
        return Money.zero(CAPACITY_CURRENCY)
    return _round_down(Decimal(BANK_GRADE_CAPACITY_USD[rating.grade - 1]))


@dataclass(frozen=True, slots=True)
class AggregateOverride:
    """A risk manager's own figure for an aggregate limit, with the reason and who set it."""

    amount: Money
    reason: str
    set_by: str


@dataclass(frozen=True, slots=True)
class AggregateLimit:
    """A buyer's (or bank's) aggregate limit: the suggestion and any override of it."""

    suggested: Money
    model_version: str
    override: AggregateOverride | None = None

    @property
    def effective(self) -> Money:
        """The aggregate limit in force: the override when there is one, else the suggestion."""
        return self.override.amount if self.override is not None else self.suggested

    @property
    def is_overridden(self) -> bool:
        """True when a risk manager's figure replaces the suggestion."""
        return self.override is not None


def override_aggregate(
    limit: AggregateLimit, *, amount: Money, reason: str, set_by: str
) -> AggregateLimit:
    """Return ``limit`` with a risk manager's override; the suggestion is kept.

    The amount may be zero (no more cover on this buyer) but not negative, and must be in
    the currency of the suggestion; a reason is required.
    """
    if amount.currency != limit.suggested.currency:
        raise ValidationFailed(
            f"the override must be in {limit.suggested.currency}, like the suggestion",
            code="currency_mismatch",
            field="amount",
        )
    if amount.amount < 0:
        raise ValidationFailed(
            "an aggregate limit cannot be negative", code="amount_negative", field="amount"
        )
    if not reason or not reason.strip():
        raise ValidationFailed(
            "an override needs a reason", code="override_reason_required", field="reason"
        )
    return AggregateLimit(
        suggested=limit.suggested,
        model_version=limit.model_version,
        override=AggregateOverride(amount.rounded(), reason.strip(), set_by),
    )


def clear_override(limit: AggregateLimit) -> AggregateLimit:
    """Return ``limit`` back on its suggestion."""
    return AggregateLimit(suggested=limit.suggested, model_version=limit.model_version)


def room_left(aggregate: Money, *, committed: Money) -> Money:
    """What is left of an aggregate limit (or a country cap) after ``committed``; never < 0."""
    room = aggregate - committed
    return room if room.amount > 0 else Money.zero(aggregate.currency)
