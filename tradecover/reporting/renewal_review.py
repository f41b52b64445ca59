"""Read model: the renewal review's metrics of a policy, read in the caller's session.

It reads the declarations, the notices of possible loss, the claims paid and the credit
limits of one policy term; the policies context defines what the metrics are
(:class:`~tradecover.policies.review.ReviewMetrics`) and the source it needs
(:class:`~tradecover.policies.review.ReviewMetricsSource`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.claims.model import ClaimRow
from tradecover.collections.model import PossibleLossNotice
from tradecover.declarations.model import (
    STATUS_ACTIVE,
    Declaration,
)
from tradecover.declarations.status_repository import status_of_policy
from tradecover.kit.money import Money
from tradecover.limits.model import CreditLimit, LimitApplication
from tradecover.policies.model import Policy
from tradecover.policies.review import ReviewMetrics


def _share(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` as a fraction rounded half-up to 4 decimals (0 if none)."""
    if denominator <= 0:
        return Decimal(0)
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True, slots=True)
class RenewalReviewMetrics:
    """A :class:`~tradecover.policies.review.ReviewMetricsSource` over one policy's book,
    read in the CALLER's session: the renewal offer's own transaction (a second one would
    wait on the write lock the offer holds on SQLite).

    For declarations shipped in ``start``..``end``: ``compliance_rate`` (on time /
    declared), ``declared_share_of_turnover`` (declared / the turnover returned for those
    months; the schedule's expected turnover pro rata when none was returned),
    ``declared_amount``, ``premium_earned``, ``outstanding_liability`` (covered less
    collected) and ``possible_loss_rate`` (invoices under an open notice of possible loss /
    declared).  Claims paid in the period give ``claims_paid`` and ``loss_ratio`` (paid /
    premium earned); the policy's active limits give ``limit_utilisation`` (outstanding /
    limits) and ``largest_buyer_share``; its decided limit applications
    ``limit_approval_rate`` (approved / requested).  The policies API and CLI build one
    on each request's session.
    """

    session: Session

    def metrics(self, *, policy_id: int, start: date, end: date) -> ReviewMetrics:
        """The review metrics of one policy over ``start``..``end``."""
        session = self.session
        policy = session.get(Policy, policy_id)
        if policy is None:
            return ReviewMetrics()
        currency = policy.currency
        status = status_of_policy(session, policy, start=start, end=end)
        in_period = (
            Declaration.policy_id == policy_id,
            Declaration.status == STATUS_ACTIVE,
            Declaration.shipment_date >= start,
            Declaration.shipment_date <= end,
        )
        premium, outstanding = (
            int(v)
            for v in session.execute(
                select(
                    func.coalesce(func.sum(Declaration.premium_minor), 0),
                    func.coalesce(
                        func.sum(Declaration.covered_minor - Declaration.collected_minor), 0
                    ),
                ).where(*in_period)
            ).one()
        )
        declared = status.declared_amount.minor_units()
        review = status.whole_turnover
        share = review.declared_share
        if review.turnover.amount == 0:  # nothing returned: the expected turnover pro rata
            days = (end - start).days + 1
            share = _share(declared, policy.expected_turnover_minor * max(0, days) // 365)
        noticed = int(
            session.execute(
                select(func.coalesce(func.sum(Declaration.invoice_minor), 0))
                .join(PossibleLossNotice, PossibleLossNotice.declaration_id == Declaration.id)
                .where(*in_period, PossibleLossNotice.status == "open")
            ).scalar_one()
        )
        paid = int(
            session.execute(
                select(func.sum(ClaimRow.paid_minor)).where(
                    ClaimRow.policy_id == policy_id,
                    ClaimRow.currency == currency,
                    ClaimRow.paid_on >= start,
                    ClaimRow.paid_on <= end,
                )
            ).scalar_one()
            or 0
        )
        limits = [
            int(v)
            for v in session.execute(
                select(CreditLimit.amount_minor).where(
                    CreditLimit.policy_id == policy_id,
                    CreditLimit.status == "active",
                    CreditLimit.currency == currency,
                )
            ).scalars()
        ]
        requested, approved = (
            int(v)
            for v in session.execute(
                select(
                    func.coalesce(func.sum(LimitApplication.amount_minor), 0),
                    func.coalesce(func.sum(LimitApplication.approved_minor), 0),
                ).where(
                    LimitApplication.policy_id == policy_id,
                    LimitApplication.status == "decided",
                    LimitApplication.currency == currency,
                )
            ).one()
        )

        def amount(minor: int) -> Decimal:
            return Money.from_minor(minor, currency).amount

        return ReviewMetrics(
            compliance_rate=status.compliance_rate,
            declared_share_of_turnover=share,
            largest_buyer_share=_share(max(limits, default=0), sum(limits)),
            limit_approval_rate=_share(approved, requested),
            limit_utilisation=_share(outstanding, sum(limits)),
            possible_loss_rate=_share(noticed, declared),
            outstanding_liability=amount(outstanding),
            loss_ratio=_share(paid, premium),
            declared_amount=status.declared_amount.amount,
            premium_earned=amount(premium),
            claims_paid=amount(paid),
            undeclared_turnover=amount(review.undeclared.minor_units()),
            min_declared_share=review.min_declared_share,
            whole_turnover_under_review=policy.whole_turnover and share < review.min_declared_share,
            turnover_months_flagged=len(review.flagged_months),
            turnover_returns_missing=len(review.missing_returns(end)),
        )
