"""ORM models of the buyer registry: buyers and banks, exporters' relationships, ratings.

One registry is shared by every insured: the same buyer asked for by two exporters is one
``buyers`` row.  What an exporter knows about its buyer (its own reference, trading
history) lives in ``exporter_buyer_relationships``, which is also what lets an exporter
see a buyer at all.  Uncertain matches wait in ``buyer_match_reviews``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime


class Buyer(Base):
    """A buyer (or a bank, for letters of credit) in the shared registry."""

    __tablename__ = "buyers"
    __table_args__ = (
        Index("ix_buyers_country_normalised_name", "country", "normalised_name"),
        CheckConstraint("kind IN ('buyer', 'bank')", name="kind"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # buyer, bank
    legal_name: Mapped[str] = mapped_column(String(300))
    normalised_name: Mapped[str] = mapped_column(String(300))
    other_names: Mapped[Any] = mapped_column(JSONText())  # [str]
    country: Mapped[str] = mapped_column(String(2))
    registration_number: Mapped[str | None] = mapped_column(String(64), index=True)
    lei: Mapped[str | None] = mapped_column(String(20), index=True)
    tax_id: Mapped[str | None] = mapped_column(String(64), index=True)
    duns: Mapped[str | None] = mapped_column(String(9), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(40), index=True)
    size: Mapped[str | None] = mapped_column(String(16))
    company_type: Mapped[str | None] = mapped_column(String(32))
    ownership: Mapped[str | None] = mapped_column(String(200))
    financials: Mapped[Any] = mapped_column(JSONText())  # ratios as decimal strings
    days_beyond_terms: Mapped[int | None] = mapped_column(Integer)
    overdue_reports: Mapped[int] = mapped_column(Integer, default=0)
    adverse_events: Mapped[Any] = mapped_column(JSONText())  # [AdverseEvent value]
    bank_rank: Mapped[int | None] = mapped_column(Integer)
    total_assets_minor: Mapped[int | None] = mapped_column(BigInteger)
    total_assets_currency: Mapped[str | None] = mapped_column(String(3))
    capital_adequacy_ratio: Mapped[Decimal | None] = mapped_column(DecimalText())
    defaults_on_record: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExporterBuyerRelationship(Base):
    """An exporter's own view of one buyer: its reference and trading history."""

    __tablename__ = "exporter_buyer_relationships"
    __table_args__ = (UniqueConstraint("org_id", "buyer_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    own_reference: Mapped[str | None] = mapped_column(String(100))
    trading_since: Mapped[date | None] = mapped_column(Date)
    annual_sales_minor: Mapped[int | None] = mapped_column(BigInteger)
    annual_sales_currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BuyerMatchReview(Base):
    """An uncertain match between a new buyer and an existing one, for a risk manager."""

    __tablename__ = "buyer_match_reviews"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'merged', 'kept_separate')", name="status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    score: Mapped[Decimal] = mapped_column(DecimalText())
    matched_on: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class BuyerRating(Base):
    """One rating of a buyer: the model version, grade, PD and every factor's points."""

    __tablename__ = "buyer_ratings"
    __table_args__ = (Index("ix_buyer_ratings_buyer_id_id", "buyer_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    model_version: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[int] = mapped_column(Integer)
    pd: Mapped[Decimal] = mapped_column(DecimalText())
    hard_stop: Mapped[bool] = mapped_column(Boolean)
    hard_stop_reasons: Mapped[Any] = mapped_column(JSONText())
    contributions: Mapped[Any] = mapped_column(JSONText())  # [{factor, value, points, ...}]
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rated_by: Mapped[str] = mapped_column(String(64))
