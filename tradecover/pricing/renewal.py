"""Renewal re-pricing ([domain R-9]).

A month before expiry the insurer reviews the year and proposes the new rate level of
the policy: the current rate x a renewal factor, the product of

1. **experience**: the year's loss ratio, credibility-weighted by the exporter's size
   (the same Buhlmann factor as the short-term adjustments),
2. **declared share**: declaring less of the insurable turnover than whole turnover
   expects hints at selection of the risky deals, and is loaded,
3. **concentration**: HHI of the buyer limits,
4. **possible-loss rate**: notices of possible loss per insured amount above expectation,

with the whole factor held within the table's renewal bounds and the rate within the
product's floor and cap.  The metrics are the policies context's
:class:`tradecover.policies.review.ReviewMetrics` (one definition for the whole system):
experience uses its ``premium_earned`` and ``claims_paid``; the credibility exposure, the
exporter's years insured and the HHI, which the review does not hold, are passed beside it
(see :func:`propose_renewal_rate`).  The underwriter accepts the proposal or overrides it with a
reason (:func:`accept_renewal_rate`, :func:`override_renewal_rate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import to_decimal
from tradecover.pricing.rate_table import RateTable
from tradecover.pricing.short_term import (
    Adjustment,
    ExporterExperience,
    _q6,
    _q8,
    _share,
    apply_bounds,
    apply_factor,
    concentration_adjustment,
    experience_adjustment,
)

if TYPE_CHECKING:
    from tradecover.policies import ReviewMetrics

REPRICE_METHOD = "pricing.renewal"
"""The ``method`` of a renewal offer's explanation when pricing re-priced it."""

_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class RenewalProposal:
    """The proposed renewal rate with each adjustment and why."""

    table_code: str
    table_version: int
    current_rate: Decimal
    adjustments: tuple[Adjustment, ...]
    renewal_factor: Decimal
    bound_applied: str | None
    proposed_rate: Decimal
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (decimals as strings)."""
        return {
            "table": {"code": self.table_code, "version": self.table_version},
            "current_rate": str(self.current_rate),
            "adjustments": [a.to_dict() for a in self.adjustments],
            "renewal_factor": str(self.renewal_factor),
            "bound_applied": self.bound_applied,
            "proposed_rate": str(self.proposed_rate),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class RenewalDecision:
    """The underwriter's decision on a proposal: accepted as proposed, or overridden."""

    proposal: RenewalProposal
    rate: Decimal
    overridden: bool
    decided_by: str
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (decimals as strings)."""
        return {
            "proposal": self.proposal.to_dict(),
            "rate": str(self.rate),
            "overridden": self.overridden,
            "decided_by": self.decided_by,
            "reason": self.reason,
        }


def declared_share_adjustment(table: RateTable, *, declared_share: Decimal) -> Adjustment:
    """Loading ``1 + slope x (minimum share - declared share)`` below whole-turnover minimum."""
    params = table.renewal
    share = _share(declared_share, field="declared_share_of_turnover")
    shortfall = max(Decimal(0), params.min_declared_share - share)
    factor = _q6(_ONE + params.declared_share_slope * shortfall)
    if shortfall == 0:
        reason = (
            f"declared {share} of insurable turnover, at least the whole-turnover "
            f"minimum {params.min_declared_share}: no loading"
        )
    else:
        reason = (
            f"declared only {share} of insurable turnover against the whole-turnover "
            f"minimum {params.min_declared_share}: possible selection of risky deals"
        )
    return Adjustment("declared_share", factor, reason)


def possible_loss_adjustment(table: RateTable, *, possible_loss_rate: Decimal) -> Adjustment:
    """Loading ``1 + slope x (rate - expected)`` when notices of possible loss run high."""
    params = table.renewal
    rate = _share(possible_loss_rate, field="possible_loss_rate")
    excess = max(Decimal(0), rate - params.expected_possible_loss_rate)
    factor = _q6(_ONE + params.possible_loss_slope * excess)
    relation = "above" if excess else "within"
    return Adjustment(
        "possible_loss_rate",
        factor,
        f"possible-loss rate {rate} {relation} the expected {params.expected_possible_loss_rate}",
    )


def propose_renewal_rate(
    *,
    table: RateTable,
    current_rate: Decimal,
    metrics: ReviewMetrics,
    years_insured: int = 1,
    exposure: Decimal | None = None,
    concentration_hhi: Decimal | None = None,
) -> RenewalProposal:
    """Re-price a policy from its year's review metrics, explaining every step.

    ``exposure`` is the credibility ``n`` in the table's exposure unit (USD million in the
    default table); absent, it is the year's ``declared_amount`` / 1,000,000.
    ``concentration_hhi`` is the HHI of the buyer limits; absent, it is estimated as
    ``largest_buyer_share`` squared, a lower bound of the true HHI (so never over-loaded).
    """
    current = to_decimal(current_rate, field="current_rate")
    if current <= 0 or current > 1 or current != _q8(current):
        raise ValidationFailed(
            "current_rate must be in (0, 1] with at most 8 decimals", field="current_rate"
        )
    largest = _share(metrics.largest_buyer_share, field="largest_buyer_share")
    hhi = _q6(largest * largest) if concentration_hhi is None else concentration_hhi
    experience = experience_adjustment(
        table,
        experience=ExporterExperience(
            years=years_insured,
            earned_premium=metrics.premium_earned,
            incurred_claims=metrics.claims_paid,
            exposure=(
                _q6(metrics.declared_amount / Decimal(1_000_000)) if exposure is None else exposure
            ),
        ),
    )
    adjustments = (
        experience,
        declared_share_adjustment(table, declared_share=metrics.declared_share_of_turnover),
        concentration_adjustment(table, hhi=hhi),
        possible_loss_adjustment(table, possible_loss_rate=metrics.possible_loss_rate),
    )
    raw = _ONE
    for adjustment in adjustments:
        raw = _q6(raw * adjustment.factor)
    params = table.renewal
    factor = min(max(raw, params.min_factor), params.max_factor)
    rate, bound = apply_bounds(table, apply_factor(current, factor))
    if factor != raw:
        bound = f"renewal factor held within {params.min_factor}-{params.max_factor}" + (
            f"; {bound}" if bound else ""
        )
    notes = []
    if metrics.declared_amount > 0 and metrics.compliance_rate < 1:
        notes.append(
            f"declarations on time {metrics.compliance_rate}: policy conditions were "
            "breached this year: review before renewing"
        )
    notes.append(f"limit approval rate {metrics.limit_approval_rate}")
    notes.append(f"limit utilisation {metrics.limit_utilisation}")
    return RenewalProposal(
        table.code, table.version, current, adjustments, factor, bound, rate, tuple(notes)
    )


def accept_renewal_rate(proposal: RenewalProposal, *, underwriter: str) -> RenewalDecision:
    """The underwriter accepts the proposed rate."""
    _check_underwriter(underwriter)
    return RenewalDecision(proposal, proposal.proposed_rate, False, underwriter, None)


def override_renewal_rate(
    proposal: RenewalProposal, *, rate: Decimal, reason: str, underwriter: str
) -> RenewalDecision:
    """The underwriter sets another rate; a non-empty reason is required."""
    _check_underwriter(underwriter)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("an override needs a reason", code="reason_required", field="reason")
    new_rate = to_decimal(rate, field="rate")
    if new_rate <= 0 or new_rate > 1 or new_rate != _q8(new_rate):
        raise ValidationFailed("rate must be in (0, 1] with at most 8 decimals", field="rate")
    return RenewalDecision(proposal, new_rate, True, underwriter, reason.strip())


def _check_underwriter(underwriter: str) -> None:
    if not isinstance(underwriter, str) or not underwriter.strip():
        raise ValidationFailed("the deciding underwriter must be named", field="underwriter")


def rate_pct(rate: Decimal) -> Decimal:
    """A rate as a fraction (0.0085) in percent, as a schedule holds it (0.85)."""
    return (rate * 100).normalize()


def stored_proposal(explanation: Any, proposed_terms: dict[str, Any]) -> RenewalProposal:
    """Rebuild the proposal stored in a renewal offer's explanation; an offer made without
    re-pricing proposes its rate.
    """
    data = explanation if isinstance(explanation, dict) else {}
    proposed = Decimal(str(proposed_terms["base_rate_pct"])) / 100
    if data.get("method") != REPRICE_METHOD:
        return RenewalProposal("", 0, proposed, (), Decimal(1), None, proposed, ())
    return RenewalProposal(
        table_code=str(data["table"]["code"]),
        table_version=int(data["table"]["version"]),
        current_rate=Decimal(data["current_rate"]),
        adjustments=tuple(
            Adjustment(a["name"], Decimal(a["factor"]), a["reason"]) for a in data["adjustments"]
        ),
        renewal_factor=Decimal(data["renewal_factor"]),
        bound_applied=data["bound_applied"],
        proposed_rate=Decimal(data["proposed_rate"]),
        notes=tuple(data["notes"]),
    )
