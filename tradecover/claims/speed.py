"""Claim speed: time from notice to claim, claim to decision, decision to payment (pure).

[001] asks for swift claims processing.  Each claim keeps its dates
(:class:`ClaimTimeline`); the insurer sets a target (:class:`SpeedTarget`: days from
claim to decision and from decision to payment).  :func:`monthly_report` gives, per
calendar month, how many claims were decided and paid in it, their average days and
the share within target; :func:`claims_at_risk` lists the open claims that are about to
miss (or have missed) the target, soonest deadline first.  An approved claim that must
wait out a waiting period races the payment target from the end of that period.

Durations are in calendar days.  A decision is counted in the month it was taken, a
payment in the month it was made.  Averages are rounded half-up to one decimal; shares
are percentages rounded half-up to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from tradecover.kit.errors import ValidationFailed

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimTimeline:
    """The dates of one claim; ``rejected`` claims are never paid."""

    claim_id: int
    notice_filed_on: date
    claim_filed_on: date
    decided_on: date | None = None
    paid_on: date | None = None
    rejected: bool = False
    payable_from: date | None = None  # end of the waiting period, when there is one

    def __post_init__(self) -> None:
        if self.claim_filed_on < self.notice_filed_on:
            raise ValidationFailed(
                "a claim cannot be filed before its notice",
                code="dates_out_of_order",
                field="claim_filed_on",
            )
        if self.decided_on is not None and self.decided_on < self.claim_filed_on:
            raise ValidationFailed(
                "a claim cannot be decided before it is filed",
                code="dates_out_of_order",
                field="decided_on",
            )
        if self.paid_on is not None and (
            self.decided_on is None or self.rejected or self.paid_on < self.decided_on
        ):
            raise ValidationFailed(
                "a claim is paid only after it is approved",
                code="dates_out_of_order",
                field="paid_on",
            )

    @property
    def notice_to_claim_days(self) -> int:
        """Days from the notice of possible loss to the claim."""
        return (self.claim_filed_on - self.notice_filed_on).days

    @property
    def claim_to_decision_days(self) -> int | None:
        """Days from the claim to the decision, ``None`` while undecided."""
        return None if self.decided_on is None else (self.decided_on - self.claim_filed_on).days

    @property
    def decision_to_payment_days(self) -> int | None:
        """Days from the approval to the payment, ``None`` while unpaid."""
        if self.decided_on is None or self.paid_on is None:
            return None
        return (self.paid_on - self.decided_on).days


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeedTarget:
    """The insurer's target: decide within ``decision_days``, pay within ``payment_days``."""

    decision_days: int = 60
    payment_days: int = 10
    warn_days: int = 7  # a claim within this many days of its deadline is "about to miss"


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthSpeed:
    """One month of the report."""

    month: str  # YYYY-MM
    decided: int
    avg_claim_to_decision_days: Decimal | None
    decided_within_target_pct: Decimal | None
    paid: int
    avg_decision_to_payment_days: Decimal | None
    paid_within_target_pct: Decimal | None
    avg_notice_to_claim_days: Decimal | None  # over the claims filed in the month
    filed: int


def _avg(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _pct(values: list[int], target: int) -> Decimal | None:
    if not values:
        return None
    within = sum(1 for v in values if v <= target)
    return (Decimal(100 * within) / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def monthly_report(
    timelines: Iterable[ClaimTimeline], target: SpeedTarget
) -> tuple[MonthSpeed, ...]:
    """Per month with any claim filed, decided or paid: counts, averages, share in target."""
    decisions: dict[str, list[int]] = {}
    payments: dict[str, list[int]] = {}
    filings: dict[str, list[int]] = {}
    for t in timelines:
        filings.setdefault(_month(t.claim_filed_on), []).append(t.notice_to_claim_days)
        if t.decided_on is not None and (days := t.claim_to_decision_days) is not None:
            decisions.setdefault(_month(t.decided_on), []).append(days)
        if t.paid_on is not None and (days := t.decision_to_payment_days) is not None:
            payments.setdefault(_month(t.paid_on), []).append(days)
    months = sorted(set(decisions) | set(payments) | set(filings))
    return tuple(
        MonthSpeed(
            month=m,
            decided=len(decisions.get(m, [])),
            avg_claim_to_decision_days=_avg(decisions.get(m, [])),
            decided_within_target_pct=_pct(decisions.get(m, []), target.decision_days),
            paid=len(payments.get(m, [])),
            avg_decision_to_payment_days=_avg(payments.get(m, [])),
            paid_within_target_pct=_pct(payments.get(m, []), target.payment_days),
            avg_notice_to_claim_days=_avg(filings.get(m, [])),
            filed=len(filings.get(m, [])),
        )
        for m in months
    )


class Stage(StrEnum):
    """Which target an open claim is racing."""

    DECISION = "decision"
    PAYMENT = "payment"


@dataclass(frozen=True, slots=True, kw_only=True)
class AtRisk:
    """An open claim near (or past) its target: ``days_left`` is negative once missed."""

    claim_id: int
    stage: Stage
    deadline: date
    days_left: int


def claims_at_risk(
    timelines: Iterable[ClaimTimeline], target: SpeedTarget, *, today: date
) -> tuple[AtRisk, ...]:
    """Open claims whose decision or payment deadline is within ``warn_days`` of today."""
    found: list[AtRisk] = []
    for t in timelines:
        if t.decided_on is None:
            stage, deadline = (
                Stage.DECISION,
                t.claim_filed_on + timedelta(days=target.decision_days),
            )
        elif not t.rejected and t.paid_on is None:
            start = max(t.decided_on, t.payable_from or t.decided_on)
            stage, deadline = Stage.PAYMENT, start + timedelta(days=target.payment_days)
        else:
            continue
        days_left = (deadline - today).days
        if days_left <= target.warn_days:
            found.append(
                AtRisk(claim_id=t.claim_id, stage=stage, deadline=deadline, days_left=days_left)
            )
    return tuple(sorted(found, key=lambda a: (a.deadline, a.claim_id)))
