"""ORM models of subsidy programmes and what each has granted ([001]).

A programme belongs to a sponsor organisation of kind ``subsidy_programme``.  Usage is
kept as running totals that only move through conditional updates
(``used + :a <= cap``), with CHECK constraints as the backstop no bug can pass:

* ``subsidy_programmes.used_minor`` against ``budget_minor``;
* ``subsidy_usage_years`` per (programme, year) against the programme's yearly cap;
* ``subsidy_usage_exporters`` per (programme, exporter, year) against the per-exporter cap.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime


class SubsidyProgramme(Base):
    """A government premium subsidy programme: eligibility, share, caps and budget."""

    __tablename__ = "subsidy_programmes"
    __table_args__ = (
        CheckConstraint("used_minor >= 0", name="used_not_negative"),
        CheckConstraint("budget_minor IS NULL OR used_minor <= budget_minor", name="within_budget"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    sponsor_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    share: Mapped[Decimal] = mapped_column(DecimalText())  # fraction: 0.8 = 80 %
    size_tiers: Mapped[Any] = mapped_column(JSONText())  # [{"below_minor", "share"}]
    regions: Mapped[Any] = mapped_column(JSONText())
    hs_chapters: Mapped[Any] = mapped_column(JSONText())
    destination_countries: Mapped[Any] = mapped_column(JSONText())
    max_previous_year_exports_minor: Mapped[int | None] = mapped_column(BigInteger)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    cap_per_exporter_year_minor: Mapped[int | None] = mapped_column(BigInteger)
    cap_per_year_minor: Mapped[int | None] = mapped_column(BigInteger)
    budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    used_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    priority: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class SubsidyUsageYear(Base):
    """What a programme granted in one calendar year (of the billed month)."""

    __tablename__ = "subsidy_usage_years"
    __table_args__ = (
        CheckConstraint("used_minor >= 0", name="used_not_negative"),
        CheckConstraint("cap_minor IS NULL OR used_minor <= cap_minor", name="within_cap"),
    )

    programme_id: Mapped[int] = mapped_column(ForeignKey("subsidy_programmes.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    used_minor: Mapped[int] = mapped_column(BigInteger)
    cap_minor: Mapped[int | None] = mapped_column(BigInteger)


class SubsidyUsageExporter(Base):
    """What a programme granted one exporter in one calendar year."""

    __tablename__ = "subsidy_usage_exporters"
    __table_args__ = (
        CheckConstraint("used_minor >= 0", name="used_not_negative"),
        CheckConstraint("cap_minor IS NULL OR used_minor <= cap_minor", name="within_cap"),
    )

    programme_id: Mapped[int] = mapped_column(ForeignKey("subsidy_programmes.id"), primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    used_minor: Mapped[int] = mapped_column(BigInteger)
    cap_minor: Mapped[int | None] = mapped_column(BigInteger)
