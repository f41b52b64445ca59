"""Tests of HS chapters and HS code validation."""

from __future__ import annotations

import pytest

from tradecover.reference import UnknownHsCode, chapter_of, check_hs_code, hs_chapters
from tradecover.reference.hs import ChapterStatus, hs_chapter


def test_chapter_table() -> None:
    """Check: chapter table."""
    everything = hs_chapters(include_unusable=True)
    assert [c.code for c in everything] == [f"{n:02d}" for n in range(1, 100)]
    active = hs_chapters()
    assert len(active) == 96
    assert "77" not in {c.code for c in active}
    assert hs_chapter("77").status is ChapterStatus.RESERVED
    assert hs_chapter("98").status is ChapterStatus.NATIONAL_USE
    assert hs_chapter("99").status is ChapterStatus.NATIONAL_USE
    assert all(c.description for c in everything)
    assert all(c.section for c in active)


@pytest.mark.parametrize(
    ("code", "normalised", "chapter"),
    [
        ("01", "01", "01"),
        ("8471", "8471", "84"),
        ("847130", "847130", "84"),
        ("8471.30", "847130", "84"),
        ("8471.30.01", "84713001", "84"),
        ("8517130000", "8517130000", "85"),
        ("9706 10", "970610", "97"),
        ("7801", "7801", "78"),
    ],
)
def test_valid_codes(code: str, normalised: str, chapter: str) -> None:
    """Check: valid codes."""
    assert check_hs_code(code) == normalised
    assert chapter_of(code).code == chapter


def test_known_descriptions() -> None:
    """Check: known descriptions."""
    assert chapter_of("0101").description == "Live animals"
    assert chapter_of("87").description.startswith("Vehicles other than railway")
    assert "luminaires" in chapter_of("9405").description


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1",
        "123",
        "12345",
        "1234567",
        "123456789",
        "12345678901",
        "00",
        "0000",
        "7701",
        "7700000000",
        "9801",
        "9999",
        "84a1",
        "\uff18\uff14\uff17\uff11",
        "-847",
        8471,
        None,
    ],
)
def test_invalid_codes(bad: object) -> None:
    """Check: invalid codes."""
    with pytest.raises(UnknownHsCode) as info:
        check_hs_code(bad, field="goods_hs_code")
    assert info.value.code == "unknown_hs_code"
    assert info.value.field == "goods_hs_code"


def test_national_use_chapters_opt_in() -> None:
    """Check: national use chapters opt in."""
    assert check_hs_code("9801", allow_national_use=True) == "9801"
    assert chapter_of("99", allow_national_use=True).status is ChapterStatus.NATIONAL_USE
    with pytest.raises(UnknownHsCode):
        check_hs_code("7701", allow_national_use=True)
