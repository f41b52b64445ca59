"""Money laws: exact decimals, per-currency half-up rounding, allocation conserves the cent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import (
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    allocate,
    minor_unit,
    round_money,
)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [
        ("USD", 2),
        ("CNY", 2),
        ("EUR", 2),
        ("KRW", 0),
        ("JPY", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("CLF", 4),
    ],
)
def test_minor_units_come_from_iso_4217(currency: str, digits: int) -> None:
    assert minor_unit(currency) == digits


@pytest.mark.parametrize("code", ["XAU", "XTS", "XXX", "usd", "US", "ZZZ", ""])
def test_codes_without_a_minor_unit_are_not_money(code: str) -> None:
    with pytest.raises(UnknownCurrency) as raised:
        Money.of("1", code)
    assert raised.value.code == "unknown_currency"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("10.005", "USD", "10.01"),
        ("10.0049", "USD", "10.00"),
        ("-10.005", "USD", "-10.01"),
        ("1500.5", "KRW", "1501"),
        ("1499.4999", "KRW", "1499"),
        ("0.0005", "KWD", "0.001"),
    ],
)
def test_rounding_is_half_up_to_the_minor_unit(amount: str, currency: str, expected: str) -> None:
    assert round_money(Decimal(amount), currency) == Decimal(expected)


def test_floats_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        Money.of(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of("1", "USD") * 0.5  # type: ignore[operator]


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "USD") + Money.of("1", "EUR")


def test_minor_unit_storage_round_trips() -> None:
    money = Money.of("1234.56", "USD")
    assert money.minor_units() == 123456
    assert Money.from_minor(123456, "USD") == money
    assert Money.from_minor(1500, "KRW").amount == Decimal(1500)


@given(
    total=st.decimals(min_value=0, max_value=10**12, places=2),
    weights=st.lists(
        st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=12
    ).filter(lambda w: sum(w) > 0),
    currency=st.sampled_from(["USD", "KRW", "KWD"]),
)
def test_allocation_conserves_every_minor_unit(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    whole = Money.of(total, currency).rounded()
    parts = allocate(whole, weights)
    assert sum(p.minor_units() for p in parts) == whole.minor_units()
    assert all(p.amount >= 0 for p in parts)
    for part, weight in zip(parts, weights, strict=True):
        exact = whole.amount * weight / sum(weights)
        assert abs(part.amount - exact) < Decimal(1).scaleb(-minor_unit(currency))


def test_allocation_refuses_empty_weights() -> None:
    with pytest.raises(ValidationFailed):
        allocate(Money.of("1", "USD"), [Decimal(0)])
