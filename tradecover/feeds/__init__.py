"""Feeds: the pure readers of automatic attachment.

Customs export declarations and notifications (WCO DEC-DMS), national single-window export
records (JSON, CSV), e-invoices (UBL 2.1, CII D16B, Factur-X/ZUGFeRD PDFs; EN 16931 rules
and optionally the official Schematron) and signed ERP webhooks: each reader returns one
immutable :class:`TradeDocument` or a :class:`Quarantine` with reason codes, never raising.
:mod:`.matching` links declarations to invoices and decides shipment and due dates.
Plain Python and lxml: no database, no web, no message broker (see ``docs/feeds.md``).
The exporter's confirmations under the attachment model ([domain A-3]) are resolved lazily
(they need the database), as are the workers' batch path (:func:`receive_many` with
:func:`model_attacher` and :func:`correction_step`) and :func:`create_connection`, which
the demo seed calls in-process.
"""

from typing import TYPE_CHECKING

from tradecover.feeds.customs_wco import read_wco_customs
from tradecover.feeds.dispatch import read_document
from tradecover.feeds.einvoice import read_cii, read_einvoice, read_facturx_pdf, read_ubl
from tradecover.feeds.en16931 import InvoiceFacts, business_rule_breaches
from tradecover.feeds.erp_webhook import (
    SIGNATURE_HEADER,
    ErpParty,
    ErpShipmentEvent,
    ErpShipmentLine,
    check_signature,
    read_erp_webhook,
    sign,
)
from tradecover.feeds.matching import (
    DueDateBasis,
    InvoiceMatch,
    MatchPolicy,
    MatchRule,
    ShipmentDateBasis,
    due_date,
    match_invoice,
    normalise_name,
    shipment_date,
)
from tradecover.feeds.record import (
    DocumentFormat,
    DocumentKind,
    DocumentLine,
    IdentifierScheme,
    Party,
    PartyIdentifier,
    Quarantine,
    ReadResult,
    Reason,
    TradeDocument,
)
from tradecover.feeds.safe_xml import XmlLimits
from tradecover.feeds.schematron import Schematrons, SchematronValidator, schematron_validator
from tradecover.feeds.single_window import (
    read_single_window_csv,
    read_single_window_json,
    read_single_window_record,
)
from tradecover.kit.public_face import lazy_exports

if TYPE_CHECKING:
    from tradecover.feeds.batch_repository import receive_many as receive_many
    from tradecover.feeds.confirmation_repository import MAX_CONFIRM as MAX_CONFIRM
    from tradecover.feeds.confirmation_repository import (
        awaiting_confirmation as awaiting_confirmation,
    )
    from tradecover.feeds.confirmation_repository import confirm_many as confirm_many
    from tradecover.feeds.confirmation_repository import correction_step as correction_step
    from tradecover.feeds.confirmation_repository import model_attacher as model_attacher
    from tradecover.feeds.confirmation_repository import withdraw_received as withdraw_received
    from tradecover.feeds.connection_repository import connections_of as connections_of
    from tradecover.feeds.connection_repository import create_connection as create_connection
    from tradecover.feeds.retention_repository import purge_documents as purge_documents
    from tradecover.feeds.service import list_documents as list_documents
    from tradecover.feeds.service import resubmission as resubmission
    from tradecover.feeds.service import withdraw as withdraw
    from tradecover.feeds.stream.envelope import Envelope as Envelope
    from tradecover.feeds.stream.envelope import FeedSource as FeedSource
    from tradecover.feeds.stream.nats_stream import Publisher as Publisher
    from tradecover.feeds.stream.nats_stream import StreamSettings as StreamSettings
    from tradecover.feeds.stream.nats_stream import StreamUnavailable as StreamUnavailable

_LAZY: dict[str, str] = {
    "Envelope": "stream.envelope",
    "FeedSource": "stream.envelope",
    "MAX_CONFIRM": "confirmation_repository",
    "Publisher": "stream.nats_stream",
    "StreamSettings": "stream.nats_stream",
    "StreamUnavailable": "stream.nats_stream",
    "awaiting_confirmation": "confirmation_repository",
    "confirm_many": "confirmation_repository",
    "connections_of": "connection_repository",
    "correction_step": "confirmation_repository",
    "create_connection": "connection_repository",
    "model_attacher": "confirmation_repository",
    "receive_many": "batch_repository",
    "list_documents": "service",
    "resubmission": "service",
    "withdraw": "service",
    "withdraw_received": "confirmation_repository",
    "purge_documents": "retention_repository",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "MAX_CONFIRM",
    "SIGNATURE_HEADER",
    "DocumentFormat",
    "DocumentKind",
    "DocumentLine",
    "DueDateBasis",
    "Envelope",
    "ErpParty",
    "ErpShipmentEvent",
    "ErpShipmentLine",
    "FeedSource",
    "IdentifierScheme",
    "InvoiceFacts",
    "InvoiceMatch",
    "MatchPolicy",
    "MatchRule",
    "Party",
    "PartyIdentifier",
    "Publisher",
    "Quarantine",
    "ReadResult",
    "Reason",
    "SchematronValidator",
    "Schematrons",
    "ShipmentDateBasis",
    "StreamSettings",
    "StreamUnavailable",
    "TradeDocument",
    "XmlLimits",
    "awaiting_confirmation",
    "business_rule_breaches",
    "check_signature",
    "confirm_many",
    "connections_of",
    "correction_step",
    "create_connection",
    "due_date",
    "list_documents",
    "match_invoice",
    "model_attacher",
    "normalise_name",
    "purge_documents",
    "read_cii",
    "read_document",
    "read_einvoice",
    "read_erp_webhook",
    "read_facturx_pdf",
    "read_single_window_csv",
    "read_single_window_json",
    "read_single_window_record",
    "read_ubl",
    "read_wco_customs",
    "receive_many",
    "resubmission",
    "schematron_validator",
    "shipment_date",
    "sign",
    "withdraw",
    "withdraw_received",
]
