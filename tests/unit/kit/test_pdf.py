"""PDF letters: set in a font that shows the reader's language, money and dates the
reader's way."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from tradecover.kit.money import Money
from tradecover.kit.pdf import Letter, date_text, font_of, money_text, render


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_each_language_has_its_font() -> None:
    assert font_of("en") == "Helvetica"
    assert font_of("zh_Hans") == "STSong-Light"
    assert font_of("zh_Hant") == "MSung-Light"
    assert font_of("ko") == "HYSMyeongJo-Medium"


def test_money_and_dates_are_written_the_readers_way() -> None:
    assert money_text(Money.of("1234.5", "EUR"), "en") == "€1,234.50"
    assert money_text(Money.of("1234.5", "KRW"), "ko") == "₩1,235"
    assert money_text(Money.of("1234.5", "USD"), "zh_Hans") == "US$1,234.50"
    assert date_text(date(2026, 12, 31), "en") == "Dec 31, 2026"
    assert date_text(date(2026, 12, 31), "zh_Hant") == "2026年12月31日"
    assert date_text(None, "en") == "—"


def test_a_chinese_or_korean_name_shows_in_an_english_letter() -> None:
    pdf = render(
        Letter(
            "Letter & <notice>",
            [("Exporter", "浙江精工机械"), ("Buyer", "한국무역 주식회사")],
            table_header=("A", "B"),
            table_rows=[("1", "2"), ("3", "福建茶叶")],
            paragraphs=["Done."],
        ),
        "en",
    )
    text = _text(pdf)
    assert "Letter & <notice>" in text
    assert "浙江精工机械" in text and "한국무역 주식회사" in text and "Done." in text
    assert "福建茶叶" in text


def test_a_long_table_runs_over_pages_with_its_header_on_each() -> None:
    rows = [(f"INV-{n:03d}", f"{n}.00") for n in range(1, 101)]
    pdf = render(Letter("Notice", [], table_header=("Invoice", "Premium"), table_rows=rows), "en")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 3
    assert all("Invoice" in page for page in pages)
    assert "INV-001" in pages[0] and "INV-100" in pages[-1] and "100.00" in pages[-1]
