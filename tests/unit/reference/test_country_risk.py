"""Tests of the shipped OECD country risk classification and its metadata."""

from __future__ import annotations

import csv
import json
from datetime import date
from importlib.resources import files

import pycountry
import pytest

from tradecover.reference import (
    ClassificationBasis,
    InvalidRiskClass,
    UnknownCountry,
    check_risk_class,
    classification_source,
    risk_entry,
    shipped_classification,
    shipped_risk_class,
)

DATA = files("tradecover.reference").joinpath("data")


def _rows() -> list[dict[str, str]]:
    text = DATA.joinpath("oecd_country_risk_classification.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("DE", 0),
        ("US", 0),
        ("JP", 0),
        ("KR", 0),
        ("SG", 0),
        ("CN", 2),
        ("AE", 2),
        ("IN", 3),
        ("MX", 3),
        ("BR", 4),
        ("VN", 4),
        ("TR", 5),
        ("GE", 5),
        ("EG", 6),
        ("NG", 6),
        ("AR", 7),
        ("RU", 7),
    ],
)
def test_known_classes(code: str, expected: int) -> None:
    """Check: known classes."""
    assert shipped_risk_class(code) == expected


def test_high_income_oecd_and_euro_area_are_zero_with_their_basis() -> None:
    """Check: high income oecd and euro area are zero with their basis."""
    for code in ("DE", "US", "FR", "HR", "MT"):
        entry = risk_entry(code)
        assert entry.risk_class == 0
        assert entry.basis is ClassificationBasis.HIGH_INCOME_OECD_EURO_AREA
    assert risk_entry("SG").basis is ClassificationBasis.CLASSIFIED


@pytest.mark.parametrize("code", ["GL", "PR", "AQ", "LI", "MC", "MO", "BB", "TV"])
def test_unclassified_is_none(code: str) -> None:
    """Check: unclassified is none."""
    entry = risk_entry(code)
    assert entry.risk_class is None
    assert not entry.is_classified
    assert entry.basis in (ClassificationBasis.NOT_CLASSIFIED, ClassificationBasis.NOT_LISTED)


def test_every_csv_code_is_a_real_iso_country() -> None:
    """Check: every csv code is a real iso country."""
    codes = [row["alpha2"] for row in _rows()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert pycountry.countries.get(alpha_2=code) is not None, code


def test_every_iso_country_appears() -> None:
    """Check: every iso country appears."""
    shipped = {e.country for e in shipped_classification()}
    assert shipped == {c.alpha_2 for c in pycountry.countries}


def test_class_values_and_basis_agree() -> None:
    """Check: class values and basis agree."""
    for row in _rows():
        assert row["risk_class"] in {"", *map(str, range(8))}
        has_class = row["risk_class"] != ""
        assert has_class == (row["basis"] in {"classified", "high_income_oecd_euro_area"})


def test_metadata_names_source_and_date() -> None:
    """Check: metadata names source and date."""
    source = classification_source()
    assert "Arrangement on Officially Supported Export Credits" in source.title
    assert source.edition_date == date(2026, 1, 30)
    assert source.url.startswith("https://www.oecd.org/")
    assert source.obtained_from["commit"]


def test_metadata_counts_match_the_file() -> None:
    """Check: metadata counts match the file."""
    meta = json.loads(
        DATA.joinpath("oecd_country_risk_classification.json").read_text(encoding="utf-8")
    )
    entries = shipped_classification()
    counts = meta["counts"]
    assert counts["rows"] == len(entries)
    assert counts["with_class"] == sum(e.is_classified for e in entries)
    assert counts["unclassified"] == sum(not e.is_classified for e in entries)
    for basis in ClassificationBasis:
        assert counts[basis.value] == sum(e.basis is basis for e in entries)


def test_unknown_country_code() -> None:
    """Check: unknown country code."""
    with pytest.raises(UnknownCountry):
        shipped_risk_class("ZZ")


@pytest.mark.parametrize("bad", [-1, 8, "3", 2.0, True, None])
def test_check_risk_class_refuses(bad: object) -> None:
    """Check: check risk class refuses."""
    with pytest.raises(InvalidRiskClass) as info:
        check_risk_class(bad)
    assert info.value.code == "invalid_risk_class"


def test_check_risk_class_accepts() -> None:
    """Check: check risk class accepts."""
    assert [check_risk_class(i) for i in range(8)] == list(range(8))
