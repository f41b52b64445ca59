"""Renewal review metrics ([domain P-8]) and the port through which they are gathered."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from tradecover.policies.schedule import DEFAULT_MIN_DECLARED_SHARE


@dataclass(frozen=True, slots=True)
class ReviewMetrics:
    """The year's record the insurer reviews a month before expiry.

    Ratios are fractions (0.25 = 25 %); amounts are in the policy currency.  Each is
    computed from what the system holds; a context that has no data yet reports zero.
    """

    compliance_rate: Decimal = Decimal(0)  # declarations on time / declarations due
    # declared / returned turnover, month by month (expected turnover pro rata if none)
    declared_share_of_turnover: Decimal = Decimal(0)
    largest_buyer_share: Decimal = Decimal(0)  # risk concentration: top buyer share of limits
    limit_approval_rate: Decimal = Decimal(0)  # approved amount / requested amount
    limit_utilisation: Decimal = Decimal(0)  # outstanding insured / approved limits
    possible_loss_rate: Decimal = Decimal(0)  # notices of possible loss / declared amount
    outstanding_liability: Decimal = Decimal(0)  # insured receivables still open
    loss_ratio: Decimal = Decimal(0)  # claims paid / premium earned
    declared_amount: Decimal = Decimal(0)
    premium_earned: Decimal = Decimal(0)
    claims_paid: Decimal = Decimal(0)
    # whole turnover ([002] 3.1): the months' undeclared remainders, the schedule's
    # minimum declared share, and whether the share fell below it (the policy is then
    # under review); months whose return showed a remainder and returns overdue
    undeclared_turnover: Decimal = Decimal(0)
    min_declared_share: Decimal = DEFAULT_MIN_DECLARED_SHARE
    whole_turnover_under_review: bool = False
    turnover_months_flagged: int = 0
    turnover_returns_missing: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The metrics as JSON-ready strings (flags as ``"true"``/``"false"``)."""
        return {
            k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in asdict(self).items()
        }


class ReviewMetricsSource(Protocol):
    """Anything that can compute the review metrics of one policy term."""

    def metrics(self, *, policy_id: int, start: date, end: date) -> ReviewMetrics:
        """Metrics for declarations, limits, billing and claims in ``[start, end]``."""
        ...


@dataclass(frozen=True, slots=True)
class NoActivityYet:
    """The metrics source before declarations, limits and claims exist: all zeros."""

    def metrics(self, *, policy_id: int, start: date, end: date) -> ReviewMetrics:
        """All zeros."""
        return ReviewMetrics()
