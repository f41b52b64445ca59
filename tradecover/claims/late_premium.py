"""Late premium and the right to claim (pure; [002], 8.2.3).

"如未在規定期限內繳納保險費，將影響到被保險人申報的相關出口項下的索賠權益" [002]: premium not
paid within the set period affects the right to claim on the shipments it was billed on.

:func:`premium_ruling` decides, for one claimed shipment, from every premium notice that
billed it (its due date, the grace the billing terms allow, the day its exporter share
was paid in full, any waiver) and the day the loss's cause arose:

* a notice paid in full by its deadline (due date + grace) keeps cover (``paid_on_time``);
* a notice not yet past its deadline does not take cover away (``not_yet_due``);
* a notice paid late or still unpaid past its deadline leaves the shipment **without
  cover for a loss whose cause arose before the premium was paid** (``premium_late``):
  paying later restores cover only for causes arising on or after the payment day
  (``paid_before_cause``), unless the insurer recorded a waiver, approved by two people
  (``waived``).

The cause of a loss arises on the earlier of the unpaid invoice's due date and the day
the notice of possible loss was filed (:func:`cause_date`).  Only the exporter's share
counts: a subsidy programme paying late does not cost the exporter its cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class PremiumRule(StrEnum):
    """Why a shipment's premium keeps or loses its cover for a loss (stable codes)."""

    NOT_BILLED = "not_billed"
    PAID_ON_TIME = "paid_on_time"
    NOT_YET_DUE = "not_yet_due"
    PAID_BEFORE_CAUSE = "paid_before_cause"
    WAIVED = "waived"
    PREMIUM_LATE = "premium_late"


@dataclass(frozen=True, slots=True)
class Waiver:
    """The insurer's approved waiver of a notice's late premium (four eyes)."""

    waiver_id: int
    proposed_by: str
    approved_by: str
    approved_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class BilledPremium:
    """A premium notice that billed the shipment: when it was due and when it was paid.

    ``paid_on`` is the day its exporter share was paid (or credited) in full, None while
    any of it is outstanding; ``grace_days`` are the days after the due date before the
    premium counts as late (the billing terms' ``at_risk_after_days``).
    """

    notice_id: int
    due_date: date
    paid_on: date | None
    grace_days: int = 0
    waiver: Waiver | None = None

    @property
    def deadline(self) -> date:
        """The last day the premium may be paid without consequence."""
        return self.due_date + timedelta(days=self.grace_days)


@dataclass(frozen=True, slots=True)
class PremiumRuling:
    """Whether a shipment's premium leaves it covered for a loss, the rule and the dates."""

    keeps_cover: bool
    rule: PremiumRule
    explanation: str
    notice_id: int | None = None
    compared: Mapping[str, str] = field(default_factory=dict)


def cause_date(*, invoice_due: date, notice_filed_on: date) -> date:
    """The day a loss's cause arose: the unpaid invoice's due date or, if earlier, the
    day the notice of possible loss was filed.
    """
    return min(invoice_due, notice_filed_on)


def _one(notice: BilledPremium, *, cause: date, today: date) -> PremiumRuling:
    n = notice
    dates = {
        "due_date": n.due_date,
        "deadline": n.deadline,
        "paid_on": n.paid_on,
        "cause_date": cause,
        "today": today,
    }
    compared = {k: v.isoformat() for k, v in dates.items() if v is not None}
    label = f"premium notice {n.notice_id}, due {n.due_date.isoformat()}"
    if n.paid_on is not None and n.paid_on <= n.deadline:
        return PremiumRuling(
            True,
            PremiumRule.PAID_ON_TIME,
            f"{label}, paid on {n.paid_on.isoformat()}, by its deadline {n.deadline.isoformat()}",
            n.notice_id,
            compared,
        )
    if n.paid_on is None and today <= n.deadline:
        return PremiumRuling(
            True,
            PremiumRule.NOT_YET_DUE,
            f"{label}: not yet past its deadline {n.deadline.isoformat()} on {today.isoformat()}",
            n.notice_id,
            compared,
        )
    late = (
        f"{label}, not paid by its deadline {n.deadline.isoformat()} ("
        + (f"paid on {n.paid_on.isoformat()}" if n.paid_on else "still unpaid")
        + ")"
    )
    if n.waiver is not None:
        w = n.waiver
        return PremiumRuling(
            True,
            PremiumRule.WAIVED,
            f"{late}; waiver {w.waiver_id} proposed by {w.proposed_by} and "
            f"approved by {w.approved_by} on {w.approved_on.isoformat()}: "
            f"{w.reason}",
            n.notice_id,
            {**compared, "waived_on": w.approved_on.isoformat()},
        )
    if n.paid_on is not None and cause >= n.paid_on:
        return PremiumRuling(
            True,
            PremiumRule.PAID_BEFORE_CAUSE,
            f"{late}; the loss's cause arose on {cause.isoformat()}, after "
            "the premium was paid: cover restored",
            n.notice_id,
            compared,
        )
    return PremiumRuling(
        False,
        PremiumRule.PREMIUM_LATE,
        f"{late}; the loss's cause arose on {cause.isoformat()}, before the "
        "premium was paid: no cover",
        n.notice_id,
        compared,
    )


def premium_ruling(notices: Iterable[BilledPremium], *, cause: date, today: date) -> PremiumRuling:
    """The ruling of a shipment over every notice that billed it: the first that takes
    cover away (oldest due date first), else the last that keeps it.
    """
    ordered = sorted(notices, key=lambda n: (n.due_date, n.notice_id))
    if not ordered:
        return PremiumRuling(
            True,
            PremiumRule.NOT_BILLED,
            "the premium is not billed yet",
            None,
            {"cause_date": cause.isoformat(), "today": today.isoformat()},
        )
    rulings = [_one(n, cause=cause, today=today) for n in ordered]
    lost = [r for r in rulings if not r.keeps_cover]
    return lost[0] if lost else rulings[-1]
