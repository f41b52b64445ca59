"""UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS Billing 3.0) reader.

Reads the business terms attachment needs with XPath expressions compiled once, checks the
EN 16931 rules of :mod:`.en16931` (and the official Schematron where configured) and
returns a :class:`~.record.TradeDocument` or a :class:`~.record.Quarantine`.
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
from tradecover.feeds.safe_xml import compile_xpath, first_text
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
_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
UBL_ROOTS = frozenset({f"{{{INVOICE_NS}}}Invoice", f"{{{CREDIT_NOTE_NS}}}CreditNote"})
"""Root element names (Clark notation) this reader accepts."""


def _x(expression: str) -> etree.XPath:
    return compile_xpath(expression, _NS)


_SPEC = _x("cbc:CustomizationID/text()")
_NUMBER = _x("cbc:ID/text()")
_ISSUE = _x("cbc:IssueDate/text()")
_DUE = _x("cbc:DueDate/text() | cac:PaymentMeans/cbc:PaymentDueDate/text()")
_TYPE = _x("cbc:InvoiceTypeCode/text() | cbc:CreditNoteTypeCode/text()")
_CURRENCY = _x("cbc:DocumentCurrencyCode/text()")
_TAX_CURRENCY = _x("cbc:TaxCurrencyCode/text()")
_TERMS = _x("cac:PaymentTerms/cbc:Note/text()")
_PRECEDING = _x("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()")
_SELLER = _x("cac:AccountingSupplierParty/cac:Party")
_BUYER = _x("cac:AccountingCustomerParty/cac:Party")
_DELIVERY = _x("cac:Delivery/cbc:ActualDeliveryDate/text()")
_TOTALS = _x("cac:LegalMonetaryTotal")
_TAX_TOTAL_AMOUNTS = _x("cac:TaxTotal/cbc:TaxAmount")
_CATEGORY_AMOUNTS = _x("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount/text()")
_ALLOWANCES = _x("cac:AllowanceCharge")
_LINES = _x("cac:InvoiceLine | cac:CreditNoteLine")
_CURRENCY_AMOUNTS = _x("//*[@currencyID]")

_P_NAME = _x("cac:PartyLegalEntity/cbc:RegistrationName/text()")
_P_TRADING_NAME = _x("cac:PartyName/cbc:Name/text()")
_P_ADDRESS = _x("cac:PostalAddress")
_P_COUNTRY = _x("cac:PostalAddress/cac:Country/cbc:IdentificationCode/text()")
_P_IDS = _x("cac:PartyIdentification/cbc:ID")
_P_TAX_IDS = _x("cac:PartyTaxScheme/cbc:CompanyID")
_P_LEGAL_IDS = _x("cac:PartyLegalEntity/cbc:CompanyID")

_T = {name: _x(f"cbc:{name}/text()") for name in (
    "LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount",
    "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount")}
_CHARGE_INDICATOR = _x("cbc:ChargeIndicator/text()")
_AMOUNT = _x("cbc:Amount/text()")
_L_ID = _x("cbc:ID/text()")
_L_QUANTITY = _x("cbc:InvoicedQuantity/text() | cbc:CreditedQuantity/text()")
_L_AMOUNT = _x("cbc:LineExtensionAmount/text()")
_L_NAME = _x("cac:Item/cbc:Name/text()")
_L_HS = _x("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode[@listID='HS']"
           "/text()")


def hs_digits(code: str | None) -> str | None:
    """The digits of an HS/tariff code ("8471.30" -> "847130"); None if not 2+ digits."""
    if not code:
        return None
    digits = "".join(ch for ch in code if ch.isascii() and ch.isdigit())
    return digits if len(digits) >= 2 else None


def _party(node: etree._Element | None) -> tuple[Party, bool]:
    if node is None:
        return Party(), False
    ids: list[PartyIdentifier] = []
    for element in _P_IDS(node):
        if element.text and element.text.strip():
            ids.append(identifier(scheme_of(element.get("schemeID")), element.text))
    for element in _P_TAX_IDS(node):
        if element.text and element.text.strip():
            ids.append(identifier(IdentifierScheme.VAT, element.text))
    for element in _P_LEGAL_IDS(node):
        if element.text and element.text.strip():
            ids.append(identifier(scheme_of(element.get("schemeID")), element.text))
    name = first_text(_P_NAME, node)
    country = check_country_code(first_text(_P_COUNTRY, node))
    has_address = bool(_P_ADDRESS(node))
    return Party(name=name, country=country, identifiers=tuple(ids)), has_address


def _amount(xpath: etree.XPath, node: etree._Element, name: str) -> Decimal | None:
    return parse_amount(first_text(xpath, node), field=name)


def read_ubl_facts(root: etree._Element) -> InvoiceFacts:
    """The EN 16931 business terms of a UBL Invoice or CreditNote root element."""
    if root.tag not in UBL_ROOTS:
        raise Refusal("format_unknown", f"{root.tag} is not a UBL Invoice or CreditNote")
    currency = check_currency_code(first_text(_CURRENCY, root), field="BT-5")
    facts = InvoiceFacts(
        format=DocumentFormat.UBL,
        specification=first_text(_SPEC, root), number=first_text(_NUMBER, root),
        issue_date=parse_iso_date(first_text(_ISSUE, root), field="BT-2"),
        type_code=first_text(_TYPE, root), currency=currency,
        credit_note_syntax=root.tag.endswith("}CreditNote"),
        due_date=parse_iso_date(first_text(_DUE, root), field="BT-9"),
        payment_terms=first_text(_TERMS, root),
        preceding_invoice=first_text(_PRECEDING, root),
        delivery_date=parse_iso_date(first_text(_DELIVERY, root), field="BT-72"),
    )
    sellers, buyers = _SELLER(root), _BUYER(root)
    facts.seller, facts.seller_has_address = _party(sellers[0] if sellers else None)
    facts.buyer, facts.buyer_has_address = _party(buyers[0] if buyers else None)
    totals = _TOTALS(root)
    if totals:
        node = totals[0]
        facts.line_total = _amount(_T["LineExtensionAmount"], node, "BT-106")
        facts.allowance_total = _amount(_T["AllowanceTotalAmount"], node, "BT-107")
        facts.charge_total = _amount(_T["ChargeTotalAmount"], node, "BT-108")
        facts.tax_exclusive = _amount(_T["TaxExclusiveAmount"], node, "BT-109")
        facts.tax_inclusive = _amount(_T["TaxInclusiveAmount"], node, "BT-112")
        facts.prepaid = _amount(_T["PrepaidAmount"], node, "BT-113")
        facts.rounding = _amount(_T["PayableRoundingAmount"], node, "BT-114")
        facts.payable = _amount(_T["PayableAmount"], node, "BT-115")
    for element in _TAX_TOTAL_AMOUNTS(root):
        if element.get("currencyID") == currency:
            facts.tax_total = parse_amount(element.text, field="BT-110")
            break
    facts.category_tax_amounts = [
        amount for text in _CATEGORY_AMOUNTS(root)
        if (amount := parse_amount(text, field="BT-117")) is not None]
    for node in _ALLOWANCES(root):
        amount = _amount(_AMOUNT, node, "BT-92/BT-99") or Decimal(0)
        if (first_text(_CHARGE_INDICATOR, node) or "").lower() == "true":
            facts.document_charges.append(amount)
        else:
            facts.document_allowances.append(amount)
    for node in _LINES(root):
        amount = _amount(_L_AMOUNT, node, "BT-131")
        facts.line_amounts.append(amount if amount is not None else Decimal(0))
        facts.lines.append(DocumentLine(
            line_id=first_text(_L_ID, node) or str(len(facts.lines) + 1),
            description=first_text(_L_NAME, node),
            quantity=parse_amount(first_text(_L_QUANTITY, node), field="BT-129"),
            net_amount=amount, hs_code=hs_digits(first_text(_L_HS, node))))
    tax_currency = first_text(_TAX_CURRENCY, root)
    for element in _CURRENCY_AMOUNTS(root):
        code = element.get("currencyID")
        if code == currency:
            continue
        if code == tax_currency and etree.QName(element).localname == "TaxAmount":
            continue  # BT-111, the VAT total in the accounting currency
        facts.foreign_currency_amounts.append(f"{etree.QName(element).localname} in {code}")
    return facts
