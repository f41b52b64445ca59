"""ORM models of the feed stream: connections, their webhook secrets, received documents.

A :class:`FeedConnection` connects one source (customs, ubl, cii, erp) to one exporter;
an ERP connection holds its webhook secrets (:class:`FeedSecret`, several valid during a
rotation), encrypted with the installation's key so that they can verify HMACs.
Every message the workers take from the stream becomes one :class:`ReceivedDocument`
(``message_id`` unique: a redelivered message finds its row); an accepted document also
holds its ``dedup_key`` (source, exporter, document id, version; unique), written in the
same transaction as its declaration, and the facts matching reads (invoice key, consignee,
currency, amount, dates: indexed per exporter).  A :class:`FeedShipment` is one shipment
as the feeds know it (the invoice number it is keyed by, unique per exporter) and the
declaration that covers it: the invoice, the customs record and the ERP event of one
shipment all link to it, so it attaches once whichever arrives first.
:class:`WebhookDelivery` remembers the signatures
of webhook requests so that a replayed request is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime

SOURCES = ("customs", "ubl", "cii", "erp")
"""The kinds of feed source an exporter connects."""
CONNECTION_STATUSES = ("active", "paused")
DOCUMENT_STATUSES = (
    "received",
    "attached",
    "awaiting_confirmation",
    "quarantined",
    "withdrawn",
    "superseded",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FeedConnection(Base):
    """One source connected to one exporter, active or paused."""

    __tablename__ = "feed_connections"
    __table_args__ = (
        UniqueConstraint("exporter_org_id", "source"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        CheckConstraint(_in("status", CONNECTION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedSecret(Base):
    """A webhook secret of an ERP connection (Fernet-encrypted), valid until revoked."""

    __tablename__ = "feed_secrets"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("feed_connections.id"), index=True)
    encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebhookDelivery(Base):
    """A webhook request accepted once: its signature MAC may not be used again."""

    __tablename__ = "feed_webhook_deliveries"

    connection_id: Mapped[int] = mapped_column(ForeignKey("feed_connections.id"), primary_key=True)
    mac: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedShipment(Base):
    """One shipment of an exporter, keyed by its invoice number, and its declaration."""

    __tablename__ = "feed_shipments"
    __table_args__ = (UniqueConstraint("exporter_org_id", "shipment_key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    shipment_key: Mapped[str] = mapped_column(String(100))
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReceivedDocument(Base):
    """A document taken from the stream, what became of it and why."""

    __tablename__ = "feed_documents"
    __table_args__ = (
        CheckConstraint(_in("status", DOCUMENT_STATUSES), name="status"),
        CheckConstraint("length(content_sha256) = 64", name="sha256_length"),
        Index("ix_feed_documents_exporter_invoice_key", "exporter_org_id", "invoice_key"),
        Index(
            "ix_feed_documents_exporter_consignee",
            "exporter_org_id",
            "consignee",
            "currency",
            "document_date",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_connections.id"), nullable=True
    )
    source: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(24), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    document_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    version: Mapped[str | None] = mapped_column(String(20), nullable=True)
    dedup_key: Mapped[str | None] = mapped_column(String(300), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    reasons: Mapped[Any] = mapped_column(JSONText())  # [{"code": str, "detail": str}]
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), nullable=True)
    corrects_declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declarations.id"), nullable=True
    )
    resubmission_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_documents.id"), nullable=True
    )
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_sha256: Mapped[str] = mapped_column(String(64))
    invoice_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    consignee: Mapped[str | None] = mapped_column(String(300), nullable=True)
    consignee_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(DecimalText(), nullable=True)
    document_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    acceptance_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    hs_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    match_rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
