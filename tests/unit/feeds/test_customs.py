from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from tradecover.feeds import (
    DocumentFormat,
    DocumentKind,
    IdentifierScheme,
    Quarantine,
    TradeDocument,
    read_document,
    read_single_window_csv,
    read_single_window_json,
    read_single_window_record,
    read_wco_customs,
)

from ._fixtures import fixture, replaced

DEC = "wco_export_declaration.xml"


def _read(result: object) -> TradeDocument:
    assert isinstance(result, TradeDocument), result
    return result


def _codes(result: object) -> tuple[str, ...]:
    assert isinstance(result, Quarantine), result
    return result.codes


def test_an_export_declaration_is_read() -> None:
    doc = _read(read_wco_customs(fixture(DEC), source="cds:gb"))
    assert doc.kind is DocumentKind.CUSTOMS_DECLARATION
    assert doc.format is DocumentFormat.WCO_DEC_DMS
    assert doc.dedup_key == ("cds:gb", "LRN-TC-0042", "1")
    eori = doc.seller.identifiers[0]
    assert (eori.scheme, eori.value, eori.valid) == (IdentifierScheme.EORI, "GB123456727000", True)
    assert (doc.buyer.name, doc.buyer.country) == ("LAKESIDE TOOLS INC", "US")
    assert (doc.currency, doc.total) == ("EUR", Decimal("1950.00"))
    assert doc.invoice_reference == "RW-2026-0042"
    assert doc.transport_document == "MAEU-551203"
    assert doc.hs_codes == ("82041100", "82054000")
    assert doc.hs_chapter == "82"
    assert doc.acceptance_date == date(2026, 1, 16)
    assert doc.exit_date == date(2026, 1, 18)
    assert len(doc.lines) == 2
    assert _read(read_document(fixture(DEC))).document_id == "LRN-TC-0042"


def test_without_invoice_amount_the_statistical_values_are_summed() -> None:
    document = replaced(DEC, '<InvoiceAmount currencyID="EUR">1950.00</InvoiceAmount>', "")
    assert _read(read_wco_customs(document)).total == Decimal("1950.00")
    mixed = document.replace(
        b'<StatisticalValueAmount currencyID="EUR">780.00',
        b'<StatisticalValueAmount currencyID="USD">780.00',
    )
    assert _codes(read_wco_customs(mixed)) == ("currency_mismatch",)


def test_a_declaration_without_dates_and_a_bare_declaration_root_are_read() -> None:
    text = fixture(DEC).decode()
    start = text.index("<Declaration>")
    end = text.index("</Declaration>") + len("</Declaration>")
    bare = text[start:end].replace(
        "<Declaration>",
        '<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2" '
        'xmlns:ds="urn:wco:datamodel:WCO:Declaration_DS:DMS:2">',
    )
    doc = _read(read_wco_customs(bare.encode()))
    assert doc.document_id == "LRN-TC-0042"


def test_an_amendment_gets_its_own_version_and_names_the_declaration() -> None:
    doc = _read(read_wco_customs(replaced(DEC, "<FunctionCode>9<", "<FunctionCode>13<")))
    assert doc.version.startswith("amendment-")
    assert doc.amends == "LRN-TC-0042"


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("<TypeCode>EXA</TypeCode>", "<TypeCode>IMA</TypeCode>", "customs_not_export"),
        (
            "<FunctionalReferenceID>LRN-TC-0042<",
            "<FunctionalReferenceID>LRN-TC-0042-WAY-TOO-LONG-REF<",
            "customs_lrn_too_long",
        ),
        (
            "<FunctionalReferenceID>LRN-TC-0042</FunctionalReferenceID>",
            "",
            "customs_declaration_id_missing",
        ),
        (
            "<CountryCode>US</CountryCode></Address>",
            "<CountryCode>USA</CountryCode></Address>",
            "country_unknown",
        ),
        ('formatCode="304">20260116093000Z', 'formatCode="304">2026-01-16', "date_malformed"),
        (
            '<InvoiceAmount currencyID="EUR">1950.00',
            '<InvoiceAmount currencyID="EUR">1950,00',
            "amount_malformed",
        ),
    ],
)
def test_declarations_that_cannot_be_used_are_quarantined(old: str, new: str, code: str) -> None:
    assert _codes(read_wco_customs(replaced(DEC, old, new))) == (code,)


def test_an_exit_notification_gives_the_exit_date() -> None:
    doc = _read(read_wco_customs(fixture("wco_exit_notification.xml"), source="cds:gb"))
    assert doc.kind is DocumentKind.CUSTOMS_EXIT
    assert doc.format is DocumentFormat.WCO_RES_DMS
    assert (doc.document_id, doc.version) == ("LRN-TC-0042", "16-1")
    assert doc.exit_date == date(2026, 1, 18)


def test_an_acceptance_notification_gives_the_acceptance_date() -> None:
    doc = _read(read_document(fixture("wco_acceptance_notification.xml")))
    assert doc.kind is DocumentKind.CUSTOMS_ACCEPTANCE
    assert doc.acceptance_date == date(2026, 1, 16)
    assert doc.exit_date is None


def test_rejections_and_other_statuses_are_quarantined_with_the_customs_codes() -> None:
    rejected = read_wco_customs(fixture("wco_rejection_notification.xml"))
    assert _codes(rejected) == ("customs_declaration_rejected",)
    assert isinstance(rejected, Quarantine)
    assert "CDS12062" in rejected.reasons[0].detail
    assert rejected.document_id == "LRN-TC-0042"
    assert _codes(read_wco_customs(fixture("wco_cleared_notification.xml"))) == (
        "customs_status_not_used",
    )


def test_text_after_the_root_element_is_malformed() -> None:
    document = fixture("wco_exit_notification.xml") + b"\nheaders=List((Content-Type,xml))"
    assert _codes(read_wco_customs(document)) == ("xml_malformed",)


def test_a_single_window_json_record_is_read_exactly() -> None:
    doc = _read(read_single_window_json(fixture("single_window_record.json"), source="sw:fr"))
    assert doc.format is DocumentFormat.SINGLE_WINDOW_JSON
    assert doc.dedup_key == ("sw:fr", "26FR0000000000777", "2")
    assert doc.total == Decimal("10000.00")
    assert doc.seller.identifiers[0].valid is True
    assert doc.buyer.identifiers[0].scheme is IdentifierScheme.REGISTRATION
    assert (doc.acceptance_date, doc.exit_date) == (date(2026, 2, 11), date(2026, 2, 13))
    assert doc.hs_codes == ("621410",)
    assert doc.transport_document == "AWB 057-12345675"
    assert _read(read_document(fixture("single_window_record.json"))).version == "2"


@pytest.mark.parametrize(
    ("record", "code"),
    [
        ({"value": "1"}, "record_field_missing"),
        ({"declaration_number": "X", "value": "10"}, "record_field_missing"),
        ({"declaration_number": "X", "value": "1e3", "currency": "EUR"}, "amount_malformed"),
        ({"declaration_number": ["X"]}, "record_malformed"),
        ({"declaration_number": "X", "currency": "ABC"}, "currency_unknown"),
        ({"declaration_number": "X", "consignee_country": "JX"}, "country_unknown"),
    ],
)
def test_single_window_records_that_cannot_be_used(record: dict[str, object], code: str) -> None:
    assert _codes(read_single_window_record(record)) == (code,)
    assert _codes(read_single_window_json(json.dumps(record).encode())) == (code,)


def test_malformed_json_is_quarantined() -> None:
    assert _codes(read_single_window_json(b"{not json")) == ("record_malformed",)
    assert _codes(read_single_window_json(b"[1, 2]")) == ("record_malformed",)


def test_a_single_window_csv_is_read_row_by_row() -> None:
    results = list(read_single_window_csv(fixture("single_window_records.csv")))
    first = _read(results[0])
    assert first.format is DocumentFormat.SINGLE_WINDOW_CSV
    assert (first.total, first.invoice_reference) == (Decimal("2500.50"), "LY-7782")
    assert first.hs_codes == ("621410", "621420")
    assert first.exit_date is None
    assert _codes(results[1]) == ("amount_malformed",)
    assert _codes(results[2]) == ("date_malformed",)
    (not_utf8,) = read_single_window_csv(b"\xff\xfe\x00bad")
    assert _codes(not_utf8) == ("record_malformed",)
