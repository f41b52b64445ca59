"""Whole turnover: each month's turnover return against the declarations of that month.

[002] (section 3.1, 统保): the insured must insure *every* export inside the
insurable scope; it may not pick some buyers, a division or only the risky deals.  Each
shipment is declared (section 8.1) and the exporter returns its insurable turnover month
by month (``turnover_returns``).  The rules, pure:

* a month is compared only with **its own** declarations: active declarations whose
  shipment date falls in the month, at their invoice amount (late ones count as
  declared: lateness is the compliance rate's and the claim's matter);
* the month's **undeclared remainder** = ``max(0, turnover - declared)``, flagged when
  above zero; a month that declares more than it returned leaves nothing undeclared and
  does not offset another month's remainder;
* a month without a return is **not returned** (overdue once its return date, the
  monthly declaration deadline, has passed) and stays out of the share;
* the **declared share** = (returned turnover - undeclared remainders) / returned
  turnover, over the returned months only, rounded half-up to 4 decimals (0 if none);
* a whole-turnover policy whose share is **below the schedule's minimum declared share**
  (:data:`DEFAULT_MIN_DECLARED_SHARE`, 95 %, when the schedule sets none) is **under
  review**: the renewal review shows it.

A claimed shipment of a whole-turnover policy that was not declared by its deadline is
part of its month's undeclared remainder: the claim check ``whole_turnover_declared``
refuses it (:mod:`tradecover.claims.checks`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tradecover.declarations.deadlines import DEFAULT_RULES, DeadlineRules
from tradecover.kit.dates import add_months
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies import DEFAULT_MIN_DECLARED_SHARE, min_declared_share_of

__all__ = [
    "DEFAULT_MIN_DECLARED_SHARE",
    "TurnoverMonth",
    "WholeTurnoverReview",
    "check_min_declared_share",
    "min_declared_share_of",
    "months_between",
    "review_whole_turnover",
    "turnover_month",
]

SHARE_QUANTUM = Decimal("0.0001")


def check_min_declared_share(value: Decimal | None, *, field: str = "min_declared_share") -> None:
    """Raise unless ``value`` is ``None`` or a fraction in (0, 1]."""
    if value is None:
        return
    if not value.is_finite() or not Decimal(0) < value <= Decimal(1):
        raise ValidationFailed(
            "min_declared_share must be a fraction in (0, 1]",
            code="share_out_of_range",
            field=field,
        )


def months_between(start: date, end: date) -> list[date]:
    """The first days of the calendar months that ``start``..``end`` touches, oldest first."""
    if end < start:
        raise ValidationFailed(
            "the end of the range is before its start", code="invalid_range", field="end"
        )
    months: list[date] = []
    cursor = start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = add_months(cursor, 1)
    return months


def return_due(month: date, *, rules: DeadlineRules = DEFAULT_RULES) -> date:
    """The day a month's turnover return is due: the monthly declaration deadline."""
    return add_months(month.replace(day=1), 1).replace(day=rules.monthly_due_day)


def month_end(month: date) -> date:
    """The last day of ``month``."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True, slots=True)
class TurnoverMonth:
    """One month of a policy: turnover returned, declared, and the undeclared remainder."""

    month: date  # first day
    return_due: date
    turnover: Money | None  # None: no return
    declared: Money
    undeclared: Money  # max(0, turnover - declared); 0 without a return
    share: Decimal | None  # declared (at most the turnover) / turnover; None without one

    @property
    def returned(self) -> bool:
        """True when the exporter returned this month's turnover."""
        return self.turnover is not None

    @property
    def flagged(self) -> bool:
        """True when part of the returned turnover was not declared."""
        return self.undeclared.amount > 0

    def return_overdue(self, as_of: date) -> bool:
        """True when no return came and its due date is before ``as_of``."""
        return self.turnover is None and self.return_due < as_of


def _share(numerator: Decimal, denominator: Decimal) -> Decimal:
    if denominator <= 0:
        return Decimal(0)
    return (numerator / denominator).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def turnover_month(
    *, month: date, turnover: Money | None, declared: Money, rules: DeadlineRules = DEFAULT_RULES
) -> TurnoverMonth:
    """Compare one month's return (``None``: none) with the declarations of that month."""
    if turnover is not None and turnover.currency != declared.currency:
        raise ValidationFailed(
            f"the return is in {turnover.currency}, the declarations in {declared.currency}",
            code="currency_mismatch",
            field="currency",
        )
    if (turnover is not None and turnover.amount < 0) or declared.amount < 0:
        raise ValidationFailed(
            "turnover and declared amounts cannot be negative",
            code="negative_turnover",
            field="turnover",
        )
    first = month.replace(day=1)
    if turnover is None:
        return TurnoverMonth(
            first,
            return_due(first, rules=rules),
            None,
            declared,
            Money.zero(declared.currency),
            None,
        )
    undeclared = Money(max(Decimal(0), turnover.amount - declared.amount), turnover.currency)
    return TurnoverMonth(
        first,
        return_due(first, rules=rules),
        turnover,
        declared,
        undeclared,
        _share(turnover.amount - undeclared.amount, turnover.amount),
    )


@dataclass(frozen=True, slots=True)
class WholeTurnoverReview:
    """The whole-turnover record of a policy over some months."""

    whole_turnover: bool
    months: tuple[TurnoverMonth, ...]
    turnover: Money  # returned months only
    declared: Money  # declared in the returned months
    undeclared: Money  # sum of the months' remainders
    declared_share: Decimal
    min_declared_share: Decimal
    under_review: bool  # whole turnover and share below the minimum

    @property
    def flagged_months(self) -> tuple[TurnoverMonth, ...]:
        """The months with an undeclared remainder."""
        return tuple(m for m in self.months if m.flagged)

    def missing_returns(self, as_of: date) -> tuple[TurnoverMonth, ...]:
        """The months whose return is overdue on ``as_of``."""
        return tuple(m for m in self.months if m.return_overdue(as_of))


def review_whole_turnover(
    *,
    currency: str,
    months: Iterable[date],
    returns: Mapping[date, Money],
    declared: Mapping[date, Money],
    whole_turnover: bool,
    min_declared_share: Decimal | None = None,
    rules: DeadlineRules = DEFAULT_RULES,
) -> WholeTurnoverReview:
    """Each month's return against that month's declarations, and the policy's share.

    ``returns`` and ``declared`` are keyed by the first day of the month; a month missing
    from ``declared`` declared nothing.  The share counts only the returned months.
    """
    check_min_declared_share(min_declared_share)
    threshold = min_declared_share_of(min_declared_share)
    zero = Money.zero(currency)
    rows = tuple(
        turnover_month(
            month=m,
            turnover=returns.get(m.replace(day=1)),
            declared=declared.get(m.replace(day=1), zero),
            rules=rules,
        )
        for m in sorted({m.replace(day=1) for m in months})
    )
    returned = [m for m in rows if m.turnover is not None]
    turnover = sum((m.turnover for m in returned if m.turnover is not None), start=zero)
    declared_total = sum((m.declared for m in returned), start=zero)
    undeclared = sum((m.undeclared for m in returned), start=zero)
    share = _share(turnover.amount - undeclared.amount, turnover.amount)
    return WholeTurnoverReview(
        whole_turnover=whole_turnover,
        months=rows,
        turnover=turnover,
        declared=declared_total,
        undeclared=undeclared,
        declared_share=share,
        min_declared_share=threshold,
        under_review=whole_turnover and turnover.amount > 0 and share < threshold,
    )
