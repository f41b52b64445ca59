"""Tests of utilisation figures, the large-limit watch list and the idle-limit rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import (
    DEFAULT_IDLE_DAYS,
    WatchReason,
    WatchThresholds,
    is_idle,
    is_under_used,
    utilisation,
    watch_list_reasons,
)
from tradecover.limits.utilisation import available, idle_days, utilisation_rate


def usd(amount: str | int) -> Money:
    return Money.of(amount, "USD")


def test_utilisation_worked_example() -> None:
    u = utilisation(approved=usd(200_000), outstanding=Money.of("123456.78", "USD"))
    assert u.available == Money.of("76543.22", "USD")
    assert u.over_limit == usd(0)
    assert u.rate == Decimal("0.6173")


def test_over_the_limit() -> None:
    u = utilisation(approved=usd(100_000), outstanding=usd(130_000))
    assert (u.available, u.over_limit, u.rate) == (usd(0), usd(30_000), Decimal("1.3000"))


def test_zero_limit_has_no_rate() -> None:
    u = utilisation(approved=usd(0), outstanding=usd(5_000))
    assert (u.available, u.over_limit, u.rate) == (usd(0), usd(5_000), None)


@pytest.mark.parametrize(
    ("approved", "outstanding", "code"),
    [
        (usd(1), Money.of("1", "EUR"), "currency_mismatch"),
        (usd(-1), usd(0), "amount_negative"),
        (usd(1), usd(-1), "amount_negative"),
    ],
)
def test_bad_utilisation_inputs(approved: Money, outstanding: Money, code: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        utilisation(approved=approved, outstanding=outstanding)
    assert info.value.code == code


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_available_plus_outstanding_covers_the_limit(approved: int, outstanding: int) -> None:
    a, o = usd(approved), usd(outstanding)
    left = available(approved=a, outstanding=o)
    assert usd(0) <= left <= a
    assert left + o >= a
    rate = utilisation_rate(approved=a, outstanding=o)
    assert rate is None or rate >= 0


def test_watch_list() -> None:
    thresholds = WatchThresholds(single_limit=usd(5_000_000), buyer_total=usd(10_000_000))
    assert watch_list_reasons([usd(1_000_000)], thresholds=thresholds) == ()
    assert watch_list_reasons([usd(5_000_000)], thresholds=thresholds) == (
        WatchReason.LARGE_SINGLE_LIMIT,
    )
    assert watch_list_reasons([usd(4_000_000)] * 3, thresholds=thresholds) == (
        WatchReason.LARGE_BUYER_TOTAL,
    )
    assert watch_list_reasons([usd(6_000_000), usd(4_000_000)], thresholds=thresholds) == (
        WatchReason.LARGE_SINGLE_LIMIT,
        WatchReason.LARGE_BUYER_TOTAL,
    )
    assert watch_list_reasons([], thresholds=thresholds) == ()
    with pytest.raises(ValidationFailed):
        watch_list_reasons([Money.of("1", "EUR")], thresholds=thresholds)


def test_idle_rule() -> None:
    start, zero = date(2026, 1, 1), usd(0)
    assert DEFAULT_IDLE_DAYS == 180
    assert idle_days(effective_from=start, last_used_on=None, today=date(2026, 6, 30)) == 180
    assert is_idle(
        effective_from=start, last_used_on=None, outstanding=zero, today=date(2026, 6, 30)
    )
    assert not is_idle(
        effective_from=start, last_used_on=None, outstanding=zero, today=date(2026, 6, 29)
    )
    # Used on 1 March: idle again only 180 days later.
    assert not is_idle(
        effective_from=start,
        last_used_on=date(2026, 3, 1),
        outstanding=zero,
        today=date(2026, 6, 30),
    )
    assert is_idle(
        effective_from=start,
        last_used_on=date(2026, 3, 1),
        outstanding=zero,
        today=date(2026, 8, 28),
    )
    # Receivables still outstanding: in use.
    assert not is_idle(
        effective_from=start, last_used_on=None, outstanding=usd(1), today=date(2027, 1, 1)
    )
    # Configurable period.
    assert is_idle(
        effective_from=start,
        last_used_on=None,
        outstanding=zero,
        today=date(2026, 1, 31),
        idle_after_days=30,
    )
    with pytest.raises(ValidationFailed) as info:
        is_idle(
            effective_from=start,
            last_used_on=None,
            outstanding=zero,
            today=start,
            idle_after_days=0,
        )
    assert info.value.code == "invalid_idle_days"


def test_under_used() -> None:
    assert is_under_used(
        approved=usd(100_000), peak_outstanding=usd(9_999), min_rate=Decimal("0.1")
    )
    assert not is_under_used(
        approved=usd(100_000), peak_outstanding=usd(10_000), min_rate=Decimal("0.1")
    )
    assert not is_under_used(approved=usd(0), peak_outstanding=usd(0), min_rate=Decimal("0.1"))
