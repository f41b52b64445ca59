"""UN/CEFACT Cross Industry Invoice D16B (EN 16931 CII syntax) reader.

The same business terms as the UBL reader, from the CII paths; Factur-X / ZUGFeRD PDFs carry
this XML as an attachment (:mod:`.facturx_pdf`).
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
from tradecover.feeds.ubl import hs_digits
from tradecover.feeds.values import (
    check_country_code,
    check_currency_code,
    identifier,
    parse_amount,
    parse_compact_date,
    scheme_of,
)

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CII_ROOT = f"{{{CII_NS}}}CrossIndustryInvoice"
_NS = {
    "rsm": CII_NS,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def _x(expression: str) -> etree.XPath:
    return compile_xpath(expression, _NS)


_SPEC = _x("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter"
           "/ram:ID/text()")
_NUMBER = _x("rsm:ExchangedDocument/ram:ID/text()")
_TYPE = _x("rsm:ExchangedDocument/ram:TypeCode/text()")
_ISSUE = _x("rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString/text()")
_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
_SELLER = _x(_AGREEMENT + "ram:SellerTradeParty")
_BUYER = _x(_AGREEMENT + "ram:BuyerTradeParty")
_DELIVERY = _x("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
               "/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime"
               "/udt:DateTimeString/text()")
_SETTLEMENT = _x("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement")
_LINES = _x("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem")
_CURRENCY_AMOUNTS = _x("//*[@currencyID]")

_S_CURRENCY = _x("ram:InvoiceCurrencyCode/text()")
_S_TAX_CURRENCY = _x("ram:TaxCurrencyCode/text()")
_S_TERMS = _x("ram:SpecifiedTradePaymentTerms/ram:Description/text()")
_S_DUE = _x("ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString/text()")
_S_PRECEDING = _x("ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()")
_S_CATEGORY_AMOUNTS = _x("ram:ApplicableTradeTax/ram:CalculatedAmount/text()")
_S_ALLOWANCES = _x("ram:SpecifiedTradeAllowanceCharge")
_S_SUMMATION = _x("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
_S_TAX_TOTALS = _x("ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount")
_CHARGE_INDICATOR = _x("ram:ChargeIndicator/udt:Indicator/text()")
_ACTUAL_AMOUNT = _x("ram:ActualAmount/text()")
_M = {name: _x(f"ram:{name}/text()") for name in (
    "LineTotalAmount", "ChargeTotalAmount", "AllowanceTotalAmount", "TaxBasisTotalAmount",
    "GrandTotalAmount", "TotalPrepaidAmount", "RoundingAmount", "DuePayableAmount")}

_P_NAME = _x("ram:Name/text()")
_P_ADDRESS = _x("ram:PostalTradeAddress")
_P_COUNTRY = _x("ram:PostalTradeAddress/ram:CountryID/text()")
_P_IDS = _x("ram:ID | ram:GlobalID | ram:SpecifiedLegalOrganization/ram:ID")
_P_TAX_IDS = _x("ram:SpecifiedTaxRegistration/ram:ID")

_L_ID = _x("ram:AssociatedDocumentLineDocument/ram:LineID/text()")
_L_NAME = _x("ram:SpecifiedTradeProduct/ram:Name/text()")
_L_HS = _x("ram:SpecifiedTradeProduct/ram:DesignatedProductClassification"
           "/ram:ClassCode[@listID='HS']/text()")
_L_QUANTITY = _x("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()")
_L_AMOUNT = _x("ram:SpecifiedLineTradeSettlement"
               "/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()")


def _party(node: etree._Element | None) -> tuple[Party, bool]:
    if node is None:
        return Party(), False
    ids: list[PartyIdentifier] = []
    for element in _P_IDS(node):
        if element.text and element.text.strip():
            ids.append(identifier(scheme_of(element.get("schemeID")), element.text))
    for element in _P_TAX_IDS(node):
        if element.text and element.text.strip():
            scheme = (IdentifierScheme.VAT if element.get("schemeID") == "VA"
                      else IdentifierScheme.REGISTRATION)
            ids.append(identifier(scheme, element.text))
    party = Party(name=first_text(_P_NAME, node),
                  country=check_country_code(first_text(_P_COUNTRY, node)),
                  identifiers=tuple(ids))
    return party, bool(_P_ADDRESS(node))


def _amount(xpath: etree.XPath, node: etree._Element, name: str) -> Decimal | None:
    return parse_amount(first_text(xpath, node), field=name)


def _settlement(facts: InvoiceFacts, node: etree._Element) -> None:
    currency = facts.currency
    facts.payment_terms = first_text(_S_TERMS, node)
    facts.due_date = parse_compact_date(first_text(_S_DUE, node), field="BT-9")
    facts.preceding_invoice = first_text(_S_PRECEDING, node)
    facts.category_tax_amounts = [
        amount for text in _S_CATEGORY_AMOUNTS(node)
        if (amount := parse_amount(text, field="BT-117")) is not None]
    for charge in _S_ALLOWANCES(node):
        amount = _amount(_ACTUAL_AMOUNT, charge, "BT-92/BT-99") or Decimal(0)
        if (first_text(_CHARGE_INDICATOR, charge) or "").lower() == "true":
            facts.document_charges.append(amount)
        else:
            facts.document_allowances.append(amount)
    summations = _S_SUMMATION(node)
    if summations:
        total = summations[0]
        facts.line_total = _amount(_M["LineTotalAmount"], total, "BT-106")
        facts.allowance_total = _amount(_M["AllowanceTotalAmount"], total, "BT-107")
        facts.charge_total = _amount(_M["ChargeTotalAmount"], total, "BT-108")
        facts.tax_exclusive = _amount(_M["TaxBasisTotalAmount"], total, "BT-109")
        facts.tax_inclusive = _amount(_M["GrandTotalAmount"], total, "BT-112")
        facts.prepaid = _amount(_M["TotalPrepaidAmount"], total, "BT-113")
        facts.rounding = _amount(_M["RoundingAmount"], total, "BT-114")
        facts.payable = _amount(_M["DuePayableAmount"], total, "BT-115")
    for element in _S_TAX_TOTALS(node):
        if element.get("currencyID") in (currency, None):
            facts.tax_total = parse_amount(element.text, field="BT-110")
            break


def read_cii_facts(root: etree._Element) -> InvoiceFacts:
    """The EN 16931 business terms of a CII CrossIndustryInvoice root element."""
    if root.tag != CII_ROOT:
        raise Refusal("format_unknown", f"{root.tag} is not a CII CrossIndustryInvoice")
    settlements = _SETTLEMENT(root)
    settlement = settlements[0] if settlements else None
    currency = None
    if settlement is not None:
        currency = check_currency_code(first_text(_S_CURRENCY, settlement), field="BT-5")
    facts = InvoiceFacts(
        format=DocumentFormat.CII, specification=first_text(_SPEC, root),
        number=first_text(_NUMBER, root), type_code=first_text(_TYPE, root),
        issue_date=parse_compact_date(first_text(_ISSUE, root), field="BT-2"),
        currency=currency,
        delivery_date=parse_compact_date(first_text(_DELIVERY, root), field="BT-72"),
    )
    sellers, buyers = _SELLER(root), _BUYER(root)
    facts.seller, facts.seller_has_address = _party(sellers[0] if sellers else None)
    facts.buyer, facts.buyer_has_address = _party(buyers[0] if buyers else None)
    if settlement is not None:
        _settlement(facts, settlement)
    for node in _LINES(root):
        amount = _amount(_L_AMOUNT, node, "BT-131")
        facts.line_amounts.append(amount if amount is not None else Decimal(0))
        facts.lines.append(DocumentLine(
            line_id=first_text(_L_ID, node) or str(len(facts.lines) + 1),
            description=first_text(_L_NAME, node),
            quantity=parse_amount(first_text(_L_QUANTITY, node), field="BT-129"),
            net_amount=amount, hs_code=hs_digits(first_text(_L_HS, node))))
    tax_currency = first_text(_S_TAX_CURRENCY, settlement) if settlement is not None else None
    for element in _CURRENCY_AMOUNTS(root):
        code = element.get("currencyID")
        if code == currency:
            continue
        if code == tax_currency and etree.QName(element).localname == "TaxTotalAmount":
            continue  # BT-111, the VAT total in the accounting currency
        facts.foreign_currency_amounts.append(f"{etree.QName(element).localname} in {code}")
    return facts
