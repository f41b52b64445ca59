"""UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS Billing 3.0) reader.

Reads the business terms attachment needs in one pass over the elements that hold them
(children looked up by tag, no XPath per field), checks the EN 16931 rules of
:mod:`.en16931` (and the official Schematron where configured) and returns a
:class:`~.record.TradeDocument` or a :class:`~.record.Quarantine`.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from tradecover.feeds.en16931 import InvoiceFacts
from tradecover.feeds.record import (
    DocumentFormat,
    DocumentLine,
    IdentifierScheme,
    Party,
    PartyIdentifier,
    Refusal,
)
from tradecover.feeds.safe_xml import child, child_text, children
from tradecover.feeds.values import (
    check_country_code,
    check_currency_code,
    identifier,
    parse_amount,
    parse_iso_date,
    scheme_of,
)

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
UBL_ROOTS = frozenset({f"{{{INVOICE_NS}}}Invoice", f"{{{CREDIT_NOTE_NS}}}CreditNote"})
"""Root element names (Clark notation) this reader accepts."""

_CURRENCY_IDS = etree.XPath("//@currencyID", smart_strings=False)
_TOTALS = {
    "line_total": "LineExtensionAmount",
    "allowance_total": "AllowanceTotalAmount",
    "charge_total": "ChargeTotalAmount",
    "tax_exclusive": "TaxExclusiveAmount",
    "tax_inclusive": "TaxInclusiveAmount",
    "prepaid": "PrepaidAmount",
    "rounding": "PayableRoundingAmount",
    "payable": "PayableAmount",
}


def hs_digits(code: str | None) -> str | None:
    """The digits of an HS/tariff code ("8471.30" -> "847130"); None if not 2+ digits."""
    if not code:
        return None
    digits = "".join(ch for ch in code if ch.isascii() and ch.isdigit())
    return digits if len(digits) >= 2 else None


def _ids(
    nodes: list[etree._Element] | None,
    scheme: IdentifierScheme | None,
) -> list[PartyIdentifier]:
    found = []
    for node in nodes or ():
        text = (node.text or "").strip()
        if text:
            found.append(identifier(scheme or scheme_of(node.get("schemeID")), text))
    return found


def _party(node: etree._Element | None) -> tuple[Party, bool]:
    if node is None:
        return Party(), False
    kids = children(node)
    ids: list[PartyIdentifier] = []
    for element in kids.get(CAC + "PartyIdentification", ()):
        ids += _ids(children(element).get(CBC + "ID"), None)
    for element in kids.get(CAC + "PartyTaxScheme", ()):
        ids += _ids(children(element).get(CBC + "CompanyID"), IdentifierScheme.VAT)
    legal = children(child(kids, CAC + "PartyLegalEntity"))
    ids += _ids(legal.get(CBC + "CompanyID"), None)
    address = child(kids, CAC + "PostalAddress")
    country = None
    if address is not None:
        country_node = address.find(CAC + "Country")
        if country_node is not None:
            country = check_country_code(country_node.findtext(CBC + "IdentificationCode"))
    party = Party(
        name=child_text(legal, CBC + "RegistrationName"), country=country, identifiers=tuple(ids)
    )
    return party, address is not None


def _amount(kids: dict[str, list[etree._Element]], name: str, term: str) -> Decimal | None:
    return parse_amount(child_text(kids, CBC + name), field=term)


def _settlement(facts: InvoiceFacts, kids: dict[str, list[etree._Element]]) -> None:
    totals = children(child(kids, CAC + "LegalMonetaryTotal"))
    for attribute, name in _TOTALS.items():
        setattr(facts, attribute, _amount(totals, name, name))
    for tax_total in kids.get(CAC + "TaxTotal", ()):
        tax_kids = children(tax_total)
        amount = child(tax_kids, CBC + "TaxAmount")
        if amount is not None and amount.get("currencyID") == facts.currency:
            facts.tax_total = parse_amount(amount.text, field="BT-110")
        for subtotal in tax_kids.get(CAC + "TaxSubtotal", ()):
            value = parse_amount(subtotal.findtext(CBC + "TaxAmount"), field="BT-117")
            if value is not None:
                facts.category_tax_amounts.append(value)
    for node in kids.get(CAC + "AllowanceCharge", ()):
        charge_kids = children(node)
        amount = _amount(charge_kids, "Amount", "BT-92/BT-99") or Decimal(0)
        if (child_text(charge_kids, CBC + "ChargeIndicator") or "").lower() == "true":
            facts.document_charges.append(amount)
        else:
            facts.document_allowances.append(amount)


def _line(node: etree._Element, number: int) -> DocumentLine:
    kids = children(node)
    item = children(child(kids, CAC + "Item"))
    hs_code = None
    for classification in item.get(CAC + "CommodityClassification", ()):
        code = classification.find(CBC + "ItemClassificationCode")
        if code is not None and code.get("listID") == "HS":
            hs_code = hs_digits(code.text)
            break
    quantity = child_text(kids, CBC + "InvoicedQuantity") or child_text(
        kids, CBC + "CreditedQuantity"
    )
    return DocumentLine(
        line_id=child_text(kids, CBC + "ID") or str(number),
        description=child_text(item, CBC + "Name"),
        quantity=parse_amount(quantity, field="BT-129"),
        net_amount=_amount(kids, "LineExtensionAmount", "BT-131"),
        hs_code=hs_code,
    )


def _foreign_currencies(
    root: etree._Element, facts: InvoiceFacts, tax_currency: str | None
) -> list[str]:
    codes = set(_CURRENCY_IDS(root))
    if codes <= {facts.currency}:
        return []
    found = []
    for element in root.iter():
        code = element.get("currencyID")
        if code is None or code == facts.currency:
            continue
        name = etree.QName(element).localname
        if code == tax_currency and name == "TaxAmount":
            continue  # BT-111, the VAT total in the accounting currency
        found.append(f"{name} in {code}")
    return found


def read_ubl_facts(root: etree._Element) -> InvoiceFacts:
    """The EN 16931 business terms of a UBL Invoice or CreditNote root element."""
    if root.tag not in UBL_ROOTS:
        raise Refusal("format_unknown", f"{root.tag} is not a UBL Invoice or CreditNote")
    kids = children(root)
    due = child_text(kids, CBC + "DueDate")
    if due is None:
        for means in kids.get(CAC + "PaymentMeans", ()):
            due = (means.findtext(CBC + "PaymentDueDate") or "").strip() or None
            if due:
                break
    terms = child(kids, CAC + "PaymentTerms")
    billing = child(kids, CAC + "BillingReference")
    preceding = None
    if billing is not None:
        reference = billing.find(CAC + "InvoiceDocumentReference")
        if reference is not None:
            preceding = (reference.findtext(CBC + "ID") or "").strip() or None
    delivery = child(kids, CAC + "Delivery")
    facts = InvoiceFacts(
        format=DocumentFormat.UBL,
        specification=child_text(kids, CBC + "CustomizationID"),
        number=child_text(kids, CBC + "ID"),
        issue_date=parse_iso_date(child_text(kids, CBC + "IssueDate"), field="BT-2"),
        type_code=child_text(kids, CBC + "InvoiceTypeCode")
        or child_text(kids, CBC + "CreditNoteTypeCode"),
        currency=check_currency_code(child_text(kids, CBC + "DocumentCurrencyCode"), field="BT-5"),
        credit_note_syntax=root.tag.endswith("}CreditNote"),
        due_date=parse_iso_date(due, field="BT-9"),
        payment_terms=(terms.findtext(CBC + "Note") or "").strip() or None
        if terms is not None
        else None,
        preceding_invoice=preceding,
        delivery_date=parse_iso_date(delivery.findtext(CBC + "ActualDeliveryDate"), field="BT-72")
        if delivery is not None
        else None,
    )
    supplier = child(kids, CAC + "AccountingSupplierParty")
    customer = child(kids, CAC + "AccountingCustomerParty")
    facts.seller, facts.seller_has_address = _party(
        supplier.find(CAC + "Party") if supplier is not None else None
    )
    facts.buyer, facts.buyer_has_address = _party(
        customer.find(CAC + "Party") if customer is not None else None
    )
    _settlement(facts, kids)
    for node in kids.get(CAC + "InvoiceLine", []) + kids.get(CAC + "CreditNoteLine", []):
        line = _line(node, len(facts.lines) + 1)
        facts.lines.append(line)
        facts.line_amounts.append(line.net_amount or Decimal(0))
    facts.foreign_currency_amounts = _foreign_currencies(
        root, facts, child_text(kids, CBC + "TaxCurrencyCode")
    )
    return facts
