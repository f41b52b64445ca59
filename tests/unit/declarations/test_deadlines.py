"""Declaration deadlines per frequency, late flags and the declared share of turnover."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.declarations import (
    DeadlineRules,
    DeclarationPeriod,
    compliance_rate,
    declaration_due_date,
    declaration_period,
    declaration_timing,
    declared_share_of_turnover,
    periods_due_between,
    pro_rata_turnover,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.policies.schedule import DeclarationFrequency as F


@pytest.mark.parametrize(
    ("frequency", "shipped", "start", "end", "due"),
    [
        (F.MONTHLY, date(2026, 10, 3), date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 15)),
        (F.MONTHLY, date(2026, 10, 31), date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 15)),
        (F.MONTHLY, date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 15)),
        (F.MONTHLY, date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 15)),
        # Wednesday 7 October 2026: week Monday 5 to Sunday 11, due Sunday 18.
        (F.WEEKLY, date(2026, 10, 7), date(2026, 10, 5), date(2026, 10, 11), date(2026, 10, 18)),
        (F.WEEKLY, date(2026, 10, 11), date(2026, 10, 5), date(2026, 10, 11), date(2026, 10, 18)),
        (F.WEEKLY, date(2026, 12, 30), date(2026, 12, 28), date(2027, 1, 3), date(2027, 1, 10)),
        (
            F.IMMEDIATE,
            date(2026, 10, 30),
            date(2026, 10, 30),
            date(2026, 10, 30),
            date(2026, 11, 2),
        ),
    ],
)
def test_declaration_period_and_due_date(
    frequency: F,
    shipped: date,
    start: date,
    end: date,
    due: date,
) -> None:
    assert declaration_period(frequency, shipped) == DeclarationPeriod(start, end, due)
    assert declaration_due_date(frequency, shipped) == due


def test_rules_can_be_changed_per_policy() -> None:
    rules = DeadlineRules(monthly_due_day=10, weekly_days_after_week=3, immediate_days=0)
    assert declaration_due_date(F.MONTHLY, date(2026, 10, 3), rules=rules) == date(2026, 11, 10)
    assert declaration_due_date(F.WEEKLY, date(2026, 10, 7), rules=rules) == date(2026, 10, 14)
    assert declaration_due_date(F.IMMEDIATE, date(2026, 10, 7), rules=rules) == date(2026, 10, 7)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_due_day": 0}, "monthly_due_day"),
        ({"monthly_due_day": 29}, "monthly_due_day"),
        ({"weekly_days_after_week": -1}, "weekly_days_after_week"),
        ({"immediate_days": 91}, "immediate_days"),
    ],
)
def test_bad_rules_are_refused(changes: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        DeadlineRules(**changes)
    assert (caught.value.code, caught.value.field) == ("deadline_out_of_range", field)


def test_on_the_due_date_is_on_time_and_a_day_later_is_late() -> None:
    on_time = declaration_timing(
        frequency=F.MONTHLY, shipment_date=date(2026, 10, 3), declared_on=date(2026, 11, 15)
    )
    assert (on_time.due, on_time.late, on_time.days_late) == (date(2026, 11, 15), False, 0)
    late = declaration_timing(
        frequency=F.MONTHLY, shipment_date=date(2026, 10, 3), declared_on=date(2026, 11, 18)
    )
    assert (late.late, late.days_late) == (True, 3)
    early = declaration_timing(
        frequency=F.IMMEDIATE, shipment_date=date(2026, 10, 3), declared_on=date(2026, 10, 3)
    )
    assert (early.late, early.days_late, early.declared_on) == (False, 0, date(2026, 10, 3))


def test_periods_due_between() -> None:
    monthly = periods_due_between(
        frequency=F.MONTHLY, start=date(2026, 11, 1), end=date(2026, 12, 20)
    )
    assert monthly == [
        DeclarationPeriod(date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 15)),
        DeclarationPeriod(date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 15)),
    ]
    weekly = periods_due_between(
        frequency=F.WEEKLY, start=date(2026, 10, 18), end=date(2026, 10, 25)
    )
    assert [p.due for p in weekly] == [date(2026, 10, 18), date(2026, 10, 25)]
    immediate = periods_due_between(
        frequency=F.IMMEDIATE, start=date(2026, 10, 10), end=date(2026, 10, 11)
    )
    assert [p.start for p in immediate] == [date(2026, 10, 7), date(2026, 10, 8)]
    assert (
        periods_due_between(frequency=F.MONTHLY, start=date(2026, 11, 16), end=date(2026, 12, 14))
        == []
    )
    with pytest.raises(ValidationFailed) as caught:
        periods_due_between(frequency=F.WEEKLY, start=date(2026, 10, 2), end=date(2026, 10, 1))
    assert (caught.value.code, caught.value.field) == ("invalid_range", "end")


@given(
    frequency=st.sampled_from(list(F)),
    shipped=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_every_shipment_falls_in_exactly_one_period_due_after_it(
    frequency: F,
    shipped: date,
) -> None:
    period = declaration_period(frequency, shipped)
    assert period.start <= shipped <= period.end <= period.due
    found = periods_due_between(frequency=frequency, start=period.due, end=period.due)
    assert period in found


def test_declared_share_of_turnover() -> None:
    usd = "USD"
    declared = [Money.of("600000", usd), Money.of("150000", usd)]
    assert declared_share_of_turnover(
        declared=declared, turnover=Money.of("1000000", usd)
    ) == Decimal("0.7500")
    assert declared_share_of_turnover(
        declared=[Money.of("1", usd)], turnover=Money.of("3", usd)
    ) == Decimal("0.3333")
    assert declared_share_of_turnover(
        declared=[Money.of("2", usd)], turnover=Money.of("3", usd)
    ) == Decimal("0.6667")
    assert declared_share_of_turnover(declared=[], turnover=Money.zero(usd)) == Decimal(0)
    with pytest.raises(ValidationFailed) as caught:
        declared_share_of_turnover(declared=[], turnover=Money.of("-1", usd))
    assert (caught.value.code, caught.value.field) == ("negative_turnover", "turnover")


def test_pro_rata_turnover() -> None:
    year = {"inception": date(2026, 1, 1), "expiry": date(2026, 12, 31)}
    expected = Money.of("365000.00", "USD")
    assert pro_rata_turnover(
        expected_turnover=expected, as_of=date(2026, 1, 31), **year
    ) == Money.of("31000.00", "USD")
    assert pro_rata_turnover(
        expected_turnover=expected, as_of=date(2025, 12, 31), **year
    ) == Money.of("0.00", "USD")
    assert pro_rata_turnover(expected_turnover=expected, as_of=date(2027, 6, 1), **year) == expected
    odd = Money.of("1000", "USD")
    assert pro_rata_turnover(expected_turnover=odd, as_of=date(2026, 1, 1), **year) == Money.of(
        "2.74", "USD"
    )  # 1000 / 365 = 2.7397
    with pytest.raises(ValidationFailed) as caught:
        pro_rata_turnover(
            expected_turnover=odd,
            inception=date(2026, 2, 1),
            expiry=date(2026, 1, 1),
            as_of=date(2026, 1, 1),
        )
    assert caught.value.code == "invalid_range"


def test_compliance_rate() -> None:
    assert compliance_rate(on_time=2, due=3) == Decimal("0.6667")
    assert compliance_rate(on_time=0, due=0) == Decimal(0)
    assert compliance_rate(on_time=5, due=5) == Decimal(1)
    with pytest.raises(ValidationFailed) as caught:
        compliance_rate(on_time=4, due=3)
    assert (caught.value.code, caught.value.field) == ("invalid_count", "on_time")
