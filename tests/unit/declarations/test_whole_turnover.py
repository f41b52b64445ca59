"""Whole turnover ([002] 3.1): each month's return against that month's declarations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.declarations.whole_turnover import (
    DEFAULT_MIN_DECLARED_SHARE,
    months_between,
    review_whole_turnover,
    turnover_month,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money

OCT, NOV, DEC, JAN = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_each_month_is_compared_with_its_own_declarations() -> None:
    # October: 42,500 declared of 50,000 returned; November declares more than it returned
    # (no offset); December declared 20,000 but sent no return; January returned 5,000 and
    # declared nothing.
    review = review_whole_turnover(
        currency="USD",
        months=[OCT, NOV, DEC, JAN],
        returns={OCT: usd("50000"), NOV: usd("8000"), JAN: usd("5000")},
        declared={OCT: usd("42500"), NOV: usd("10000"), DEC: usd("20000")},
        whole_turnover=True,
    )

    assert [
        (m.month, m.turnover, m.declared, m.undeclared, m.share, m.flagged) for m in review.months
    ] == [
        (OCT, usd("50000"), usd("42500"), usd("7500"), Decimal("0.8500"), True),
        (NOV, usd("8000"), usd("10000"), usd("0"), Decimal("1.0000"), False),
        (DEC, None, usd("20000"), usd("0"), None, False),
        (JAN, usd("5000"), usd("0"), usd("5000"), Decimal("0.0000"), True),
    ]
    assert (review.turnover, review.declared, review.undeclared) == (
        usd("63000"),
        usd("52500"),
        usd("12500"),
    )
    # (63,000 - 12,500) / 63,000 = 0.80158...: the unreturned December stays out
    assert review.declared_share == Decimal("0.8016")
    assert review.min_declared_share == DEFAULT_MIN_DECLARED_SHARE == Decimal("0.95")
    assert review.under_review is True
    assert [m.month for m in review.flagged_months] == [OCT, JAN]
    # December's return is due on 15 January 2027
    assert [m.month for m in review.missing_returns(date(2027, 1, 15))] == []
    assert [m.month for m in review.missing_returns(date(2027, 1, 16))] == [DEC]


def test_the_schedules_threshold_decides_the_review() -> None:
    kwargs: dict[str, Any] = {
        "currency": "USD",
        "months": [OCT],
        "returns": {OCT: usd("100000")},
        "declared": {OCT: usd("90000")},
    }
    assert (
        review_whole_turnover(
            **kwargs,
            whole_turnover=True,
            min_declared_share=Decimal("0.9"),
        ).under_review
        is False
    )
    assert (
        review_whole_turnover(
            **kwargs,
            whole_turnover=True,
            min_declared_share=Decimal("0.9001"),
        ).under_review
        is True
    )
    # a policy that is not whole turnover reports its share but is never under review
    other = review_whole_turnover(**kwargs, whole_turnover=False)
    assert (other.declared_share, other.under_review) == (Decimal("0.9000"), False)


def test_nothing_returned_is_no_share_and_no_review() -> None:
    review = review_whole_turnover(
        currency="USD", months=[OCT], returns={}, declared={OCT: usd("1000")}, whole_turnover=True
    )
    assert (review.turnover, review.declared_share, review.under_review) == (
        usd("0"),
        Decimal(0),
        False,
    )


@pytest.mark.parametrize("share", [Decimal(0), Decimal("1.01"), Decimal("-0.5"), Decimal("NaN")])
def test_a_threshold_outside_zero_to_one_is_refused(share: Decimal) -> None:
    with pytest.raises(ValidationFailed) as e:
        review_whole_turnover(
            currency="USD",
            months=[OCT],
            returns={},
            declared={},
            whole_turnover=True,
            min_declared_share=share,
        )
    assert (e.value.code, e.value.field) == ("share_out_of_range", "min_declared_share")


def test_a_return_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationFailed) as e:
        turnover_month(month=OCT, turnover=Money.of("1", "EUR"), declared=usd("1"))
    assert e.value.code == "currency_mismatch"


def test_months_between_spans_calendar_months() -> None:
    assert months_between(date(2026, 10, 20), date(2027, 1, 3)) == [OCT, NOV, DEC, JAN]
    with pytest.raises(ValidationFailed):
        months_between(NOV, OCT)


cents = st.integers(min_value=0, max_value=10**10)


@given(
    st.lists(st.tuples(st.one_of(st.none(), cents), cents), min_size=1, max_size=12),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1), places=4),
)
def test_laws(months: list[tuple[int | None, int]], threshold: Decimal) -> None:
    firsts = [date(2026 + i // 12, i % 12 + 1, 1) for i in range(len(months))]
    returns = {
        m: Money.from_minor(t, "USD")
        for m, (t, _) in zip(firsts, months, strict=True)
        if t is not None
    }
    declared = {m: Money.from_minor(d, "USD") for m, (_, d) in zip(firsts, months, strict=True)}
    review = review_whole_turnover(
        currency="USD",
        months=firsts,
        returns=returns,
        declared=declared,
        whole_turnover=True,
        min_declared_share=threshold,
    )
    expected_undeclared = sum(max(0, t - d) for t, d in months if t is not None)
    assert review.undeclared == Money.from_minor(expected_undeclared, "USD")
    assert Decimal(0) <= review.declared_share <= Decimal(1)
    for m in review.months:  # a month never offsets another: each remainder is its own
        assert m.undeclared.amount >= 0
        assert m.flagged == (m.undeclared.amount > 0)
    returned = sum(t for t, _ in months if t is not None)
    assert review.under_review == (returned > 0 and review.declared_share < threshold)
