"""ORM models of bank financing: assignments of policy proceeds and their payouts.

``loss_payee_assignments`` holds each assignment with its terms, its status and who moved
it when [domain BA-1] [domain BA-2]; ``paid_minor`` is the running total of what claims
paid the bank under it (its cap's use) [domain BA-6].  ``loss_payee_payouts`` holds one row
per claim payment and loss payee; ``tradecover ledger check`` proves them against the cash
lines of the claims' payment entries [domain BA-7].
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, UTCDateTime


class LossPayeeAssignment(Base):
    """A bank's assignment of one policy's proceeds."""

    __tablename__ = "loss_payee_assignments"
    __table_args__ = (
        Index("ix_loss_payee_assignments_policy", "policy_id", "status"),
        Index("ix_loss_payee_assignments_bank", "bank_org_id", "status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    priority: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    cap_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    advance_rate: Mapped[Decimal] = mapped_column(DecimalText())
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LossPayeePayout(Base):
    """One loss payee's part of one claim payment (minor units of the claim currency)."""

    __tablename__ = "loss_payee_payouts"
    __table_args__ = (UniqueConstraint("claim_id", "assignment_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("loss_payee_assignments.id"), index=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    priority: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
