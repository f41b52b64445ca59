"""UN/CEFACT Cross Industry Invoice D16B (EN 16931 CII syntax) reader.

The same business terms as the UBL reader, from the CII paths; Factur-X / ZUGFeRD PDFs carry
this XML as an attachment (:mod:`.facturx_pdf`).
"""

from __future__ import annotations

from datetime import date
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
RSM = f"{{{CII_NS}}}"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
UDT = "{urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100}"
_CURRENCY_IDS = etree.XPath("//@currencyID", smart_strings=False)
_SUMMATION = {
    "line_total": "LineTotalAmount",
    "allowance_total": "AllowanceTotalAmount",
    "charge_total": "ChargeTotalAmount",
    "tax_exclusive": "TaxBasisTotalAmount",
    "tax_inclusive": "GrandTotalAmount",
    "prepaid": "TotalPrepaidAmount",
    "rounding": "RoundingAmount",
    "payable": "DuePayableAmount",
}


def _path(node: etree._Element | None, *tags: str) -> etree._Element | None:
    """The first element down ``tags`` (each a RAM/RSM/UDT-qualified tag), or None."""
    for tag in tags:
        if node is None:
            return None
        node = node.find(tag)
    return node


def _path_text(node: etree._Element | None, *tags: str) -> str | None:
    found = _path(node, *tags)
    if found is None:
        return None
    text = (found.text or "").strip()
    return text or None


def _date(node: etree._Element | None, term: str) -> date | None:
    """A ``udt:DateTimeString`` (format 102) under ``node``."""
    return parse_compact_date(_path_text(node, UDT + "DateTimeString"), field=term)


def _party(node: etree._Element | None) -> tuple[Party, bool]:
    if node is None:
        return Party(), False
    kids = children(node)
    ids: list[PartyIdentifier] = []
    for element in kids.get(RAM + "ID", []) + kids.get(RAM + "GlobalID", []):
        if element.text and element.text.strip():
            ids.append(identifier(scheme_of(element.get("schemeID")), element.text))
    legal = _path(child(kids, RAM + "SpecifiedLegalOrganization"), RAM + "ID")
    if legal is not None and legal.text and legal.text.strip():
        ids.append(identifier(scheme_of(legal.get("schemeID")), legal.text))
    for registration in kids.get(RAM + "SpecifiedTaxRegistration", ()):
        element = registration.find(RAM + "ID")
        if element is not None and element.text and element.text.strip():
            scheme = (
                IdentifierScheme.VAT
                if element.get("schemeID") == "VA"
                else IdentifierScheme.REGISTRATION
            )
            ids.append(identifier(scheme, element.text))
    address = child(kids, RAM + "PostalTradeAddress")
    party = Party(
        name=child_text(kids, RAM + "Name"),
        country=check_country_code(_path_text(address, RAM + "CountryID")),
        identifiers=tuple(ids),
    )
    return party, address is not None


def _settlement(facts: InvoiceFacts, node: etree._Element) -> None:
    kids = children(node)
    terms = child(kids, RAM + "SpecifiedTradePaymentTerms")
    facts.payment_terms = _path_text(terms, RAM + "Description")
    facts.due_date = _date(_path(terms, RAM + "DueDateDateTime"), "BT-9")
    facts.preceding_invoice = _path_text(
        child(kids, RAM + "InvoiceReferencedDocument"), RAM + "IssuerAssignedID"
    )
    for tax in kids.get(RAM + "ApplicableTradeTax", ()):
        amount = parse_amount(_path_text(tax, RAM + "CalculatedAmount"), field="BT-117")
        if amount is not None:
            facts.category_tax_amounts.append(amount)
    for charge in kids.get(RAM + "SpecifiedTradeAllowanceCharge", ()):
        amount = parse_amount(
            _path_text(charge, RAM + "ActualAmount"), field="BT-92/BT-99"
        ) or Decimal(0)
        indicator = _path_text(charge, RAM + "ChargeIndicator", UDT + "Indicator") or ""
        if indicator.lower() == "true":
            facts.document_charges.append(amount)
        else:
            facts.document_allowances.append(amount)
    summation = children(child(kids, RAM + "SpecifiedTradeSettlementHeaderMonetarySummation"))
    for attribute, name in _SUMMATION.items():
        setattr(facts, attribute, parse_amount(child_text(summation, RAM + name), field=name))
    for element in summation.get(RAM + "TaxTotalAmount", ()):
        if element.get("currencyID") in (facts.currency, None):
            facts.tax_total = parse_amount(element.text, field="BT-110")
            break


def _line(node: etree._Element, number: int) -> DocumentLine:
    kids = children(node)
    product = children(child(kids, RAM + "SpecifiedTradeProduct"))
    hs_code = None
    for classification in product.get(RAM + "DesignatedProductClassification", ()):
        code = classification.find(RAM + "ClassCode")
        if code is not None and code.get("listID") == "HS":
            hs_code = hs_digits(code.text)
            break
    return DocumentLine(
        line_id=_path_text(child(kids, RAM + "AssociatedDocumentLineDocument"), RAM + "LineID")
        or str(number),
        description=child_text(product, RAM + "Name"),
        quantity=parse_amount(
            _path_text(child(kids, RAM + "SpecifiedLineTradeDelivery"), RAM + "BilledQuantity"),
            field="BT-129",
        ),
        net_amount=parse_amount(
            _path_text(
                child(kids, RAM + "SpecifiedLineTradeSettlement"),
                RAM + "SpecifiedTradeSettlementLineMonetarySummation",
                RAM + "LineTotalAmount",
            ),
            field="BT-131",
        ),
        hs_code=hs_code,
    )


def read_cii_facts(root: etree._Element) -> InvoiceFacts:
    """The EN 16931 business terms of a CII CrossIndustryInvoice root element."""
    if root.tag != CII_ROOT:
        raise Refusal("format_unknown", f"{root.tag} is not a CII CrossIndustryInvoice")
    kids = children(root)
    document = children(child(kids, RSM + "ExchangedDocument"))
    trade = children(child(kids, RSM + "SupplyChainTradeTransaction"))
    settlement = child(trade, RAM + "ApplicableHeaderTradeSettlement")
    agreement = children(child(trade, RAM + "ApplicableHeaderTradeAgreement"))
    facts = InvoiceFacts(
        format=DocumentFormat.CII,
        specification=_path_text(
            child(kids, RSM + "ExchangedDocumentContext"),
            RAM + "GuidelineSpecifiedDocumentContextParameter",
            RAM + "ID",
        ),
        number=child_text(document, RAM + "ID"),
        type_code=child_text(document, RAM + "TypeCode"),
        issue_date=_date(child(document, RAM + "IssueDateTime"), "BT-2"),
        currency=check_currency_code(
            _path_text(settlement, RAM + "InvoiceCurrencyCode"), field="BT-5"
        ),
        delivery_date=_date(
            _path(
                child(trade, RAM + "ApplicableHeaderTradeDelivery"),
                RAM + "ActualDeliverySupplyChainEvent",
                RAM + "OccurrenceDateTime",
            ),
            "BT-72",
        ),
    )
    facts.seller, facts.seller_has_address = _party(child(agreement, RAM + "SellerTradeParty"))
    facts.buyer, facts.buyer_has_address = _party(child(agreement, RAM + "BuyerTradeParty"))
    if settlement is not None:
        _settlement(facts, settlement)
    for node in trade.get(RAM + "IncludedSupplyChainTradeLineItem", ()):
        line = _line(node, len(facts.lines) + 1)
        facts.lines.append(line)
        facts.line_amounts.append(line.net_amount or Decimal(0))
    if not set(_CURRENCY_IDS(root)) <= {facts.currency}:
        tax_currency = _path_text(settlement, RAM + "TaxCurrencyCode")
        for element in root.iter():
            code = element.get("currencyID")
            if code is None or code == facts.currency:
                continue
            name = etree.QName(element).localname
            if code == tax_currency and name == "TaxTotalAmount":
                continue  # BT-111, the VAT total in the accounting currency
            facts.foreign_currency_amounts.append(f"{name} in {code}")
    return facts
