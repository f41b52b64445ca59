"""Under-used credit limits: when to propose a reduction, and to what amount ([002]).

[002] (七.6) lets the insurer revoke idle limits and reduce under-used ones.  Idle
limits are revoked by the idle job (:func:`tradecover.limits.utilisation.is_idle`); this
module decides the reductions an underwriter is asked to accept:

* the **observation window** is the ``period_days`` days up to and including ``today``;
* the limit must have been in force at its current amount for the whole window (a limit
  set or changed inside the window is not judged yet);
* its **peak outstanding** is the highest amount of insured receivables outstanding on
  any day of the window, rebuilt from its shipments (covered amount from the shipment
  date, less what was collected from the collection date, nothing after the declaration
  ended): :func:`peak_outstanding`;
* it is **under-used** when that peak stayed below ``max_share`` of the limit;
  a peak of zero is left to the idle rule (no reduction proposed to nothing);
* the **proposed amount** makes the peak ``target_share`` of the new limit: peak /
  ``target_share``, rounded UP to a multiple of ``round_to`` major units, and is proposed
  only when it is below the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Final

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

SHARE_PLACES: Final = Decimal("0.0001")
"""Peak shares are reported to 4 decimals (0.1600 = 16 %); the test itself is exact."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnderUseRule:
    """How long and how little a limit must be used before a reduction is proposed."""

    max_share: Decimal
    period_days: int
    target_share: Decimal
    round_to: int = 1

    def check(self) -> None:
        """Refuse shares outside (0, 1), a period under a day, a rounding step under 1."""
        if not Decimal(0) < self.max_share < Decimal(1):
            raise ValidationFailed(
                "the under-use share is a fraction in (0, 1)",
                code="invalid_under_use_share",
                field="max_share",
            )
        if not Decimal(0) < self.target_share <= Decimal(1):
            raise ValidationFailed(
                "the target share is a fraction in (0, 1]",
                code="invalid_target_share",
                field="target_share",
            )
        if self.period_days < 1:
            raise ValidationFailed(
                "the observation period is at least one day",
                code="invalid_under_use_days",
                field="period_days",
            )
        if self.round_to < 1:
            raise ValidationFailed(
                "the rounding step is at least 1", code="invalid_round_to", field="round_to"
            )

    def window_start(self, today: date) -> date:
        """First day of the observation window that ends on ``today``."""
        return today - timedelta(days=self.period_days - 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """One declared shipment on the limit: covered from its shipment date, less collections."""

    shipped_on: date
    covered: Money
    collections: tuple[tuple[date, Money], ...] = ()
    ended_on: date | None = None

    def outstanding_on(self, day: date) -> Money:
        """What the shipment left outstanding at the end of ``day``."""
        zero = Money.zero(self.covered.currency)
        if day < self.shipped_on or (self.ended_on is not None and day >= self.ended_on):
            return zero
        collected = sum((m for d, m in self.collections if d <= day), zero)
        left = self.covered - collected
        return left if left.amount > 0 else zero

    def event_days(self) -> Iterable[date]:
        """The days its outstanding amount may change."""
        yield self.shipped_on
        yield from (d for d, _ in self.collections)
        if self.ended_on is not None:
            yield self.ended_on


def outstanding_on(exposures: Sequence[Exposure], day: date, *, currency: str) -> Money:
    """Outstanding on the limit at the end of ``day``."""
    return sum((e.outstanding_on(day) for e in exposures), Money.zero(currency))


def peak_outstanding(
    exposures: Sequence[Exposure], *, currency: str, start: date, end: date
) -> Money:
    """The highest outstanding at the end of any day from ``start`` to ``end`` inclusive.

    The amount only changes on a shipment, collection or end day, so those days in the
    window and ``start`` itself are the only ones to look at.
    """
    if any(e.covered.currency != currency for e in exposures):
        raise ValidationFailed(
            "shipments must be in the currency of the limit",
            code="currency_mismatch",
            field="currency",
        )
    if end < start:
        raise ValidationFailed(
            "the window ends before it starts", code="invalid_window", field="start"
        )
    days = {start} | {d for e in exposures for d in e.event_days() if start <= d <= end}
    return max(outstanding_on(exposures, d, currency=currency) for d in days)


@dataclass(frozen=True, slots=True)
class ReductionProposal:
    """Why and to what a limit should be reduced."""

    approved: Money
    peak: Money
    peak_share: Decimal
    proposed: Money
    window_start: date


def proposed_amount(*, peak: Money, rule: UnderUseRule) -> Money:
    """Peak / target share, rounded up to a multiple of ``round_to`` major units."""
    step = Decimal(rule.round_to)
    raw = peak.amount / rule.target_share
    steps = (raw / step).to_integral_value(rounding=ROUND_CEILING)
    return Money(steps * step, peak.currency)


def propose_reduction(
    *, approved: Money, in_force_since: date, peak: Money, today: date, rule: UnderUseRule
) -> ReductionProposal | None:
    """The reduction to propose for a limit, or ``None`` when it is used enough.

    ``in_force_since``: the effective date of the limit's current version.
    """
    rule.check()
    if approved.currency != peak.currency:
        raise ValidationFailed(
            "peak must be in the currency of the limit", code="currency_mismatch", field="peak"
        )
    start = rule.window_start(today)
    if in_force_since > start or approved.amount <= 0 or peak.amount <= 0:
        return None
    if not peak.amount / approved.amount < rule.max_share:  # exact, not the rounded share
        return None
    target = proposed_amount(peak=peak, rule=rule)
    if target >= approved:
        return None
    share = (peak.amount / approved.amount).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
    return ReductionProposal(
        approved=approved, peak=peak, peak_share=share, proposed=target, window_start=start
    )
