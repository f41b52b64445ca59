"""Limit utilisation, the large-limit watch list and the idle-limit revocation rule.

A limit revolves ([002], 六.2): it is the most the buyer may owe under it at any
moment, and paid invoices free it again.  So for every limit:

* **approved**: the amount of the version in force;
* **outstanding**: the insured receivables still unpaid (declared shipments less
  collections, computed by the declarations and collections contexts, never stored twice);
* **available** = max(approved - outstanding, 0);
* **over limit** = max(outstanding - approved, 0): receivables beyond the limit, uninsured
  above it (a claim is capped by the limit);
* **utilisation rate** = outstanding / approved, to 4 decimals (undefined for a zero limit).

[002] (七.6) also asks for closer tracking of large limits, either one large
non-LC limit or a large total of limits on one buyer (:func:`watch_list_reasons`), and
allows the insurer to revoke or reduce idle or under-used limits (:func:`is_idle`,
:func:`is_under_used`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

RATE_PLACES: Final = Decimal("0.0001")
"""Utilisation rates are fractions rounded half-up to 4 decimals (0.1234 = 12.34 %)."""

DEFAULT_IDLE_DAYS: Final = 180
"""Days without a shipment after which a limit counts as idle (configurable per call)."""


@dataclass(frozen=True, slots=True)
class Utilisation:
    """Approved, outstanding, available and over-limit amounts of a limit, and its rate."""

    approved: Money
    outstanding: Money
    available: Money
    over_limit: Money
    rate: Decimal | None


def _check(approved: Money, outstanding: Money) -> None:
    if approved.currency != outstanding.currency:
        raise ValidationFailed(
            "outstanding must be in the currency of the limit",
            code="currency_mismatch",
            field="outstanding",
        )
    if approved.amount < 0 or outstanding.amount < 0:
        raise ValidationFailed(
            "approved and outstanding amounts cannot be negative",
            code="amount_negative",
            field="amount",
        )


def available(*, approved: Money, outstanding: Money) -> Money:
    """What may still be shipped under the limit: approved less outstanding, at least 0."""
    _check(approved, outstanding)
    left = approved - outstanding
    return left if left.amount > 0 else Money.zero(approved.currency)


def utilisation_rate(*, approved: Money, outstanding: Money) -> Decimal | None:
    """Outstanding / approved to 4 decimals; ``None`` for a zero limit."""
    _check(approved, outstanding)
    if approved.is_zero():
        return None
    return (outstanding.amount / approved.amount).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def utilisation(*, approved: Money, outstanding: Money) -> Utilisation:
    """Every utilisation figure of one limit."""
    over = outstanding - approved
    return Utilisation(
        approved=approved,
        outstanding=outstanding,
        available=available(approved=approved, outstanding=outstanding),
        over_limit=over if over.amount > 0 else Money.zero(approved.currency),
        rate=utilisation_rate(approved=approved, outstanding=outstanding),
    )


class WatchReason(StrEnum):
    """Why a buyer is on the large-limit watch list."""

    LARGE_SINGLE_LIMIT = "large_single_limit"
    LARGE_BUYER_TOTAL = "large_buyer_total"
    BUYER_IN_DEFAULT = "buyer_in_default"  # an exporter filed a notice of possible loss


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchThresholds:
    """From what amount a single limit, or the total of limits on one buyer, is large."""

    single_limit: Money
    buyer_total: Money


def watch_list_reasons(
    limits: Sequence[Money], *, thresholds: WatchThresholds
) -> tuple[WatchReason, ...]:
    """Why a buyer with these limits in force belongs on the watch list (empty: it does not).

    Pass the buyer's non-LC limits ([002]'s 單筆非證: under a letter of credit the
    risk is the bank, which has limits of its own).  A limit or total at the threshold
    counts as large.
    """
    currency = thresholds.single_limit.currency
    if thresholds.buyer_total.currency != currency or any(m.currency != currency for m in limits):
        raise ValidationFailed(
            "limits and thresholds must share one currency",
            code="currency_mismatch",
            field="limits",
        )
    reasons: list[WatchReason] = []
    if any(m >= thresholds.single_limit for m in limits):
        reasons.append(WatchReason.LARGE_SINGLE_LIMIT)
    total = sum((m for m in limits), Money.zero(currency))
    if limits and total >= thresholds.buyer_total:
        reasons.append(WatchReason.LARGE_BUYER_TOTAL)
    return tuple(reasons)


def idle_days(*, effective_from: date, last_used_on: date | None, today: date) -> int:
    """Days since the limit was last used (a shipment declared), or since it took effect."""
    since = max(effective_from, last_used_on) if last_used_on is not None else effective_from
    return max(0, (today - since).days)


def is_idle(
    *,
    effective_from: date,
    last_used_on: date | None,
    outstanding: Money,
    today: date,
    idle_after_days: int = DEFAULT_IDLE_DAYS,
) -> bool:
    """True when the limit may be revoked as idle: nothing outstanding and unused that long."""
    if idle_after_days < 1:
        raise ValidationFailed(
            "the idle period is at least one day", code="invalid_idle_days", field="idle_after_days"
        )
    if outstanding.amount > 0:
        return False
    days = idle_days(effective_from=effective_from, last_used_on=last_used_on, today=today)
    return days >= idle_after_days


def is_under_used(*, approved: Money, peak_outstanding: Money, min_rate: Decimal) -> bool:
    """True when the highest outstanding over a period stayed below ``min_rate`` of the limit."""
    _check(approved, peak_outstanding)
    if approved.is_zero():
        return False
    return peak_outstanding.amount / approved.amount < min_rate  # exact, not the rounded rate
