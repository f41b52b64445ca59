"""ORM model of country risk versions: every change is a new row, so history is kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, UTCDateTime


class CountryRiskVersion(Base):
    """One version of a country's risk class and the insurer's cover status and cap."""

    __tablename__ = "country_risk_versions"
    __table_args__ = (Index("ix_country_risk_versions_country_id", "country", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    risk_class: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: unclassified
    cover_status: Mapped[str] = mapped_column(String(16))  # open, restricted, off_cover
    exposure_cap_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cap_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    source: Mapped[str] = mapped_column(String(300))
    effective_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
