"""E-invoice readers: UBL 2.1, UN/CEFACT CII D16B and the CII inside a Factur-X/ZUGFeRD PDF.

Each reader parses safely (:mod:`.safe_xml`), gathers the EN 16931 business terms, checks
the rules attachment depends on (:mod:`.en16931`), then, where the operator configured it,
the official Schematron (:mod:`.schematron`); it returns a :class:`~.record.TradeDocument`
or a :class:`~.record.Quarantine` with every breach found, never raising.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from lxml import etree

from tradecover.feeds.cii import CII_ROOT, read_cii_facts
from tradecover.feeds.en16931 import InvoiceFacts, business_rule_breaches, to_trade_document
from tradecover.feeds.record import (
    DocumentFormat,
    Quarantine,
    ReadResult,
    Reason,
    Refusal,
)
from tradecover.feeds.safe_xml import (
    DEFAULT_LIMITS,
    DOCUMENT_TOO_LARGE,
    XmlLimits,
    check_size,
    parse_xml,
)
from tradecover.feeds.schematron import Schematrons, SchematronValidator
from tradecover.feeds.ubl import UBL_ROOTS, read_ubl_facts

FORMAT_UNKNOWN = "format_unknown"
PDF_MALFORMED = "pdf_malformed"
FACTURX_XML_MISSING = "facturx_xml_missing"
PDF_LIMITS = XmlLimits(max_bytes=20 * 1024 * 1024)
"""A Factur-X PDF may be larger than its XML: the PDF limit is separate."""

_FactsReader = Callable[[etree._Element], InvoiceFacts]


def _read(
    data: bytes,
    facts_of: _FactsReader | None,
    fmt: DocumentFormat | None,
    *,
    source: str,
    limits: XmlLimits,
    schematrons: Schematrons | None,
    result_format: DocumentFormat | None = None,
) -> ReadResult:
    source_name = source or (fmt.value if fmt else "einvoice")
    try:
        root = parse_xml(data, limits)
        if facts_of is None:
            if root.tag in UBL_ROOTS:
                facts_of, fmt = read_ubl_facts, DocumentFormat.UBL
            elif root.tag == CII_ROOT:
                facts_of, fmt = read_cii_facts, DocumentFormat.CII
            else:
                raise Refusal(FORMAT_UNKNOWN, f"{root.tag} is neither UBL nor CII")
        facts = facts_of(root)
    except Refusal as refusal:
        return Quarantine(result_format or fmt, source_name, (refusal.reason,))
    if result_format is not None:
        facts.format = result_format
    breaches = business_rule_breaches(facts)
    if not breaches and schematrons is not None:
        schematron = schematrons.cii if facts_of is read_cii_facts else schematrons.ubl
        if schematron is not None:
            breaches = schematron.breaches(bytes(data))
    if breaches:
        return Quarantine(facts.format, source_name, tuple(breaches), facts.number)
    return to_trade_document(facts, source=source_name)


def read_ubl(
    data: bytes,
    *,
    source: str = "",
    limits: XmlLimits = DEFAULT_LIMITS,
    schematron: SchematronValidator | None = None,
) -> ReadResult:
    """Read a UBL 2.1 Invoice or CreditNote."""
    return _read(
        data,
        read_ubl_facts,
        DocumentFormat.UBL,
        source=source,
        limits=limits,
        schematrons=Schematrons(ubl=schematron),
    )


def read_cii(
    data: bytes,
    *,
    source: str = "",
    limits: XmlLimits = DEFAULT_LIMITS,
    schematron: SchematronValidator | None = None,
) -> ReadResult:
    """Read a UN/CEFACT Cross Industry Invoice (D16B)."""
    return _read(
        data,
        read_cii_facts,
        DocumentFormat.CII,
        source=source,
        limits=limits,
        schematrons=Schematrons(cii=schematron),
    )


def read_einvoice(
    data: bytes,
    *,
    source: str = "",
    limits: XmlLimits = DEFAULT_LIMITS,
    schematrons: Schematrons | None = None,
) -> ReadResult:
    """Read a UBL or CII e-invoice, telling them apart by the root element."""
    return _read(data, None, None, source=source, limits=limits, schematrons=schematrons)


def _screen_attachments(pdf: bytes, limits: XmlLimits) -> None:
    """Refuse a PDF whose attachments break the XML limits before the library parses them."""
    from pypdf import PdfReader

    for attachment in PdfReader(io.BytesIO(pdf)).attachment_list:
        content = attachment.content or b""
        check_size(content, limits)
        if b"<!DOCTYPE" in content.upper():
            raise Refusal(
                "xml_doctype_forbidden", f"the attachment {attachment.name} declares a DOCTYPE"
            )


def read_facturx_pdf(
    data: bytes,
    *,
    source: str = "",
    limits: XmlLimits = DEFAULT_LIMITS,
    pdf_limits: XmlLimits = PDF_LIMITS,
    schematron: SchematronValidator | None = None,
) -> ReadResult:
    """Read the CII e-invoice embedded in a Factur-X / ZUGFeRD PDF."""
    import facturx  # the PDF stack is loaded only for PDFs

    fmt = DocumentFormat.FACTUR_X
    name = source or fmt.value
    if len(data) > pdf_limits.max_bytes:
        return Quarantine(
            fmt,
            name,
            (
                Reason(
                    DOCUMENT_TOO_LARGE, f"{len(data)} bytes, the limit is {pdf_limits.max_bytes}"
                ),
            ),
        )
    if not data.startswith(b"%PDF-"):
        return Quarantine(fmt, name, (Reason(PDF_MALFORMED, "not a PDF document"),))
    try:
        _screen_attachments(data, limits)
        _, xml = facturx.get_facturx_xml_from_pdf(data, check_xsd=False)
    except Refusal as refusal:
        return Quarantine(fmt, name, (refusal.reason,))
    except Exception as error:  # pypdf raises many types on a damaged PDF
        return Quarantine(fmt, name, (Reason(PDF_MALFORMED, str(error)[:300]),))
    if not xml:
        return Quarantine(
            fmt,
            name,
            (Reason(FACTURX_XML_MISSING, "no factur-x.xml or ZUGFeRD-invoice.xml attachment"),),
        )
    return _read(
        xml,
        read_cii_facts,
        DocumentFormat.CII,
        source=name,
        limits=limits,
        schematrons=Schematrons(cii=schematron),
        result_format=fmt,
    )
