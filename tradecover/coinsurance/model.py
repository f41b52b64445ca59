"""ORM models of coinsurance: participations of a policy and the allocations of its money.

``coinsurance_participations`` holds the current set of a policy's participations (a new
set replaces the old one; the audit entry keeps both) [domain CO-5].
``coinsurance_allocations`` holds every split amount, one row per source, component and
participant, in minor units [domain CO-7]; ``tradecover ledger check`` proves them against
the allocation entries of the ledger [domain CO-9].
``coinsurance_limit_participations`` holds the shares of a single large credit limit
[domain CO-13]; ``coinsurance_approval_thresholds`` a policy's claim approval threshold and
``coinsurance_claim_approvals`` each follower's answer on a claim above it
[domain CO-11] [domain CO-12].
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, UTCDateTime


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


class CoinsuranceLimitParticipation(Base):
    """One insurer's share of a single large credit limit for a period [domain CO-13]."""

    __tablename__ = "coinsurance_limit_participations"
    __table_args__ = (Index("ix_coinsurance_limit_participations_org", "org_id", "limit_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    limit_id: Mapped[int] = mapped_column(ForeignKey("credit_limits.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(16))
    share: Mapped[Decimal] = mapped_column(DecimalText())
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class CoinsuranceApprovalThreshold(Base):
    """A coinsured policy's claim approval threshold, in the policy's currency [domain CO-11]."""

    __tablename__ = "coinsurance_approval_thresholds"

    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    threshold_minor: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoinsuranceClaimApproval(Base):
    """One follower's approval of one claim above the threshold [domain CO-12]."""

    __tablename__ = "coinsurance_claim_approvals"
    __table_args__ = (
        UniqueConstraint("claim_id", "org_id"),
        Index("ix_coinsurance_claim_approvals_org", "org_id", "state"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    currency: Mapped[str] = mapped_column(String(3))
    indemnity_minor: Mapped[int] = mapped_column(BigInteger)
    share_minor: Mapped[int] = mapped_column(BigInteger)
    threshold_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
