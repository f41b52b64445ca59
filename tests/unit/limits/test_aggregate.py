"""Tests of the buyer aggregate limit: suggestion from the rating and risk-manager override."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradecover.buyers import (
    AdverseEvent,
    BankProfile,
    BuyerProfile,
    CompanyType,
    Sector,
    SizeBand,
    rate_bank,
    rate_buyer,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import (
    AggregateLimit,
    clear_override,
    override_aggregate,
    room_left,
    suggested_bank_aggregate,
    suggested_buyer_aggregate,
)


def test_suggestion_is_grade_capacity_times_size_factor() -> None:
    rating = rate_buyer(
        BuyerProfile(
            country_class=2,
            company_type=CompanyType.PRIVATE,
            size=SizeBand.MEDIUM,
            sector=Sector.MACHINERY,
        )
    )
    assert rating.grade == 8  # score 60
    # Grade 8 capacity 10,000,000 x medium 0.4.
    assert suggested_buyer_aggregate(rating, size=SizeBand.MEDIUM) == Money.of("4000000", "USD")
    assert suggested_buyer_aggregate(rating, size=SizeBand.MICRO) == Money.of("500000", "USD")
    assert suggested_buyer_aggregate(rating, size=SizeBand.VERY_LARGE) == Money.of(
        "20000000", "USD"
    )


def test_hard_stop_has_no_capacity() -> None:
    rating = rate_buyer(
        BuyerProfile(
            country_class=0,
            company_type=CompanyType.LISTED,
            size=SizeBand.VERY_LARGE,
            sector=Sector.UTILITIES,
            adverse_events=frozenset({AdverseEvent.SANCTIONS_HIT}),
        )
    )
    assert suggested_buyer_aggregate(rating, size=SizeBand.VERY_LARGE) == Money.zero("USD")
    bank = rate_bank(
        BankProfile(
            country_class=0,
            rank=1,
            total_assets=None,
            capital_adequacy_ratio=None,
            adverse_events=frozenset({AdverseEvent.SANCTIONS_HIT}),
        )
    )
    assert suggested_bank_aggregate(bank) == Money.zero("USD")


def test_bank_capacity() -> None:
    bank = rate_bank(
        BankProfile(
            country_class=1,
            rank=120,
            total_assets=Money.of("250000000000", "USD"),
            capital_adequacy_ratio=Decimal("0.135"),
        )
    )
    assert bank.grade == 3
    assert suggested_bank_aggregate(bank) == Money.of("60000000", "USD")


def test_override_keeps_the_suggestion() -> None:
    limit = AggregateLimit(suggested=Money.of("4000000", "USD"), model_version="m")
    assert limit.effective == Money.of("4000000", "USD")
    overridden = override_aggregate(
        limit,
        amount=Money.of("2500000.004", "USD"),
        reason="  concentration in one sector ",
        set_by="user:7",
    )
    assert overridden.effective == Money.of("2500000.00", "USD")
    assert overridden.suggested == Money.of("4000000", "USD")
    assert overridden.override is not None
    assert (overridden.override.reason, overridden.override.set_by) == (
        "concentration in one sector",
        "user:7",
    )
    assert overridden.is_overridden
    assert clear_override(overridden) == limit
    zero = override_aggregate(limit, amount=Money.zero("USD"), reason="stop", set_by="u")
    assert zero.effective.is_zero()


@pytest.mark.parametrize(
    ("amount", "reason", "code"),
    [
        (Money.of("-1", "USD"), "r", "amount_negative"),
        (Money.of("1", "EUR"), "r", "currency_mismatch"),
        (Money.of("1", "USD"), "  ", "override_reason_required"),
    ],
)
def test_bad_override(amount: Money, reason: str, code: str) -> None:
    limit = AggregateLimit(suggested=Money.of("4000000", "USD"), model_version="m")
    with pytest.raises(ValidationFailed) as info:
        override_aggregate(limit, amount=amount, reason=reason, set_by="u")
    assert info.value.code == code
    assert limit.override is None


def test_room_left_never_negative() -> None:
    agg = Money.of("1000", "USD")
    assert room_left(agg, committed=Money.of("400", "USD")) == Money.of("600", "USD")
    assert room_left(agg, committed=Money.of("1500", "USD")) == Money.zero("USD")
