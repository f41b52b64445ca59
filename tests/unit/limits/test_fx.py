"""The fixed exchange-rate table used to reserve limits on the USD caps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, minor_unit
from tradecover.limits.fx import CAP_CURRENCY, USD_PER_UNIT, from_usd, to_usd


def test_to_usd_rounds_half_up_to_the_cent() -> None:
    assert to_usd(Money.of("100000", "EUR")) == Money.of("108000.00", "USD")
    assert to_usd(Money.of("1000001", "KRW")) == Money.of("720.00", "USD")
    assert to_usd(Money.of("0.05", "CNY")) == Money.of("0.01", "USD")  # 0.0069 rounds up


def test_from_usd_rounds_down_so_the_room_is_never_overstated() -> None:
    assert from_usd(Money.of("108000", "USD"), "EUR") == Money.of("100000.00", "EUR")
    assert from_usd(Money.of("1", "USD"), "KRW") == Money.of("1388", "KRW")  # 1388.88...
    assert from_usd(Money.of("1", "USD"), "EUR") == Money.of("0.92", "EUR")  # 0.9259...


def test_every_rate_round_trips_within_a_cent_of_usd() -> None:
    for currency, rate in USD_PER_UNIT.items():
        amount = Money.of("123456.78" if minor_unit(currency) else "123456", currency)
        back = from_usd(to_usd(amount), currency)
        step = Decimal(1).scaleb(-minor_unit(currency))
        assert amount.amount - Decimal("0.01") / rate - step <= back.amount, currency
        assert back.amount <= amount.amount + Decimal("0.005") / rate, currency
    assert USD_PER_UNIT[CAP_CURRENCY] == 1


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        to_usd(Money.of("1", "BRL"))
    assert refused.value.code == "currency_not_supported"
    with pytest.raises(ValidationFailed):
        from_usd(Money.of("1", "EUR"), "USD")
