"""Tests of ISO 3166-1 country lookup and validation, and the currency re-exports."""

from __future__ import annotations

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.reference import (
    UnknownCountry,
    UnknownCurrency,
    all_countries,
    check_country,
    check_currency,
    country,
    country_name,
    is_country,
    minor_unit,
)


def test_known_countries() -> None:
    """Check: known countries."""
    assert check_country("DE") == "DE"
    assert country_name("KR") == "South Korea"
    assert country("KR").official_name is None or "Korea" in country("KR").name
    assert country("CN").alpha3 == "CHN"
    assert country_name("TW")  # Taiwan is in ISO 3166-1


@pytest.mark.parametrize("bad", ["de", "DEU", "XX", "", "D", 49, None, "XK"])
def test_unknown_country_is_refused(bad: object) -> None:
    """Check: unknown country is refused."""
    assert not is_country(bad)
    with pytest.raises(UnknownCountry) as info:
        check_country(bad, field="buyer_country")
    assert isinstance(info.value, ValidationFailed)
    assert info.value.code == "unknown_country"
    assert info.value.field == "buyer_country"
    assert info.value.status == 422


def test_all_countries_is_sorted_and_complete() -> None:
    """Check: all countries is sorted and complete."""
    codes = [c.alpha2 for c in all_countries()]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes)) >= 249
    assert {"US", "DE", "CN", "KR", "JP", "GB"} <= set(codes)


@pytest.mark.parametrize(
    ("currency", "decimals"), [("KRW", 0), ("JPY", 0), ("USD", 2), ("CNY", 2), ("KWD", 3)]
)
def test_currency_minor_units(currency: str, decimals: int) -> None:
    """Check: currency minor units."""
    assert minor_unit(currency) == decimals


def test_unknown_currency() -> None:
    """Check: unknown currency."""
    with pytest.raises(UnknownCurrency) as info:
        check_currency("ABC")
    assert info.value.code == "unknown_currency"
