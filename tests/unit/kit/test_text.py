"""Input hygiene rules (kit.text): refused characters, ASCII digits, formula-safe cells."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import to_decimal
from tradecover.kit.text import (
    FORMULA_TRIGGERS,
    NonAsciiDigits,
    UnsafeText,
    allows_line_breaks,
    check_number_text,
    check_text,
    refused_character,
    spreadsheet_row,
    spreadsheet_safe,
)

REFUSED = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u2028",
    "\u2029",
    "\ud800",
]


@pytest.mark.parametrize("char", REFUSED)
def test_every_refused_character_is_refused_in_one_line_and_prose_fields(char: str) -> None:
    assert refused_character(f"INV{char}1") == (3, char)
    assert refused_character(f"INV{char}1", prose=True) == (3, char)
    with pytest.raises(UnsafeText) as caught:
        check_text(f"A{char}", field="invoice_number")
    assert (caught.value.code, caught.value.field, caught.value.status) == (
        "unsafe_text",
        "invoice_number",
        422,
    )
    assert f"U+{ord(char):04X} at position 2" in caught.value.message


def test_tab_newline_and_crlf_only_where_the_field_holds_prose() -> None:
    for text in ("a\tb", "a\nb", "a\r\nb"):
        assert refused_character(text, prose=True) is None
        assert refused_character(text) == (1, text[1])
    assert refused_character("a\rb", prose=True) == (1, "\r")  # a lone CR is no line break
    assert check_text("two\nlines", field="goods_description") == "two\nlines"
    assert check_text("why\r\nbecause", field="body.reason") == "why\r\nbecause"
    with pytest.raises(UnsafeText):
        check_text("INV\n1", field="invoice_number")
    assert [
        allows_line_breaks(f)
        for f in (
            "reason",
            "rejection_reason",
            "notes",
            "goods_description",
            "invoice_number",
            "name",
            "hs_code",
        )
    ] == [True] * 4 + [False] * 3


def test_ordinary_text_of_every_script_passes() -> None:
    for text in ("LED 灯具 １００ pcs", "조명기구", "Müller & Söhne GmbH", "شركة", "Ω≈€"):
        assert check_text(text, field="name") == text


@given(st.text())
def test_a_text_is_refused_exactly_when_it_holds_a_refused_character(text: str) -> None:
    found = refused_character(text)
    bad = [
        i
        for i, c in enumerate(text)
        if c in REFUSED or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
    ]
    assert found == ((bad[0], text[bad[0]]) if bad else None)


def test_numbers_must_be_written_in_ascii_digits() -> None:
    assert check_number_text("100.50", field="amount") == "100.50"
    for text in ("１００", "1００", "١٠٠", "१००"):
        with pytest.raises(NonAsciiDigits) as caught:
            check_number_text(text, field="invoice_amount")
        assert (caught.value.code, caught.value.field) == ("non_ascii_digits", "invoice_amount")
    assert Decimal("１００") == 100  # what Python would silently do
    with pytest.raises(ValidationFailed) as refused:
        to_decimal("１００", field="amount")
    assert refused.value.code == "non_ascii_digits"
    assert to_decimal("100", field="amount") == Decimal(100)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),
        ("+7", "+7"),
        ("INV-1", "INV-1"),
        ("", ""),
        (12, 12),
        (Decimal("-3.5"), Decimal("-3.5")),
        (None, None),
    ],
)
def test_formula_looking_cells_are_written_as_text(cell: object, written: object) -> None:
    assert spreadsheet_safe(cell) == written
    assert spreadsheet_row([cell, "a"]) == [written, "a"]


@given(st.text())
def test_no_escaped_cell_begins_a_formula(text: str) -> None:
    safe = spreadsheet_safe(text)
    assert safe == text or safe == "'" + text
    if safe == text and text.startswith(FORMULA_TRIGGERS):
        assert Decimal(text).is_finite()  # only plain signed numbers are left alone
