"""ERP webhooks: the shipment event schema and the signature every request carries.

The ERP posts one JSON :class:`ErpShipmentEvent` per request (schema in
``docs/feeds/erp-shipment-event.schema.json``), with a header
``Tradecover-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.  The MAC is computed
with the connection's secret over ``<t>.<raw body>``; a request is accepted when ``t`` is
within the replay window of now and one ``v1`` matches one of the connection's valid
secrets (several during a rotation), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

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
from tradecover.feeds.values import identifier
from tradecover.kit.money import is_currency

SIGNATURE_HEADER = "Tradecover-Signature"
REPLAY_WINDOW_SECONDS = 300
SIGNATURE_MISSING = "signature_missing"
SIGNATURE_MALFORMED = "signature_malformed"
SIGNATURE_EXPIRED = "signature_expired"
SIGNATURE_MISMATCH = "signature_mismatch"
EVENT_INVALID = "erp_event_invalid"
DOCUMENT_TOO_LARGE = "document_too_large"
MAX_BODY_BYTES = 1024 * 1024


class ErpParty(BaseModel):
    """The exporter or the buyer as the ERP knows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    vat_id: str | None = Field(default=None, max_length=40)
    eori: str | None = Field(default=None, max_length=17)
    registration_number: str | None = Field(default=None, max_length=40)


class ErpShipmentLine(BaseModel):
    """One shipped article."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: str = Field(min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    quantity: Decimal | None = None
    amount: Decimal
    hs_code: str | None = Field(default=None, pattern=r"^[0-9]{4,10}$")


class ErpShipmentEvent(BaseModel):
    """A shipment the exporter's ERP reports (created, or updated: a higher ``version``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="ErpShipmentEvent")

    schema_version: Literal["1"] = Field(description="Version of this event schema")
    event_id: str = Field(min_length=1, max_length=100, description="Unique per event")
    event_type: Literal["shipment.created", "shipment.updated"]
    occurred_at: AwareDatetime
    shipment_id: str = Field(min_length=1, max_length=100)
    version: int = Field(ge=1, description="Increases with every update of the shipment")
    shipment_date: date
    invoice_number: str | None = Field(default=None, max_length=100)
    invoice_date: date | None = None
    due_date: date | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=720)
    exporter: ErpParty
    buyer: ErpParty
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
    amount: Decimal = Field(description="Invoice value of the shipment, tax included")
    hs_codes: list[str] = Field(default_factory=list, max_length=100)
    transport_document: str | None = Field(default=None, max_length=100)
    lines: list[ErpShipmentLine] = Field(default_factory=list, max_length=1000)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"{value} is not an ISO 4217 currency")
        return value

    @field_validator("hs_codes")
    @classmethod
    def _hs_digits(cls, value: list[str]) -> list[str]:
        for code in value:
            if not (code.isascii() and code.isdigit() and 4 <= len(code) <= 10):
                raise ValueError(f"{code!r} is not an HS code of 4 to 10 digits")
        return value


def sign(body: bytes, secret: str | bytes, timestamp: int) -> str:
    """The header value a sender puts on ``body`` at ``timestamp`` (unix seconds)."""
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def check_signature(
    body: bytes,
    header: str | None,
    secrets: Sequence[str | bytes],
    *,
    now: datetime,
    window_seconds: int = REPLAY_WINDOW_SECONDS,
) -> Reason | None:
    """None when the request is authentic and fresh, else the reason it is refused."""
    if not header:
        return Reason(SIGNATURE_MISSING, f"no {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            macs.append(value.strip().lower())
    if timestamp is None or not macs:
        return Reason(SIGNATURE_MALFORMED, "expected t=<unix seconds>,v1=<hex>")
    if abs(now.timestamp() - timestamp) > window_seconds:
        return Reason(
            SIGNATURE_EXPIRED,
            f"the timestamp is outside the {window_seconds} s "
            "window (clock skew or a replayed request)",
        )
    matched = False
    for secret in secrets:
        expected = sign(body, secret, timestamp).rpartition("v1=")[2]
        for mac in macs:
            # no early exit: every pair is compared, each in constant time
            matched |= hmac.compare_digest(expected.encode(), mac.encode())
    if not matched:
        return Reason(SIGNATURE_MISMATCH, "no valid secret of the connection signed this body")
    return None


def _party(party: ErpParty) -> Party:
    ids: list[PartyIdentifier] = []
    if party.vat_id:
        ids.append(identifier(IdentifierScheme.VAT, party.vat_id))
    if party.eori:
        ids.append(identifier(IdentifierScheme.EORI, party.eori))
    if party.registration_number:
        ids.append(identifier(IdentifierScheme.REGISTRATION, party.registration_number))
    return Party(name=party.name, country=party.country, identifiers=tuple(ids))


def to_trade_document(event: ErpShipmentEvent, *, source: str) -> TradeDocument:
    """The :class:`TradeDocument` of a valid event."""
    return TradeDocument(
        kind=DocumentKind.ERP_SHIPMENT,
        format=DocumentFormat.ERP_WEBHOOK,
        source=source,
        document_id=event.shipment_id,
        version=str(event.version),
        issue_date=event.invoice_date,
        seller=_party(event.exporter),
        buyer=_party(event.buyer),
        currency=event.currency,
        total=event.amount,
        payable=event.amount,
        due_date=event.due_date,
        payment_terms_days=event.payment_terms_days,
        invoice_reference=event.invoice_number,
        hs_codes=tuple(event.hs_codes),
        transport_document=event.transport_document,
        shipment_date=event.shipment_date,
        lines=tuple(
            DocumentLine(line.line_id, line.description, line.quantity, line.amount, line.hs_code)
            for line in event.lines
        ),
    )


def read_erp_webhook(
    body: bytes,
    signature_header: str | None,
    secrets: Sequence[str | bytes],
    *,
    now: datetime,
    source: str = "",
    window_seconds: int = REPLAY_WINDOW_SECONDS,
) -> ReadResult:
    """Verify and read one ERP webhook request."""
    fmt = DocumentFormat.ERP_WEBHOOK
    name = source or fmt.value
    if len(body) > MAX_BODY_BYTES:
        return Quarantine(fmt, name, (Reason(DOCUMENT_TOO_LARGE, f"{len(body)} bytes"),))
    refused = check_signature(
        body, signature_header, secrets, now=now, window_seconds=window_seconds
    )
    if refused is not None:
        return Quarantine(fmt, name, (refused,))
    try:
        event = ErpShipmentEvent.model_validate_json(body)
    except ValidationError as error:
        reasons = tuple(
            Reason(EVENT_INVALID, f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}")
            for item in error.errors()[:20]
        )
        return Quarantine(fmt, name, reasons)
    return to_trade_document(event, source=name)
