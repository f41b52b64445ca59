"""Claims on a missed repayment under an investment-debt policy: the pure rules ([004]).

* The insurer is liable for repayment period ``n``'s ``a_n + I_n`` (principal only when
  interest is not insured) once the premium of the periods up to it is paid ([004] 4.3:
  "保险人对还款期第 n 期应还本付息金额 a_n + I_n 承担赔偿责任的前提是 ...").  A claim
  names the missed repayment; what was missed may be less than what was scheduled, never
  more.  Only the covered repayment periods (``n <= T3``) can be claimed.
* **Lump sum** ([004] 2.2, 一次性赔偿): the insurer indemnifies the accelerated debt at
  once, so the loss is the missed repayment plus the principal of every later covered
  instalment; **original schedule**: only the missed repayment.
* Indemnity = loss x indemnity percentage, rounded half-up to the minor unit, never more
  than what is left of the maximum insured amount.
* **A loss does not end the policy** ([004] 2.2): later premiums keep falling due, and the
  insured must pay the premium due before the indemnity is paid.  The claims service
  settles that premium against the indemnity (:func:`premium_set_off`): on the original
  schedule every unpaid premium of the periods up to the loss and every unpaid premium
  already notified; in a lump sum every unpaid premium, later periods included.  The
  insured receives the indemnity less the set-off (:func:`net_indemnity`).
* Cover of the loss period depends on its premium ([004] 3.3): unpaid 30 days after its
  notice, cover ended, and the claim cannot be approved (check ``premium_paid``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tradecover.claims.checks import CheckName, CheckOutcome, ClaimCheck
from tradecover.kit.errors import Conflict, ValidationFailed
from tradecover.kit.money import round_money
from tradecover.pricing import (
    IndemnitySettlement,
    RepaymentPeriod,
    cover_in_force,
    premium_due_date,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PremiumPeriod:
    """One period of insurance of the premium schedule as the claim sees it."""

    position: int
    """1-based position in the schedule (drawdown periods first)."""
    premium: Decimal
    notice_date: date | None = None
    paid_on: date | None = None
    late_payment_accepted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MissedRepayment:
    """What the claim says was not repaid, in major units of the policy currency."""

    repayment_period: int
    """``n`` of [004]: 1-based repayment period."""
    principal: Decimal
    interest: Decimal


def check_missed_repayment(
    missed: MissedRepayment, *, repayments: Sequence[RepaymentPeriod], covered_periods: int
) -> RepaymentPeriod:
    """The scheduled repayment the claim is about; a 422 naming the field when it is wrong."""
    n = missed.repayment_period
    if not 1 <= n <= len(repayments):
        raise ValidationFailed(
            f"repayment_period must be 1 to {len(repayments)}, got {n}",
            code="no_such_repayment_period",
            field="repayment_period",
        )
    if n > covered_periods:
        raise ValidationFailed(
            f"repayment period {n} is not covered: the policy covers the first "
            f"{covered_periods} repayment periods",
            code="period_not_covered",
            field="repayment_period",
        )
    scheduled = repayments[n - 1]
    for name, value, most in (
        ("missed_principal", missed.principal, scheduled.principal),
        ("missed_interest", missed.interest, scheduled.interest),
    ):
        if value < 0:
            raise ValidationFailed(
                f"{name} must not be negative", code="amount_negative", field=name
            )
        if value > most:
            raise ValidationFailed(
                f"{name} {value} is more than the {most} scheduled for period {n}",
                code="exceeds_scheduled_repayment",
                field=name,
            )
    return scheduled


def claim_loss(
    missed: MissedRepayment,
    *,
    repayments: Sequence[RepaymentPeriod],
    covered_periods: int,
    insure_interest: bool,
    settlement: IndemnitySettlement,
) -> Decimal:
    """The loss claimed: the missed repayment, plus later covered principal in a lump sum."""
    check_missed_repayment(missed, repayments=repayments, covered_periods=covered_periods)
    loss = missed.principal + (missed.interest if insure_interest else Decimal(0))
    if settlement is IndemnitySettlement.LUMP_SUM:
        loss += sum(
            (p.principal for p in repayments[missed.repayment_period : covered_periods]), Decimal(0)
        )
    if loss <= 0:
        raise ValidationFailed(
            "the claim names no insured amount missed", code="no_loss", field="missed_principal"
        )
    return loss


def indemnity_of(
    loss: Decimal, *, indemnity_pct: Decimal, currency: str, liability_left: Decimal
) -> Decimal:
    """Loss x indemnity percentage, rounded half-up, at most the liability left."""
    amount = round_money(loss * indemnity_pct / Decimal(100), currency)
    return max(Decimal(0), min(amount, liability_left))


def premium_set_off(
    periods: Sequence[PremiumPeriod], *, loss_position: int, settlement: IndemnitySettlement
) -> tuple[PremiumPeriod, ...]:
    """The unpaid premium due before the indemnity, settled against it ([004] 2.2).

    Original schedule: unpaid periods up to the loss and unpaid periods already notified
    (premium keeps falling due after a loss).  Lump sum: every unpaid period.
    """
    unpaid = [p for p in periods if p.paid_on is None]
    if settlement is IndemnitySettlement.LUMP_SUM:
        return tuple(unpaid)
    return tuple(p for p in unpaid if p.position <= loss_position or p.notice_date is not None)


def net_indemnity(indemnity: Decimal, set_off: Sequence[PremiumPeriod]) -> Decimal:
    """What the insured receives: the indemnity less the premium set off against it.

    Premium due above the indemnity is refused (409 ``premium_exceeds_indemnity``): the
    insured pays it first.
    """
    total = sum((p.premium for p in set_off), Decimal(0))
    if total > indemnity:
        raise Conflict(
            f"premium due ({total}) exceeds the indemnity ({indemnity}): pay the premium first",
            code="premium_exceeds_indemnity",
            field="claim_id",
        )
    return indemnity - total


def investment_debt_claim_checks(
    *,
    loss_period: PremiumPeriod,
    repayment_due_date: date,
    set_off: Sequence[PremiumPeriod],
    currency: str,
) -> tuple[ClaimCheck, ...]:
    """The named checks of a missed-repayment claim, shown to the handler."""
    if loss_period.notice_date is None:
        cover = ClaimCheck(
            name=CheckName.PREMIUM_PAID,
            outcome=CheckOutcome.PASSED,
            blocking=True,
            explanation=f"period {loss_period.position}'s premium was not yet notified: it is "
            "set off against the indemnity",
        )
    else:
        due = premium_due_date(notice_date=loss_period.notice_date)
        covered = cover_in_force(
            notice_date=loss_period.notice_date,
            paid_on=loss_period.paid_on,
            today=repayment_due_date,
            late_payment_accepted=loss_period.late_payment_accepted,
        )
        cover = ClaimCheck(
            name=CheckName.PREMIUM_PAID,
            outcome=CheckOutcome.PASSED if covered else CheckOutcome.FAILED,
            blocking=True,
            explanation=(
                f"period {loss_period.position} was covered on {repayment_due_date.isoformat()}"
                if covered
                else f"period {loss_period.position}'s premium was unpaid after its due "
                f"date {due.isoformat()}: cover had ended by "
                f"{repayment_due_date.isoformat()}"
            ),
        )
    total = sum((p.premium for p in set_off), Decimal(0))
    positions = ", ".join(str(p.position) for p in set_off) or "none"
    premiums = ClaimCheck(
        name=CheckName.INVESTMENT_DEBT_PREMIUMS,
        outcome=CheckOutcome.PASSED,
        blocking=True,
        explanation=f"premium due before the indemnity: {total} {currency} (period(s) "
        f"{positions}), set off against it; the policy continues",
    )
    return (cover, premiums)
