"""One entry point for a document of unknown format: tell the format, call its reader.

The format is told from the first bytes: ``%PDF-`` (Factur-X), a JSON object (single
window record), else XML whose first 16 KiB name the UBL, CII or WCO namespace.
"""

from __future__ import annotations

from tradecover.feeds.customs_wco import read_wco_customs
from tradecover.feeds.einvoice import read_einvoice, read_facturx_pdf
from tradecover.feeds.record import ReadResult
from tradecover.feeds.safe_xml import DEFAULT_LIMITS, XmlLimits
from tradecover.feeds.schematron import Schematrons
from tradecover.feeds.single_window import read_single_window_json

_SNIFF_BYTES = 16 * 1024
_WCO = b"urn:wco:datamodel:WCO:"


def read_document(
    data: bytes,
    *,
    source: str = "",
    limits: XmlLimits = DEFAULT_LIMITS,
    schematrons: Schematrons | None = None,
) -> ReadResult:
    """Read one document of any supported format (a CSV file: use the CSV reader)."""
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return read_facturx_pdf(
            data, source=source, limits=limits, schematron=schematrons.cii if schematrons else None
        )
    if head.startswith(b"{"):
        return read_single_window_json(data, source=source, limits=limits)
    if _WCO in head and b"ubl:schema" not in head and b"CrossIndustryInvoice" not in head:
        return read_wco_customs(data, source=source, limits=limits)
    return read_einvoice(data, source=source, limits=limits, schematrons=schematrons)
