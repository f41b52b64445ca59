"""The under-use rule: peak outstanding over a window and the reduction it proposes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits.under_use import (
    Exposure,
    UnderUseRule,
    outstanding_on,
    peak_outstanding,
    propose_reduction,
    proposed_amount,
)

TODAY = date(2026, 12, 7)
RULE = UnderUseRule(
    max_share=Decimal("0.25"), period_days=180, target_share=Decimal("0.5"), round_to=1000
)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_worked_case_limit_500k_peak_80k_is_reduced_to_161k() -> None:
    """The case in docs/domain/limits.md#l-12."""
    start = RULE.window_start(TODAY)
    assert start == date(2026, 6, 11)
    shipments = [
        Exposure(
            shipped_on=date(2026, 3, 1),
            covered=usd("50000"),
            collections=((date(2026, 6, 20), usd("50000")),),
        ),
        Exposure(
            shipped_on=date(2026, 6, 15),
            covered=usd("30000.40"),
            collections=((date(2026, 8, 1), usd("10000")), (date(2026, 9, 1), usd("20000.40"))),
        ),
        Exposure(shipped_on=date(2026, 10, 1), covered=usd("45000"), ended_on=date(2026, 10, 5)),
        Exposure(shipped_on=date(2026, 11, 2), covered=usd("20000")),
    ]
    # 15 June: 50,000 + 30,000.40 outstanding; 1 October: 45,000 (ended 5 Oct.)
    peak = peak_outstanding(shipments, currency="USD", start=start, end=TODAY)
    assert peak == usd("80000.40")
    assert outstanding_on(shipments, TODAY, currency="USD") == usd("20000")
    proposal = propose_reduction(
        approved=usd("500000"), in_force_since=date(2026, 1, 1), peak=peak, today=TODAY, rule=RULE
    )
    assert proposal is not None
    assert proposal.peak_share == Decimal("0.1600")
    assert proposal.proposed == usd("161000")  # 160,000.80 rounded up to a thousand
    assert proposal.window_start == date(2026, 6, 11)


def test_before_the_window_and_after_the_end_do_not_count() -> None:
    start = date(2026, 6, 11)
    e = Exposure(
        shipped_on=date(2026, 1, 1),
        covered=usd("100"),
        collections=((date(2026, 6, 9), usd("100")),),
    )
    assert peak_outstanding([e], currency="USD", start=start, end=TODAY) == usd("0")
    e2 = Exposure(
        shipped_on=date(2026, 1, 1),
        covered=usd("100"),
        collections=((date(2026, 6, 11), usd("40")),),
    )
    # the end of the first day counts: 60 left
    assert peak_outstanding([e2], currency="USD", start=start, end=TODAY) == usd("60")
    late = Exposure(shipped_on=TODAY + timedelta(days=1), covered=usd("999"))
    assert peak_outstanding([late], currency="USD", start=start, end=TODAY) == usd("0")


def test_collections_beyond_the_cover_leave_nothing_negative() -> None:
    e = Exposure(
        shipped_on=date(2026, 7, 1),
        covered=usd("90"),
        collections=((date(2026, 7, 2), usd("100")),),
    )
    assert e.outstanding_on(date(2026, 7, 2)) == usd("0")
    assert e.outstanding_on(date(2026, 7, 1)) == usd("90")


def test_used_enough_at_the_threshold_is_not_under_used() -> None:
    # exactly 25 % is not below 25 %
    assert (
        propose_reduction(
            approved=usd("400000"),
            in_force_since=date(2026, 1, 1),
            peak=usd("100000"),
            today=TODAY,
            rule=RULE,
        )
        is None
    )
    just_below = propose_reduction(
        approved=usd("400000"),
        in_force_since=date(2026, 1, 1),
        peak=usd("99999.99"),
        today=TODAY,
        rule=RULE,
    )
    assert just_below is not None and just_below.proposed == usd("200000")
    assert just_below.peak_share == Decimal("0.2500")  # rounded for display only


def test_a_limit_changed_inside_the_window_is_not_judged_yet() -> None:
    start = RULE.window_start(TODAY)
    assert (
        propose_reduction(
            approved=usd("500000"),
            in_force_since=start + timedelta(days=1),
            peak=usd("1000"),
            today=TODAY,
            rule=RULE,
        )
        is None
    )
    assert (
        propose_reduction(
            approved=usd("500000"), in_force_since=start, peak=usd("1000"), today=TODAY, rule=RULE
        )
        is not None
    )


def test_unused_limits_are_left_to_the_idle_rule() -> None:
    assert (
        propose_reduction(
            approved=usd("500000"),
            in_force_since=date(2026, 1, 1),
            peak=usd("0"),
            today=TODAY,
            rule=RULE,
        )
        is None
    )


def test_no_proposal_when_rounding_would_not_reduce() -> None:
    rule = UnderUseRule(
        max_share=Decimal("0.25"), period_days=30, target_share=Decimal("0.2"), round_to=1000
    )
    # peak 1,900 < 25 % of 10,000 but 1,900 / 0.2 = 9,500 -> 10,000: not below the limit
    assert (
        propose_reduction(
            approved=usd("10000"),
            in_force_since=date(2026, 1, 1),
            peak=usd("1900"),
            today=TODAY,
            rule=rule,
        )
        is None
    )


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (
            UnderUseRule(max_share=Decimal("0"), period_days=1, target_share=Decimal("0.5")),
            "max_share",
        ),
        (
            UnderUseRule(max_share=Decimal("1"), period_days=1, target_share=Decimal("0.5")),
            "max_share",
        ),
        (
            UnderUseRule(max_share=Decimal("0.2"), period_days=0, target_share=Decimal("0.5")),
            "period_days",
        ),
        (
            UnderUseRule(max_share=Decimal("0.2"), period_days=1, target_share=Decimal("1.01")),
            "target_share",
        ),
        (
            UnderUseRule(
                max_share=Decimal("0.2"), period_days=1, target_share=Decimal("0.5"), round_to=0
            ),
            "round_to",
        ),
    ],
)
def test_bad_rules_are_refused(rule: UnderUseRule, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        rule.check()
    assert err.value.field == field


def test_other_currencies_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        peak_outstanding(
            [Exposure(shipped_on=TODAY, covered=Money.of("1", "EUR"))],
            currency="USD",
            start=TODAY,
            end=TODAY,
        )
    with pytest.raises(ValidationFailed):
        propose_reduction(
            approved=usd("1000"),
            in_force_since=TODAY,
            peak=Money.of("1", "EUR"),
            today=TODAY,
            rule=RULE,
        )


days = st.integers(min_value=0, max_value=60)
exposures = st.lists(
    st.builds(
        lambda ship, amount, paid, paid_after, end_after: Exposure(
            shipped_on=date(2026, 1, 1) + timedelta(days=ship),
            covered=Money.from_minor(amount, "USD"),
            collections=(
                (
                    date(2026, 1, 1) + timedelta(days=ship + paid_after),
                    Money.from_minor(paid, "USD"),
                ),
            ),
            ended_on=None
            if end_after is None
            else date(2026, 1, 1) + timedelta(days=ship + end_after),
        ),
        days,
        st.integers(1, 10**8),
        st.integers(0, 10**8),
        days,
        st.none() | days,
    ),
    max_size=8,
)


@given(exposures, days, days)
def test_peak_is_the_largest_daily_outstanding(items: list[Exposure], a: int, length: int) -> None:
    start = date(2026, 1, 1) + timedelta(days=a)
    end = start + timedelta(days=length)
    every_day = [
        outstanding_on(items, start + timedelta(days=i), currency="USD") for i in range(length + 1)
    ]
    assert peak_outstanding(items, currency="USD", start=start, end=end) == max(every_day)


@given(st.integers(1, 10**9), st.integers(1, 10**9), st.sampled_from([1, 10, 1000]))
def test_a_proposal_is_below_the_limit_and_leaves_the_peak_room(
    approved_minor: int, peak_minor: int, step: int
) -> None:
    approved, peak = Money.from_minor(approved_minor, "USD"), Money.from_minor(peak_minor, "USD")
    rule = UnderUseRule(
        max_share=Decimal("0.3"), period_days=90, target_share=Decimal("0.6"), round_to=step
    )
    proposal = propose_reduction(
        approved=approved, in_force_since=date(2026, 1, 1), peak=peak, today=TODAY, rule=rule
    )
    if peak.amount / approved.amount >= Decimal("0.3"):
        assert proposal is None
        return
    target = proposed_amount(peak=peak, rule=rule)
    assert target.amount % step == 0 and target.amount * Decimal("0.6") >= peak.amount
    assert target.amount - step < peak.amount / Decimal("0.6")
    assert (proposal is None) == (target >= approved)
    if proposal is not None:
        assert proposal.proposed == target and peak < proposal.proposed < approved
