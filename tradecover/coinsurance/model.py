"""ORM models of coinsurance: participations of a policy and the allocations of its money.

``coinsurance_participations`` holds the current set of a policy's participations (a new
set replaces the old one; the audit entry keeps both) [domain CO-5].
``coinsurance_allocations`` holds every split amount, one row per source, component and
participant, in minor units [domain CO-7]; ``tradecover ledger check`` proves them against
the allocation entries of the ledger [domain CO-9].
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType


class CoinsuranceParticipation(Base):
    """One insurer's share of a policy for a period."""

    __tablename__ = "coinsurance_participations"
    __table_args__ = (Index("ix_coinsurance_participations_org", "org_id", "policy_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(16))
    share: Mapped[Decimal] = mapped_column(DecimalText())
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class CoinsuranceAllocation(Base):
    """One participant's part of one component of a split amount (minor units, signed)."""

    __tablename__ = "coinsurance_allocations"
    __table_args__ = (
        UniqueConstraint("source", "source_id", "component", "org_id"),
        Index("ix_coinsurance_allocations_org", "org_id", "posted_on"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(IdType)
    component: Mapped[str] = mapped_column(String(48))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    share: Mapped[Decimal] = mapped_column(DecimalText())
    currency: Mapped[str] = mapped_column(String(3))
    whole_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    posted_on: Mapped[date] = mapped_column(Date)
