"""Tests of payment terms and credit period bands."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.reference import (
    CREDIT_PERIOD_BANDS,
    MAX_SHORT_TERM_CREDIT_DAYS,
    CreditPeriodOutOfRange,
    PaymentTerms,
    band_for,
    check_credit_period,
)
from tradecover.reference.payment_terms import payment_terms_by_risk


def test_labels() -> None:
    """Check: labels."""
    assert PaymentTerms.LC.label == "letter of credit"
    assert PaymentTerms.DP.label == "documents against payment"
    assert PaymentTerms.DA.label == "documents against acceptance"
    assert PaymentTerms.OA.label == "open account"
    assert PaymentTerms("OA") is PaymentTerms.OA
    assert str(PaymentTerms.DA) == "DA"


def test_riskiness_order() -> None:
    """Check: riskiness order."""
    assert payment_terms_by_risk() == (
        PaymentTerms.LC,
        PaymentTerms.DP,
        PaymentTerms.DA,
        PaymentTerms.OA,
    )
    assert PaymentTerms.OA.riskier_than(PaymentTerms.DA)
    assert PaymentTerms.DA.riskier_than(PaymentTerms.DP)
    assert PaymentTerms.DP.riskier_than(PaymentTerms.LC)
    assert not PaymentTerms.LC.riskier_than(PaymentTerms.LC)
    assert sorted(PaymentTerms, key=lambda t: t.risk_rank)[-1] is PaymentTerms.OA


@pytest.mark.parametrize(
    ("days", "bounds"),
    [
        (0, (0, 30)),
        (30, (0, 30)),
        (31, (31, 60)),
        (60, (31, 60)),
        (61, (61, 90)),
        (90, (61, 90)),
        (91, (91, 120)),
        (120, (91, 120)),
        (121, (121, 180)),
        (180, (121, 180)),
        (181, (181, 360)),
        (360, (181, 360)),
    ],
)
def test_band_edges(days: int, bounds: tuple[int, int]) -> None:
    """Check: band edges."""
    band = band_for(days)
    assert (band.min_days, band.max_days) == bounds
    assert band.contains(days)


@pytest.mark.parametrize("days", [-1, 361, 1000])
def test_out_of_range(days: int) -> None:
    """Check: out of range."""
    with pytest.raises(CreditPeriodOutOfRange) as info:
        band_for(days)
    assert info.value.code == "credit_period_out_of_range"
    assert info.value.status == 422


@pytest.mark.parametrize("bad", [30.0, "30", True, None])
def test_not_whole_days(bad: object) -> None:
    """Check: not whole days."""
    with pytest.raises(CreditPeriodOutOfRange):
        check_credit_period(bad)


def test_bands_are_contiguous() -> None:
    """Check: bands are contiguous."""
    assert CREDIT_PERIOD_BANDS[0].min_days == 0
    assert CREDIT_PERIOD_BANDS[-1].max_days == MAX_SHORT_TERM_CREDIT_DAYS == 360
    for lower, upper in itertools.pairwise(CREDIT_PERIOD_BANDS):
        assert upper.min_days == lower.max_days + 1
    assert len({b.code for b in CREDIT_PERIOD_BANDS}) == len(CREDIT_PERIOD_BANDS)


@given(st.integers(min_value=0, max_value=MAX_SHORT_TERM_CREDIT_DAYS))
def test_every_day_has_exactly_one_band(days: int) -> None:
    """Check: every day has exactly one band."""
    assert sum(b.contains(days) for b in CREDIT_PERIOD_BANDS) == 1
    assert band_for(days).contains(days)
