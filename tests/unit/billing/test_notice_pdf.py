"""The premium notice as a PDF: its number, amounts and labels in the reader's language."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from tradecover.billing.document import NoticeDocument, PayerRow
from tradecover.billing.notice_pdf import notice_filename, notice_pdf
from tradecover.billing.service import LineView
from tradecover.kit.money import Money
from tradecover.mail.service import translate_to


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _document() -> NoticeDocument:
    usd = "USD"
    line = LineView(
        period=date(2026, 11, 1),
        declaration_id=7,
        invoice_number="INV-2026-0042",
        shipment_date=date(2026, 11, 3),
        buyer_country="DE",
        hs_code="8471",
        insured=Money.of("123456.00", usd),
        rate="0.001",
        premium=Money.of("1234.50", usd),
    )
    exporter = Money.of("1234.50", usd)
    return NoticeDocument(
        notice_id=41,
        reference="PN-2026-11-000041",
        policy_number="P-2026-0003",
        policy_id=3,
        exporter_name="Acme Exports",
        month=date(2026, 11, 1),
        issue_date=date(2026, 12, 1),
        due_date=date(2026, 12, 31),
        currency=usd,
        lines=(line,),
        total=exporter,
        payers=(PayerRow("Acme Exports", None, exporter, Money.zero(usd), None, None),),
        exporter_owes=exporter,
        exporter_outstanding=exporter,
    )


def test_the_english_notice_carries_its_reference_amounts_and_payment_reference() -> None:
    document = _document()
    pdf = notice_pdf(document, locale="en", translate=translate_to("en"), line_count=1)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "Premium notice PN-2026-11-000041" in text
    assert "P-2026-0003" in text and "INV-2026-0042" in text
    assert "$1,234.50" in text and "$123,456.00" in text
    assert "Dec 31, 2026" in text
    assert "Quote the reference PN-2026-11-000041 with your payment." in text
    assert "declarations are listed here" not in text
    assert notice_filename(document) == "PN-2026-11-000041.pdf"


def test_the_korean_and_chinese_notices_carry_the_translated_title() -> None:
    document = _document()
    korean = _text(notice_pdf(document, locale="ko", translate=translate_to("ko"), line_count=1))
    assert "보험료 고지서 PN-2026-11-000041" in korean and "US$1,234.50" in korean
    simplified = _text(
        notice_pdf(document, locale="zh_Hans", translate=translate_to("zh_Hans"), line_count=1)
    )
    assert "保费通知书 PN-2026-11-000041" in simplified and "US$1,234.50" in simplified
    traditional = _text(
        notice_pdf(document, locale="zh_Hant", translate=translate_to("zh_Hant"), line_count=1)
    )
    assert "保費通知書 PN-2026-11-000041" in traditional


def test_a_notice_longer_than_its_first_page_of_lines_says_so() -> None:
    pdf = notice_pdf(_document(), locale="en", translate=translate_to("en"), line_count=5001)
    assert "1 of 5001 declarations are listed here" in _text(pdf)
