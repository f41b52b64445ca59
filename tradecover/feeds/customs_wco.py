"""WCO data model customs messages (DEC-DMS 2 as customs services exchange them).

- The export declaration (``Declaration`` in ``urn:wco:datamodel:WCO:DEC-DMS:2``, usually
  wrapped in a ``DocumentMetaData`` envelope) becomes a ``customs_declaration``: LRN (DE
  2/5) as document id, exporter EORI (DE 3/2), consignee (DE 3/9), destination (DE 5/8),
  commodity codes (DE 6/14), invoice amount (DE 4/11) or the sum of the statistical values
  (DE 8/6), the commercial invoice (GoodsShipment/Invoice or document N380), the transport
  document (N7xx documents), acceptance and exit dates where stated.
- A customs notification (``Response`` in ``urn:wco:datamodel:WCO:RES-DMS:2``) becomes a
  ``customs_exit`` (function code 16, goods have exited) or ``customs_acceptance`` (01);
  a rejection (03) is quarantined ``customs_declaration_rejected`` with the customs error
  codes; other statuses (received, cleared...) as ``customs_status_not_used``.
An import declaration (type IM...) is quarantined ``customs_not_export``.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from lxml import etree

from tradecover.feeds.record import (
    DocumentFormat,
    DocumentKind,
    DocumentLine,
    IdentifierScheme,
    Party,
    Quarantine,
    ReadResult,
    Refusal,
    TradeDocument,
)
from tradecover.feeds.safe_xml import (
    DEFAULT_LIMITS,
    XmlLimits,
    child,
    child_text,
    children,
    compile_xpath,
    first_text,
    parse_xml,
)
from tradecover.feeds.ubl import hs_digits
from tradecover.feeds.values import (
    check_country_code,
    check_currency_code,
    identifier,
    parse_amount,
    parse_compact_date,
)

META_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DEC_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
RES_NS = "urn:wco:datamodel:WCO:RES-DMS:2"
_NS = {"md": META_NS, "d": DEC_NS, "r": RES_NS}

ACCEPTED, REJECTED, EXITED = "01", "03", "16"
"""Notification function codes (customs service responses) the reader acts on."""
INVOICE_DOCUMENT = "N380"
TRANSPORT_DOCUMENTS = ("N705", "N740", "N730", "N720", "N741", "N704", "N714", "N703")
"""Document codes of transport documents: bills of lading, air waybills, CMR, CIM."""
HS_CLASSIFICATION_TYPES = frozenset({"TSP", "GN", "HS", "CN"})
CUSTOMS_NOT_EXPORT = "customs_not_export"
CUSTOMS_REJECTED = "customs_declaration_rejected"
CUSTOMS_STATUS_NOT_USED = "customs_status_not_used"
CUSTOMS_ID_MISSING = "customs_declaration_id_missing"
CURRENCY_MISMATCH = "currency_mismatch"
LRN_TOO_LONG = "customs_lrn_too_long"
LRN_MAX_LENGTH = 22
"""DE 2/5, the trader's reference (LRN), is at most 22 characters (an..22)."""


def _x(expression: str) -> etree.XPath:
    return compile_xpath(expression, _NS)


_DECLARATIONS = _x("self::d:Declaration | d:Declaration")
_RESPONSES = _x("self::r:Response | r:Response")
_DATE = "/*[local-name()='DateTimeString']/text()"

D = f"{{{DEC_NS}}}"
_DOCUMENT_TAGS = (D + "AdditionalDocument", D + "PreviousDocument")


def _date_of(node: etree._Element | None) -> str | None:
    """The ``DateTimeString`` text under a WCO date element (any data-set namespace)."""
    if node is None:
        return None
    for element in node:
        if str(element.tag).endswith("}DateTimeString"):
            return (element.text or "").strip() or None
    return None


_R_FUNCTION = _x("r:FunctionCode/text()")
_R_ISSUED = _x("r:IssueDateTime" + _DATE)
_R_LRN = _x("r:Declaration/r:FunctionalReferenceID/text()")
_R_MRN = _x("r:Declaration/r:ID/text()")
_R_VERSION = _x("r:Declaration/r:VersionID/text()")
_R_ACCEPTED = _x("r:Declaration/r:AcceptanceDateTime" + _DATE)
_R_ERRORS = _x("r:Error/r:ValidationCode/text()")


def _party(node: etree._Element | None, scheme: IdentifierScheme) -> Party:
    if node is None:
        return Party()
    kids = children(node)
    raw_id = child_text(kids, D + "ID")
    address = child(kids, D + "Address")
    country = None
    if address is not None:
        country = check_country_code(address.findtext(D + "CountryCode"))
    return Party(
        name=child_text(kids, D + "Name"),
        country=country,
        identifiers=(identifier(scheme, raw_id),) if raw_id else (),
    )


def _documents(declaration: etree._Element, found: dict[str, str]) -> None:
    for node in declaration.iter(*_DOCUMENT_TAGS):
        kids = children(node)
        code = (child_text(kids, D + "CategoryCode") or "") + (
            child_text(kids, D + "TypeCode") or ""
        )
        document_id = child_text(kids, D + "ID")
        if document_id and code not in found:
            found[code] = document_id


def _hs_code(commodity: dict[str, list[etree._Element]]) -> str | None:
    for classification in commodity.get(D + "Classification", ()):
        kids = children(classification)
        kind = child_text(kids, D + "IdentificationTypeCode")
        if kind is None or kind in HS_CLASSIFICATION_TYPES:
            code = hs_digits(child_text(kids, D + "ID"))
            if code:
                return code
    return None


def _items(items: list[etree._Element]) -> tuple[list[DocumentLine], dict[str, Decimal]]:
    lines: list[DocumentLine] = []
    values: dict[str, Decimal] = {}
    for item in items:
        kids = children(item)
        commodity = children(child(kids, D + "Commodity"))
        amount = None
        for element in kids.get(D + "StatisticalValueAmount", ()):
            amount = parse_amount(element.text, field="DE 8/6")
            currency = check_currency_code(element.get("currencyID"), field="DE 8/6")
            if amount is not None and currency:
                values[currency] = values.get(currency, Decimal(0)) + amount
        lines.append(
            DocumentLine(
                line_id=child_text(kids, D + "SequenceNumeric") or str(len(lines) + 1),
                description=child_text(commodity, D + "Description"),
                net_amount=amount,
                hs_code=_hs_code(commodity),
            )
        )
    return lines, values


def _declaration(node: etree._Element, data: bytes, source: str) -> TradeDocument:
    kids = children(node)
    type_code = child_text(kids, D + "TypeCode") or ""
    if type_code.upper().startswith("IM"):
        raise Refusal(CUSTOMS_NOT_EXPORT, f"declaration type {type_code} is an import")
    lrn = child_text(kids, D + "FunctionalReferenceID")
    if lrn is not None and len(lrn) > LRN_MAX_LENGTH:
        raise Refusal(LRN_TOO_LONG, f"the LRN (DE 2/5) {lrn!r} is over {LRN_MAX_LENGTH} characters")
    document_id = lrn or child_text(kids, D + "ID")
    if not document_id:
        raise Refusal(CUSTOMS_ID_MISSING, "neither an LRN (DE 2/5) nor an MRN")
    version, amends = "1", None
    if child_text(kids, D + "FunctionCode") == "13":  # amends a declaration already lodged
        version, amends = "amendment-" + hashlib.sha256(data).hexdigest()[:16], document_id
    shipment = children(child(kids, D + "GoodsShipment"))
    exporter = _party(child(kids, D + "Exporter"), IdentifierScheme.EORI)
    consignee = _party(child(shipment, D + "Consignee"), IdentifierScheme.OTHER)
    if consignee.country is None:
        destination = child(shipment, D + "Destination")
        if destination is not None:
            consignee = Party(
                consignee.name,
                check_country_code(destination.findtext(D + "CountryCode")),
                consignee.identifiers,
            )
    lines, values = _items(shipment.get(D + "GovernmentAgencyGoodsItem", []))
    currency, total = None, None
    invoice_amount = child(kids, D + "InvoiceAmount")
    if invoice_amount is not None:
        total = parse_amount(invoice_amount.text, field="DE 4/11")
        currency = check_currency_code(invoice_amount.get("currencyID"), field="DE 4/11")
    elif len(values) > 1:
        raise Refusal(CURRENCY_MISMATCH, "statistical values in " + ", ".join(sorted(values)))
    elif values:
        currency, total = next(iter(values.items()))
    documents: dict[str, str] = {}
    _documents(node, documents)
    transport = next((documents[code] for code in TRANSPORT_DOCUMENTS if code in documents), None)
    invoice = child(shipment, D + "Invoice")
    invoice_id = (invoice.findtext(D + "ID") or "").strip() or None if invoice is not None else None
    return TradeDocument(
        kind=DocumentKind.CUSTOMS_DECLARATION,
        format=DocumentFormat.WCO_DEC_DMS,
        source=source,
        document_id=document_id,
        version=version,
        issue_date=parse_compact_date(_date_of(child(kids, D + "IssueDateTime")), field="DE 5/6"),
        seller=exporter,
        buyer=consignee,
        currency=currency,
        total=total,
        invoice_reference=invoice_id or documents.get(INVOICE_DOCUMENT),
        hs_codes=tuple(dict.fromkeys(line.hs_code for line in lines if line.hs_code)),
        transport_document=transport,
        acceptance_date=parse_compact_date(
            _date_of(child(kids, D + "AcceptanceDateTime")), field="DE 5/7"
        ),
        exit_date=parse_compact_date(
            _date_of(child(shipment, D + "ExitDateTime")), field="exit date"
        ),
        lines=tuple(lines),
        amends=amends,
    )


def _notification(responses: list[etree._Element], source: str) -> TradeDocument:
    by_code = {first_text(_R_FUNCTION, node): node for node in responses}
    for code, kind in (
        (EXITED, DocumentKind.CUSTOMS_EXIT),
        (ACCEPTED, DocumentKind.CUSTOMS_ACCEPTANCE),
    ):
        node = by_code.get(code)
        if node is None:
            continue
        document_id = first_text(_R_LRN, node) or first_text(_R_MRN, node)
        if not document_id:
            raise Refusal(CUSTOMS_ID_MISSING, "the notification names no declaration")
        issued = parse_compact_date(first_text(_R_ISSUED, node), field="issue date")
        accepted = parse_compact_date(first_text(_R_ACCEPTED, node), field="acceptance date")
        return TradeDocument(
            kind=kind,
            format=DocumentFormat.WCO_RES_DMS,
            source=source,
            document_id=document_id,
            version=f"{code}-{first_text(_R_VERSION, node) or '1'}",
            issue_date=issued,
            acceptance_date=(accepted or issued)
            if kind is DocumentKind.CUSTOMS_ACCEPTANCE
            else accepted,
            exit_date=issued if kind is DocumentKind.CUSTOMS_EXIT else None,
        )
    rejected = by_code.get(REJECTED)
    if rejected is not None:
        errors = ", ".join(_R_ERRORS(rejected)) or "no error code given"
        raise Refusal(
            CUSTOMS_REJECTED,
            f"customs rejected the declaration: {errors}",
            document_id=first_text(_R_LRN, rejected) or first_text(_R_MRN, rejected),
        )
    codes = ", ".join(sorted(code or "?" for code in by_code))
    raise Refusal(CUSTOMS_STATUS_NOT_USED, f"notification status {codes} changes no cover")


def read_wco_customs(
    data: bytes, *, source: str = "", limits: XmlLimits = DEFAULT_LIMITS
) -> ReadResult:
    """Read a WCO DEC-DMS export declaration or a customs notification (RES-DMS)."""
    try:
        root = parse_xml(data, limits)
        declarations = _DECLARATIONS(root)
        if declarations:
            return _declaration(
                declarations[0], bytes(data), source or DocumentFormat.WCO_DEC_DMS.value
            )
        responses = _RESPONSES(root)
        if responses:
            return _notification(responses, source or DocumentFormat.WCO_RES_DMS.value)
        raise Refusal("format_unknown", f"{root.tag} holds no WCO Declaration or Response")
    except Refusal as refusal:
        fmt = DocumentFormat.WCO_DEC_DMS
        if b"RES-DMS" in data[:4096]:
            fmt = DocumentFormat.WCO_RES_DMS
        return Quarantine(fmt, source or fmt.value, (refusal.reason,), refusal.document_id)


def is_wco_root(tag: str) -> bool:
    """True for the root element names of the WCO messages this module reads."""
    return tag.startswith((f"{{{META_NS}}}", f"{{{DEC_NS}}}", f"{{{RES_NS}}}"))
