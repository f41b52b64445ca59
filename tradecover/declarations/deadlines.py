"""Declaration deadlines by policy frequency, late flags and the declared share of turnover.

[002] (section 8) says shipments are declared monthly, weekly or immediately as the
schedule states, and that a late declaration can cost the right to claim; it gives no
days.  tradecover's defaults, all in :class:`DeadlineRules` so a policy can change them:

* **monthly**: the shipments of a calendar month are due by the **15th of the
  following month** (e.g. shipped 3 or 31 October, due 15 November);
* **weekly**: the shipments of an ISO week (Monday to Sunday) are due within **7 days**
  of the week's end (shipped Wednesday 7 October 2026, week ends Sunday 11 October,
  due Sunday 18 October);
* **immediate**: each shipment is due within **3 days** of its shipment date.

A declaration made *on* the due date is on time; one day later it is late.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tradecover.kit.dates import add_months
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import DeclarationFrequency

SHARE_QUANTUM = Decimal("0.0001")
"""Shares of turnover and compliance rates are rounded half-up to 4 decimals (0.01 %)."""


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    """How long the exporter has to declare, per frequency (the defaults are tradecover's)."""

    monthly_due_day: int = 15
    weekly_days_after_week: int = 7
    immediate_days: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.monthly_due_day <= 28:
            raise ValidationFailed(
                "monthly_due_day must be 1 to 28",
                code="deadline_out_of_range",
                field="monthly_due_day",
            )
        for name in ("weekly_days_after_week", "immediate_days"):
            if not 0 <= getattr(self, name) <= 90:
                raise ValidationFailed(
                    f"{name} must be 0 to 90", code="deadline_out_of_range", field=name
                )


DEFAULT_RULES = DeadlineRules()
"""The 15th of the following month, 7 days after the week, 3 days after shipment."""


@dataclass(frozen=True, slots=True)
class DeclarationPeriod:
    """The shipments of ``start``..``end`` (inclusive) must be declared by ``due``."""

    start: date
    end: date
    due: date


@dataclass(frozen=True, slots=True)
class DeclarationTiming:
    """When a shipment's declaration was due and whether it came late."""

    due: date
    declared_on: date
    late: bool
    days_late: int  # 0 when on time


def declaration_period(
    frequency: DeclarationFrequency,
    shipment_date: date,
    *,
    rules: DeadlineRules = DEFAULT_RULES,
) -> DeclarationPeriod:
    """The declaration period that ``shipment_date`` falls in, with its deadline."""
    if frequency is DeclarationFrequency.MONTHLY:
        start = shipment_date.replace(day=1)
        end = shipment_date.replace(day=calendar.monthrange(start.year, start.month)[1])
        due = add_months(start, 1).replace(day=rules.monthly_due_day)
        return DeclarationPeriod(start, end, due)
    if frequency is DeclarationFrequency.WEEKLY:
        start = shipment_date - timedelta(days=shipment_date.weekday())
        end = start + timedelta(days=6)
        return DeclarationPeriod(start, end, end + timedelta(days=rules.weekly_days_after_week))
    return DeclarationPeriod(
        shipment_date, shipment_date, shipment_date + timedelta(days=rules.immediate_days)
    )


def declaration_due_date(
    frequency: DeclarationFrequency,
    shipment_date: date,
    *,
    rules: DeadlineRules = DEFAULT_RULES,
) -> date:
    """The last day on which the shipment of ``shipment_date`` may be declared on time."""
    return declaration_period(frequency, shipment_date, rules=rules).due


def declaration_timing(
    *,
    frequency: DeclarationFrequency,
    shipment_date: date,
    declared_on: date,
    rules: DeadlineRules = DEFAULT_RULES,
) -> DeclarationTiming:
    """Whether a declaration made on ``declared_on`` is late, and by how many days."""
    due = declaration_due_date(frequency, shipment_date, rules=rules)
    days_late = max(0, (declared_on - due).days)
    return DeclarationTiming(
        due=due, declared_on=declared_on, late=days_late > 0, days_late=days_late
    )


def periods_due_between(
    *,
    frequency: DeclarationFrequency,
    start: date,
    end: date,
    rules: DeadlineRules = DEFAULT_RULES,
) -> list[DeclarationPeriod]:
    """The declaration periods whose deadline falls in ``start``..``end``, oldest first.

    This is "what is due" for a policy: the billing and reminder jobs ask it for the
    days since they last ran.
    """
    if end < start:
        raise ValidationFailed(
            "the end of the range is before its start", code="invalid_range", field="end"
        )
    result: list[DeclarationPeriod] = []
    # The earliest period whose deadline can reach ``start`` begins at most 62 days before.
    cursor = start - timedelta(days=62)
    while cursor <= end:
        period = declaration_period(frequency, cursor, rules=rules)
        if start <= period.due <= end and (not result or result[-1] != period):
            result.append(period)
        cursor = period.end + timedelta(days=1)
    return result


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    if denominator == 0:
        return Decimal(0)
    return (numerator / denominator).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def declared_share_of_turnover(*, declared: Iterable[Money], turnover: Money) -> Decimal:
    """Declared amounts over the insurable turnover, as a fraction rounded to 4 decimals.

    Whole turnover ([domain D-5]) expects every insurable shipment declared, so the
    share should be close to 1; the renewal review reads it.  A turnover of zero gives 0.
    """
    if turnover.amount < 0:
        raise ValidationFailed(
            "the turnover cannot be negative", code="negative_turnover", field="turnover"
        )
    total = Money.zero(turnover.currency)
    for amount in declared:
        total = total + amount
    return _ratio(total.amount, turnover.amount)


def pro_rata_turnover(
    *,
    expected_turnover: Money,
    inception: date,
    expiry: date,
    as_of: date,
) -> Money:
    """The part of a year's expected turnover that falls in ``inception``..``as_of``.

    Straight-line by days (both ends inclusive), rounded half-up to the currency; 0
    before inception and the whole amount from expiry on.
    """
    if expiry < inception:
        raise ValidationFailed("expiry is before inception", code="invalid_range", field="expiry")
    term_days = (expiry - inception).days + 1
    elapsed = min(max((as_of - inception).days + 1, 0), term_days)
    if elapsed == term_days:
        return expected_turnover.rounded()
    share = expected_turnover.amount * elapsed / term_days
    return Money(share, expected_turnover.currency).rounded()


def compliance_rate(*, on_time: int, due: int) -> Decimal:
    """Declarations made on time over declarations due, rounded to 4 decimals (0 if none due)."""
    if on_time < 0 or due < 0 or on_time > due:
        raise ValidationFailed(
            "on_time must be between 0 and due", code="invalid_count", field="on_time"
        )
    return _ratio(Decimal(on_time), Decimal(due))
