from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from tradecover.feeds import (
    DocumentFormat,
    DocumentKind,
    IdentifierScheme,
    Quarantine,
    TradeDocument,
    read_cii,
    read_document,
    read_einvoice,
    read_facturx_pdf,
    read_ubl,
)

from ._fixtures import fixture, replaced

UBL = "ubl_export_invoice.xml"
CII = "cii_export_invoice.xml"


def _read(result: object) -> TradeDocument:
    assert isinstance(result, TradeDocument), result
    return result


def _codes(result: object) -> set[str]:
    assert isinstance(result, Quarantine), result
    return set(result.codes)


def test_a_ubl_export_invoice_is_read_into_the_common_record() -> None:
    doc = _read(read_ubl(fixture(UBL), source="peppol:rheinland"))
    assert doc.kind is DocumentKind.INVOICE
    assert doc.format is DocumentFormat.UBL
    assert doc.dedup_key == ("peppol:rheinland", "RW-2026-0042", "1")
    assert doc.issue_date == date(2026, 1, 15)
    assert doc.due_date == date(2026, 3, 1)
    assert doc.payment_terms_days == 45
    assert doc.currency == "EUR"
    assert (doc.total, doc.tax_exclusive, doc.payable) == (
        Decimal("1950.00"),
        Decimal("1950.00"),
        Decimal("1950.00"),
    )
    assert doc.seller.name == "Rheinland Werkzeug GmbH"
    assert doc.seller.country == "DE"
    assert doc.seller.identifier(IdentifierScheme.VAT) == "DE123456788"
    assert doc.seller.identifier(IdentifierScheme.GLN) == "4000000000006"
    assert doc.seller.identifier(IdentifierScheme.LEI) == "529900T8BM49AURSDO55"
    assert all(item.valid for item in doc.seller.identifiers)
    assert (doc.buyer.name, doc.buyer.country) == ("Lakeside Tools, Inc.", "US")
    assert doc.hs_codes == ("820411", "820540")
    assert doc.hs_chapter == "82"
    assert [line.net_amount for line in doc.lines] == [Decimal("1200.00"), Decimal("800.00")]
    assert doc.amends is None


def test_the_record_is_immutable() -> None:
    doc = _read(read_ubl(fixture(UBL)))
    with pytest.raises(AttributeError):
        doc.document_id = "other"  # type: ignore[misc]


def test_an_invalid_vat_number_is_kept_and_flagged() -> None:
    doc = _read(read_ubl(replaced(UBL, "DE 123 456 788", "DE123456789")))
    vat = [item for item in doc.seller.identifiers if item.scheme is IdentifierScheme.VAT]
    assert vat[0].value == "DE123456789"
    assert vat[0].valid is False


def test_a_credit_note_names_the_invoice_it_changes() -> None:
    doc = _read(read_einvoice(fixture("ubl_credit_note.xml")))
    assert doc.kind is DocumentKind.CREDIT_NOTE
    assert doc.amends == "RW-2026-0042"
    assert doc.payable == Decimal("150.00")


def test_a_cii_export_invoice_is_read() -> None:
    doc = _read(read_cii(fixture(CII)))
    assert doc.format is DocumentFormat.CII
    assert (doc.document_id, doc.issue_date) == ("LY-7781", date(2026, 2, 10))
    assert doc.payment_terms_days == 60
    assert doc.due_date is None
    assert doc.seller.identifier(IdentifierScheme.VAT) == "FR40303265045"
    assert (doc.buyer.name, doc.buyer.country) == ("Maison Kyoto K.K.", "JP")
    assert doc.payable == Decimal("10000.00")
    assert doc.hs_codes == ("621410",)
    assert _read(read_einvoice(fixture(CII))).document_id == "LY-7781"


UBL_BREACHES = [
    (
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:"
        "billing:3.0</cbc:CustomizationID>",
        "",
        "en16931_BR-01",
    ),
    ("<cbc:ID>RW-2026-0042</cbc:ID>", "", "en16931_BR-02"),
    ("<cbc:IssueDate>2026-01-15</cbc:IssueDate>", "", "en16931_BR-03"),
    ("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", "", "en16931_BR-04"),
    ("<cbc:RegistrationName>Rheinland Werkzeug GmbH</cbc:RegistrationName>", "", "en16931_BR-06"),
    ("<cbc:RegistrationName>Lakeside Tools, Inc.</cbc:RegistrationName>", "", "en16931_BR-07"),
    ("<cbc:IdentificationCode>DE</cbc:IdentificationCode>", "", "en16931_BR-09"),
    ("<cbc:IdentificationCode>US</cbc:IdentificationCode>", "", "en16931_BR-11"),
    (
        '<cbc:TaxExclusiveAmount currencyID="EUR">1950.00</cbc:TaxExclusiveAmount>',
        "",
        "en16931_BR-13",
    ),
    (
        '<cbc:TaxInclusiveAmount currencyID="EUR">1950.00</cbc:TaxInclusiveAmount>',
        "",
        "en16931_BR-14",
    ),
    ('<cbc:PayableAmount currencyID="EUR">1950.00</cbc:PayableAmount>', "", "en16931_BR-15"),
    (
        '<cbc:LineExtensionAmount currencyID="EUR">800.00</cbc:LineExtensionAmount>',
        '<cbc:LineExtensionAmount currencyID="EUR">801.00</cbc:LineExtensionAmount>',
        "en16931_BR-CO-10",
    ),
    (
        '<cbc:Amount currencyID="EUR">50.00</cbc:Amount>',
        '<cbc:Amount currencyID="EUR">40.00</cbc:Amount>',
        "en16931_BR-CO-11",
    ),
    (
        '<cbc:TaxExclusiveAmount currencyID="EUR">1950.00</cbc:TaxExclusiveAmount>',
        '<cbc:TaxExclusiveAmount currencyID="EUR">2000.00</cbc:TaxExclusiveAmount>',
        "en16931_BR-CO-13",
    ),
    (
        '<cbc:TaxInclusiveAmount currencyID="EUR">1950.00</cbc:TaxInclusiveAmount>',
        '<cbc:TaxInclusiveAmount currencyID="EUR">2320.50</cbc:TaxInclusiveAmount>',
        "en16931_BR-CO-15",
    ),
    (
        '<cbc:PayableAmount currencyID="EUR">1950.00</cbc:PayableAmount>',
        '<cbc:PayableAmount currencyID="EUR">1900.00</cbc:PayableAmount>',
        "en16931_BR-CO-16",
    ),
    (
        '<cbc:PayableAmount currencyID="EUR">1950.00</cbc:PayableAmount>',
        '<cbc:PayableAmount currencyID="EUR">1950.001</cbc:PayableAmount>',
        "en16931_BR-DEC-18",
    ),
    (
        '<cbc:Amount currencyID="EUR">50.00</cbc:Amount>',
        '<cbc:Amount currencyID="USD">50.00</cbc:Amount>',
        "currency_mismatch",
    ),
]


@pytest.mark.parametrize(("old", "new", "code"), UBL_BREACHES)
def test_each_business_rule_breach_quarantines_with_its_id(old: str, new: str, code: str) -> None:
    result = read_ubl(replaced(UBL, old, new))
    assert code in _codes(result)


def test_a_missing_currency_breaks_br_05() -> None:
    document = replaced(UBL, "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>", "")
    assert "en16931_BR-05" in _codes(read_ubl(document))


def test_an_invoice_without_lines_breaks_br_16() -> None:
    text = fixture(UBL).decode()
    document = text[: text.index("<cac:InvoiceLine>")] + "</Invoice>"
    assert "en16931_BR-16" in _codes(read_ubl(document.encode()))


def test_a_positive_amount_without_due_date_or_terms_breaks_br_co_25() -> None:
    document = replaced(UBL, "<cbc:DueDate>2026-03-01</cbc:DueDate>", "")
    document = document.replace(
        b"<cac:PaymentTerms><cbc:Note>Net 45 days from invoice date</cbc:Note></cac:PaymentTerms>",
        b"",
    )
    assert _codes(read_ubl(document)) == {"en16931_BR-CO-25"}


def test_a_quarantine_names_the_document_and_every_breach() -> None:
    document = replaced(
        UBL,
        '<cbc:PayableAmount currencyID="EUR">1950.00',
        '<cbc:PayableAmount currencyID="EUR">1.00',
    )
    document = document.replace(b"<cbc:IssueDate>2026-01-15</cbc:IssueDate>", b"")
    result = read_ubl(document, source="peppol:x")
    assert isinstance(result, Quarantine)
    assert result.document_id == "RW-2026-0042"
    assert result.source == "peppol:x"
    assert set(result.codes) == {"en16931_BR-03", "en16931_BR-CO-16"}


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        (
            '<cbc:PayableAmount currencyID="EUR">1950.00',
            '<cbc:PayableAmount currencyID="EUR">1,950',
            "amount_malformed",
        ),
        ("<cbc:IssueDate>2026-01-15", "<cbc:IssueDate>2026-02-30", "date_malformed"),
        ("<cbc:DocumentCurrencyCode>EUR", "<cbc:DocumentCurrencyCode>EUX", "currency_unknown"),
        ("<cbc:IdentificationCode>US", "<cbc:IdentificationCode>XX", "country_unknown"),
    ],
)
def test_unreadable_values_are_quarantined(old: str, new: str, code: str) -> None:
    assert _codes(read_ubl(replaced(UBL, old, new))) == {code}


CII_BREACHES = [
    (
        "<ram:LineTotalAmount>10000.00</ram:LineTotalAmount>\n        <ram:TaxBasisTotalAmount>",
        "<ram:LineTotalAmount>9000.00</ram:LineTotalAmount>\n        <ram:TaxBasisTotalAmount>",
        "en16931_BR-CO-10",
    ),
    ("<ram:GrandTotalAmount>10000.00", "<ram:GrandTotalAmount>12000.00", "en16931_BR-CO-15"),
    ("<ram:DuePayableAmount>10000.00", "<ram:DuePayableAmount>9999.00", "en16931_BR-CO-16"),
    ("<ram:Name>Maison Kyoto K.K.</ram:Name>", "", "en16931_BR-07"),
    ("<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", "", "en16931_BR-05"),
    (
        '<ram:TaxTotalAmount currencyID="EUR">',
        '<ram:TaxTotalAmount currencyID="GBP">',
        "currency_mismatch",
    ),
]


@pytest.mark.parametrize(("old", "new", "code"), CII_BREACHES)
def test_cii_breaches_are_quarantined_with_their_ids(old: str, new: str, code: str) -> None:
    assert code in _codes(read_cii(replaced(CII, old, new)))


def test_a_ubl_document_given_to_the_cii_reader_is_refused() -> None:
    assert _codes(read_cii(fixture(UBL))) == {"format_unknown"}
    assert _codes(read_ubl(fixture(CII))) == {"format_unknown"}


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _facturx(xml: bytes) -> bytes:
    import facturx

    return bytes(
        facturx.generate_from_binary(
            _blank_pdf(), xml, check_xsd=False, flavor="factur-x", level="en16931"
        )
    )


def test_the_cii_inside_a_facturx_pdf_is_read() -> None:
    doc = _read(read_facturx_pdf(_facturx(fixture(CII)), source="mail:lyon"))
    assert doc.format is DocumentFormat.FACTUR_X
    assert doc.document_id == "LY-7781"
    assert doc.dedup_key == ("mail:lyon", "LY-7781", "1")
    assert _read(read_document(_facturx(fixture(CII)))).payable == Decimal("10000.00")


def test_a_facturx_pdf_with_a_broken_invoice_is_quarantined_by_its_rules() -> None:
    broken = replaced(CII, "<ram:DuePayableAmount>10000.00", "<ram:DuePayableAmount>1.00")
    result = read_facturx_pdf(_facturx(broken))
    assert _codes(result) == {"en16931_BR-CO-16"}
    assert isinstance(result, Quarantine)
    assert result.format is DocumentFormat.FACTUR_X


def test_a_pdf_without_invoice_xml_and_a_non_pdf_are_quarantined() -> None:
    assert _codes(read_facturx_pdf(_blank_pdf())) == {"facturx_xml_missing"}
    assert _codes(read_facturx_pdf(b"%PDF-1.7 garbage")) == {"pdf_malformed"}
    assert _codes(read_facturx_pdf(b"hello")) == {"pdf_malformed"}


def test_a_pdf_whose_attachment_declares_a_doctype_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_blank_pdf())))
    writer.add_attachment("factur-x.xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    out = io.BytesIO()
    writer.write(out)
    assert _codes(read_facturx_pdf(out.getvalue())) == {"xml_doctype_forbidden"}
