"""Renewal re-pricing from the year's review ([domain R-9])."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.policies.review import ReviewMetrics
from tradecover.pricing.rate_table import default_rate_table
from tradecover.pricing.renewal import (
    RenewalProposal,
    accept_renewal_rate,
    override_renewal_rate,
    propose_renewal_rate,
)

TABLE = default_rate_table()


def metrics(**changes: Any) -> ReviewMetrics:
    """The policies context's review metrics of a clean year (20 million declared)."""
    base: dict[str, Any] = {
        "compliance_rate": Decimal("1"),
        "premium_earned": Decimal("50000"),
        "claims_paid": Decimal("30000"),
        "declared_amount": Decimal("20000000"),
        "declared_share_of_turnover": Decimal("0.95"),
        "largest_buyer_share": Decimal("0.40"),  # HHI estimated 0.16: under the threshold
        "possible_loss_rate": Decimal("0.005"),
        "limit_approval_rate": Decimal("0.9"),
        "limit_utilisation": Decimal("0.6"),
    }
    return ReviewMetrics(**{**base, **changes})


def propose(current_rate: str = "0.0075", **changes: Any) -> RenewalProposal:
    """Propose on the default table with two years insured."""
    hhi = changes.pop("concentration_hhi", None)
    return propose_renewal_rate(
        table=TABLE,
        current_rate=Decimal(current_rate),
        metrics=metrics(**changes),
        years_insured=2,
        concentration_hhi=hhi,
    )


def test_clean_year_at_expected_loss_ratio_keeps_the_rate() -> None:
    proposal = propose()
    assert proposal.renewal_factor == Decimal("1.000000")
    assert proposal.proposed_rate == Decimal("0.00750000")
    assert [a.name for a in proposal.adjustments] == [
        "experience",
        "declared_share",
        "concentration",
        "possible_loss_rate",
    ]


def test_bad_year_is_loaded_with_each_reason() -> None:
    proposal = propose(
        claims_paid=Decimal("60000"),  # LR 120 %: 1 + 0.5 x 1 = 1.5
        declared_share_of_turnover=Decimal("0.70"),  # 1 + 1 x 0.10 = 1.1
        concentration_hhi=Decimal("0.35"),  # 1 + 0.4 x 0.10 = 1.04
        possible_loss_rate=Decimal("0.02"),  # 1 + 10 x 0.01 = 1.1
        compliance_rate=Decimal("0.8"),
    )
    assert [a.factor for a in proposal.adjustments] == [
        Decimal("1.500000"),
        Decimal("1.100000"),
        Decimal("1.040000"),
        Decimal("1.100000"),
    ]
    # product 1.8876 held at the renewal maximum 1.5
    assert proposal.renewal_factor == Decimal("1.50")
    assert proposal.proposed_rate == Decimal("0.01125000")
    assert proposal.bound_applied == "renewal factor held within 0.80-1.50"
    assert "breached" in proposal.notes[0]
    assert proposal.to_dict()["proposed_rate"] == "0.01125000"


def test_good_record_earns_a_discount() -> None:
    proposal = propose(claims_paid=Decimal("0"))
    # LR 0: 1 + 0.5 x (0 - 1) = 0.5, held by the experience minimum 0.70
    assert proposal.adjustments[0].factor == Decimal("0.70")
    assert proposal.proposed_rate == Decimal("0.00600000")  # renewal floor 0.80


def test_underwriter_accepts_or_overrides_with_a_reason() -> None:
    proposal = propose()
    accepted = accept_renewal_rate(proposal, underwriter="u.chen")
    assert (accepted.rate, accepted.overridden, accepted.reason) == (
        Decimal("0.00750000"),
        False,
        None,
    )
    overridden = override_renewal_rate(
        proposal,
        rate=Decimal("0.0070"),
        reason="  new collateral from the parent  ",
        underwriter="u.chen",
    )
    assert (overridden.rate, overridden.overridden, overridden.reason) == (
        Decimal("0.0070"),
        True,
        "new collateral from the parent",
    )


@pytest.mark.parametrize(
    ("reason", "rate", "field"),
    [
        ("", Decimal("0.007"), "reason"),
        ("   ", Decimal("0.007"), "reason"),
        ("ok", Decimal("0"), "rate"),
        ("ok", Decimal("0.0070000001"), "rate"),
    ],
)
def test_override_needs_reason_and_sane_rate(reason: str, rate: Decimal, field: str) -> None:
    proposal = propose()
    with pytest.raises(ValidationFailed) as error:
        override_renewal_rate(proposal, rate=rate, reason=reason, underwriter="u.chen")
    assert error.value.field == field


def test_bad_metrics_name_the_field() -> None:
    with pytest.raises(ValidationFailed) as error:
        propose(declared_share_of_turnover=Decimal("1.2"))
    assert error.value.field == "declared_share_of_turnover"


def test_hhi_is_estimated_from_the_largest_buyer_share_when_not_given() -> None:
    proposal = propose(largest_buyer_share=Decimal("0.70"))  # HHI >= 0.49: 1 + 0.4 x 0.24
    assert proposal.adjustments[2].factor == Decimal("1.096000")
    assert "HHI 0.49" in proposal.adjustments[2].reason
    assert proposal.notes == ("limit approval rate 0.9", "limit utilisation 0.6")
