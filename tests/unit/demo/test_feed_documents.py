"""The demo's generated feed documents read as their senders mean them: a customs record
and its UBL invoice and ERP event carry the same shipment; the faulty ones are quarantined
by the readers with the reason the demo promises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tradecover.demo.feed_documents import (
    FeedParty,
    FeedShipment,
    amount_text,
    customs_record,
    cut_off,
    erp_event,
    ubl_invoice,
)
from tradecover.feeds import (
    DocumentKind,
    FeedSource,
    Quarantine,
    TradeDocument,
    read_document,
    read_single_window_json,
)
from tradecover.feeds.service import read_feed_document

SHIPMENT = FeedShipment(
    invoice_number="FD2611-00501",
    declaration_number="202611040005000001",
    seller=FeedParty("Huzhou Xinhua Knitwear Co., Ltd.", "CN", "CN000000000005"),
    buyer=FeedParty("Granite Retail Corp.", "US"),
    accepted=date(2026, 11, 3),
    exited=date(2026, 11, 4),
    issued=date(2026, 11, 4),
    credit_days=60,
    currency="USD",
    amount=Decimal("4530"),
    hs_code="610110",
    description="Huzhou goods, HS chapter 61",
    transport_document="BL261104000501",
)


def test_the_documents_of_one_shipment_agree() -> None:
    invoice = read_document(ubl_invoice(SHIPMENT), source="ubl|5")
    record = read_single_window_json(customs_record(SHIPMENT), source="customs|5")
    event = read_feed_document(FeedSource.ERP, erp_event(SHIPMENT))  # signed at the door
    assert isinstance(invoice, TradeDocument), invoice
    assert isinstance(record, TradeDocument), record
    assert isinstance(event, TradeDocument), event
    assert invoice.kind is DocumentKind.INVOICE and invoice.document_id == "FD2611-00501"
    assert record.invoice_reference == event.invoice_reference == "FD2611-00501"
    assert invoice.total == record.total == event.total == Decimal("4530.00")
    assert invoice.due_date == event.due_date == date(2027, 1, 3)
    assert invoice.hs_codes == record.hs_codes == event.hs_codes == ("610110",)
    assert (record.acceptance_date, record.exit_date) == (SHIPMENT.accepted, SHIPMENT.exited)
    assert invoice.buyer.name == record.buyer.name == "Granite Retail Corp."


def test_the_faulty_documents_carry_their_reasons() -> None:
    breach = read_document(ubl_invoice(SHIPMENT, inclusive_excess=Decimal(250)), source="u")
    assert isinstance(breach, Quarantine)
    assert [r.code for r in breach.reasons] == ["en16931_BR-CO-15"]
    broken = read_document(cut_off(ubl_invoice(SHIPMENT)), source="u")
    assert isinstance(broken, Quarantine)
    assert [r.code for r in broken.reasons] == ["xml_malformed"]
    pounds = read_document(ubl_invoice(SHIPMENT, currency="GBP"), source="u")
    assert isinstance(pounds, TradeDocument) and pounds.currency == "GBP"  # the policy refuses it


def test_amounts_are_written_in_the_currency_s_minor_units() -> None:
    assert amount_text(Decimal("3500000.4"), "KRW") == "3500000"
    assert amount_text(Decimal("12.345"), "USD") == "12.35"
