"""The documents an exporter's connected sources send in the demo book: national
single-window export records (JSON), UBL 2.1 invoices (EN 16931 / Peppol BIS Billing 3.0)
and ERP shipment events, written here from the plan of each shipment (never copied from
elsewhere), plus the faulty ones a real feed brings: an invoice in a currency the policy
does not allow, one to a buyer the exporter never registered, one whose totals do not add
up, one cut off in transit.

Pure text building: the same shipment gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final
from xml.sax.saxutils import escape

ZERO_DECIMAL_CURRENCIES: Final = frozenset({"KRW", "JPY", "VND", "CLP", "ISK"})
"""Currencies without minor units (amounts written without decimals)."""


@dataclass(frozen=True, slots=True)
class FeedParty:
    """A seller or buyer as the documents name it."""

    name: str
    country: str
    identifier: str | None = None


@dataclass(frozen=True, slots=True)
class FeedShipment:
    """One export shipment as the exporter's systems and customs see it."""

    invoice_number: str
    declaration_number: str
    seller: FeedParty
    buyer: FeedParty
    accepted: date
    exited: date
    issued: date
    credit_days: int
    currency: str
    amount: Decimal
    hs_code: str  # six digits
    description: str
    transport_document: str


def amount_text(amount: Decimal, currency: str) -> str:
    """``amount`` as a document writes it in ``currency`` (two decimals or none)."""
    places = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return str(amount.quantize(places, rounding=ROUND_HALF_UP))


def customs_record(shipment: FeedShipment) -> bytes:
    """The national single-window export record of ``shipment`` (JSON, see docs/feeds.md)."""
    record: dict[str, Any] = {
        "declaration_number": shipment.declaration_number,
        "version": "1",
        "acceptance_date": shipment.accepted.isoformat(),
        "exit_date": shipment.exited.isoformat(),
        "exporter_id": shipment.seller.identifier,
        "exporter_name": shipment.seller.name,
        "consignee_name": shipment.buyer.name,
        "consignee_country": shipment.buyer.country,
        "consignee_ids": [],
        "hs_code": [f"{shipment.hs_code[:4]}.{shipment.hs_code[4:]}"],
        "value": amount_text(shipment.amount, shipment.currency),
        "currency": shipment.currency,
        "invoice_number": shipment.invoice_number,
        "transport_document": shipment.transport_document,
    }
    return json.dumps(record, ensure_ascii=False).encode()


def _party(party: FeedParty) -> str:
    return (
        "<cac:Party>"
        "<cac:PostalAddress>"
        f"<cac:Country><cbc:IdentificationCode>{party.country}</cbc:IdentificationCode>"
        "</cac:Country></cac:PostalAddress>"
        "<cac:PartyLegalEntity>"
        f"<cbc:RegistrationName>{escape(party.name)}</cbc:RegistrationName>"
        "</cac:PartyLegalEntity></cac:Party>"
    )


_VAT_G: Final = (
    "<cac:TaxCategory><cbc:ID>G</cbc:ID><cbc:Percent>0</cbc:Percent>"
    "<cbc:TaxExemptionReasonCode>VATEX-EU-G</cbc:TaxExemptionReasonCode>"
    "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>"
)


def ubl_invoice(
    shipment: FeedShipment, *, currency: str | None = None, inclusive_excess: Decimal = Decimal(0)
) -> bytes:
    """The UBL 2.1 export invoice of ``shipment`` (VAT category G, zero-rated export): two
    lines, net ``credit_days``, due date stated.  ``currency`` writes it in another
    currency than the shipment's; ``inclusive_excess`` adds to the total with tax (BT-112)
    without any tax behind it, a breach of EN 16931 BR-CO-15.
    """
    cur = currency or shipment.currency
    first = (shipment.amount * Decimal("0.6")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    lines = ((first, "1"), (shipment.amount - first, "2"))
    total = amount_text(shipment.amount, cur)
    inclusive = amount_text(shipment.amount + inclusive_excess, cur)
    due = shipment.issued + timedelta(days=shipment.credit_days)
    hs = f"{shipment.hs_code[:4]}.{shipment.hs_code[4:]}"
    body = "".join(
        "<cac:InvoiceLine>"
        f"<cbc:ID>{line_id}</cbc:ID>"
        f'<cbc:InvoicedQuantity unitCode="C62">{10 * int(line_id)}</cbc:InvoicedQuantity>'
        f'<cbc:LineExtensionAmount currencyID="{cur}">{amount_text(amount, cur)}'
        "</cbc:LineExtensionAmount>"
        f"<cac:Item><cbc:Name>{escape(shipment.description)} (lot {line_id})</cbc:Name>"
        "<cac:CommodityClassification>"
        f'<cbc:ItemClassificationCode listID="HS">{hs}</cbc:ItemClassificationCode>'
        "</cac:CommodityClassification>"
        "<cac:ClassifiedTaxCategory><cbc:ID>G</cbc:ID><cbc:Percent>0</cbc:Percent>"
        "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>"
        "</cac:Item>"
        f'<cac:Price><cbc:PriceAmount currencyID="{cur}">'
        f"{amount_text(amount / (10 * int(line_id)), cur)}</cbc:PriceAmount></cac:Price>"
        "</cac:InvoiceLine>"
        for amount, line_id in lines
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#"
        "urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>"
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>"
        f"<cbc:ID>{escape(shipment.invoice_number)}</cbc:ID>"
        f"<cbc:IssueDate>{shipment.issued.isoformat()}</cbc:IssueDate>"
        f"<cbc:DueDate>{due.isoformat()}</cbc:DueDate>"
        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
        f"<cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>"
        f"<cac:AccountingSupplierParty>{_party(shipment.seller)}</cac:AccountingSupplierParty>"
        f"<cac:AccountingCustomerParty>{_party(shipment.buyer)}</cac:AccountingCustomerParty>"
        f"<cac:Delivery><cbc:ActualDeliveryDate>{shipment.exited.isoformat()}"
        "</cbc:ActualDeliveryDate></cac:Delivery>"
        f"<cac:PaymentTerms><cbc:Note>Net {shipment.credit_days} days from invoice date"
        "</cbc:Note></cac:PaymentTerms>"
        f'<cac:TaxTotal><cbc:TaxAmount currencyID="{cur}">{amount_text(Decimal(0), cur)}'
        "</cbc:TaxAmount><cac:TaxSubtotal>"
        f'<cbc:TaxableAmount currencyID="{cur}">{total}</cbc:TaxableAmount>'
        f'<cbc:TaxAmount currencyID="{cur}">{amount_text(Decimal(0), cur)}</cbc:TaxAmount>'
        f"{_VAT_G}</cac:TaxSubtotal></cac:TaxTotal>"
        "<cac:LegalMonetaryTotal>"
        f'<cbc:LineExtensionAmount currencyID="{cur}">{total}</cbc:LineExtensionAmount>'
        f'<cbc:TaxExclusiveAmount currencyID="{cur}">{total}</cbc:TaxExclusiveAmount>'
        f'<cbc:TaxInclusiveAmount currencyID="{cur}">{inclusive}</cbc:TaxInclusiveAmount>'
        f'<cbc:PayableAmount currencyID="{cur}">{inclusive}</cbc:PayableAmount>'
        "</cac:LegalMonetaryTotal>"
        f"{body}</Invoice>\n"
    )
    return xml.encode()


def cut_off(document: bytes) -> bytes:
    """``document`` as a transfer that broke off two thirds of the way (malformed XML)."""
    return document[: len(document) * 2 // 3]


def erp_event(shipment: FeedShipment) -> bytes:
    """The ERP's ``shipment.created`` event of ``shipment`` (the schema of
    docs/feeds/erp-shipment-event.schema.json).
    """
    amount = amount_text(shipment.amount, shipment.currency)
    event: dict[str, Any] = {
        "schema_version": "1",
        "event_id": f"evt-{shipment.invoice_number}-1",
        "event_type": "shipment.created",
        "occurred_at": f"{shipment.exited.isoformat()}T09:30:00Z",
        "shipment_id": f"SHP-{shipment.invoice_number}",
        "version": 1,
        "shipment_date": shipment.exited.isoformat(),
        "invoice_number": shipment.invoice_number,
        "invoice_date": shipment.issued.isoformat(),
        "due_date": (shipment.issued + timedelta(days=shipment.credit_days)).isoformat(),
        "payment_terms_days": shipment.credit_days,
        "exporter": {"name": shipment.seller.name, "country": shipment.seller.country},
        "buyer": {"name": shipment.buyer.name, "country": shipment.buyer.country},
        "currency": shipment.currency,
        "amount": amount,
        "hs_codes": [shipment.hs_code],
        "transport_document": shipment.transport_document,
        "lines": [
            {
                "line_id": "1",
                "description": shipment.description,
                "amount": amount,
                "hs_code": shipment.hs_code,
            }
        ],
    }
    return json.dumps(event, ensure_ascii=False).encode()
