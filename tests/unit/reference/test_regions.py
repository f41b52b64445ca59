"""Tests of China and Korea regions (ISO 3166-2)."""

from __future__ import annotations

import pytest

from tradecover.reference import UnknownRegion, check_region, regions
from tradecover.reference.regions import region


def test_korea_regions() -> None:
    """Check: korea regions."""
    kr = regions("KR")
    codes = {r.code for r in kr}
    assert len(kr) == 17
    assert {"KR-11", "KR-26", "KR-41", "KR-49", "KR-50"} <= codes
    assert region("KR-11").name.startswith("Seoul")


def test_china_regions() -> None:
    """Check: china regions."""
    cn = regions("CN")
    codes = {r.code for r in cn}
    assert len(cn) >= 31
    assert {"CN-BJ", "CN-SH", "CN-GD", "CN-ZJ", "CN-JS"} <= codes
    assert all(r.country == "CN" for r in cn)


def test_all_regions() -> None:
    """Check: all regions."""
    assert len(regions()) == len(regions("CN")) + len(regions("KR"))


def test_check_region() -> None:
    """Check: check region."""
    assert check_region("CN-GD") == "CN-GD"
    assert check_region("KR-26", country="KR") == "KR-26"
    for bad, country in [("CN-GD", "KR"), ("JP-13", None), ("KR-99", None), (11, None)]:
        with pytest.raises(UnknownRegion) as info:
            check_region(bad, country=country)
        assert info.value.code == "unknown_region"


def test_regions_of_other_country_refused() -> None:
    """Check: regions of other country refused."""
    with pytest.raises(UnknownRegion):
        regions("JP")
