"""The one record every feed reader returns: a :class:`TradeDocument` or a :class:`Quarantine`.

Readers never raise on bad input: a document that cannot be read, or that breaks a rule
attachment depends on, comes back as a :class:`Quarantine` with reason codes the exporter
can act on (``xml_malformed``, ``en16931_BR-CO-15``...).  Records are immutable; the dedup
key (source, document id, version) lets the attachment step ignore a document seen before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class DocumentKind(StrEnum):
    """What a trade document is, for attachment."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    CUSTOMS_DECLARATION = "customs_declaration"
    CUSTOMS_ACCEPTANCE = "customs_acceptance"
    CUSTOMS_EXIT = "customs_exit"
    ERP_SHIPMENT = "erp_shipment"


class DocumentFormat(StrEnum):
    """The wire format a document arrived in."""

    UBL = "ubl"
    CII = "cii"
    FACTUR_X = "factur_x"
    WCO_DEC_DMS = "wco_dec_dms"
    WCO_RES_DMS = "wco_res_dms"
    SINGLE_WINDOW_JSON = "single_window_json"
    SINGLE_WINDOW_CSV = "single_window_csv"
    ERP_WEBHOOK = "erp_webhook"


class IdentifierScheme(StrEnum):
    """Kinds of party identifiers the readers recognise."""

    VAT = "vat"
    EORI = "eori"
    LEI = "lei"
    GLN = "gln"
    DUNS = "duns"
    REGISTRATION = "registration"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PartyIdentifier:
    """An identifier of a party; ``valid`` is None where no checksum rule knows the scheme."""

    scheme: IdentifierScheme
    value: str
    valid: bool | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """A seller/exporter or buyer/consignee as the document names it."""

    name: str | None = None
    country: str | None = None
    identifiers: tuple[PartyIdentifier, ...] = ()

    def identifier(self, scheme: IdentifierScheme) -> str | None:
        """The first identifier of ``scheme``, or None."""
        for item in self.identifiers:
            if item.scheme is scheme:
                return item.value
        return None


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One invoice line or customs goods item."""

    line_id: str
    description: str | None = None
    quantity: Decimal | None = None
    net_amount: Decimal | None = None
    hs_code: str | None = None


@dataclass(frozen=True, slots=True)
class TradeDocument:
    """A trade document read from any feed, in the terms attachment needs.

    Amounts are in ``currency`` (ISO 4217); ``total`` is tax-inclusive, ``tax_exclusive``
    before tax and ``payable`` what the buyer owes.  ``amends`` is the id of the document a
    credit note or amendment changes; ``invoice_reference`` the invoice a customs record
    declares.  ``shipment_date`` is what an ERP states; customs records state acceptance and
    exit dates instead.
    """

    kind: DocumentKind
    format: DocumentFormat
    source: str
    document_id: str
    version: str = "1"
    issue_date: date | None = None
    seller: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    currency: str | None = None
    total: Decimal | None = None
    tax_exclusive: Decimal | None = None
    payable: Decimal | None = None
    due_date: date | None = None
    payment_terms_days: int | None = None
    invoice_reference: str | None = None
    hs_codes: tuple[str, ...] = ()
    transport_document: str | None = None
    acceptance_date: date | None = None
    exit_date: date | None = None
    shipment_date: date | None = None
    lines: tuple[DocumentLine, ...] = ()
    amends: str | None = None

    @property
    def dedup_key(self) -> tuple[str, str, str]:
        """(source, document id, version): the same key twice is the same document."""
        return (self.source, self.document_id, self.version)

    @property
    def hs_chapter(self) -> str | None:
        """The HS chapter (first two digits) of the first HS code, or None."""
        return self.hs_codes[0][:2] if self.hs_codes else None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a document was quarantined: a stable code and a detail for the exporter."""

    code: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A document the readers refused, with every reason found."""

    format: DocumentFormat | None
    source: str
    reasons: tuple[Reason, ...]
    document_id: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in the order found."""
        return tuple(reason.code for reason in self.reasons)


ReadResult = TradeDocument | Quarantine
"""What every reader returns."""


class Refusal(Exception):
    """Raised inside a reader to stop reading; the reader turns it into a :class:`Quarantine`."""

    def __init__(self, code: str, detail: str = "", *, document_id: str | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.reason = Reason(code, detail)
        self.document_id = document_id
