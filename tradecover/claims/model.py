"""ORM models of claims, their lines and recoveries.

* ``claims``: one claim of an exporter on one buyer, with its state, the checks shown to
  the handler, the indemnity calculation and every date the speed report needs.  A
  claim moves from ``approved`` to ``paid`` only by ONE conditional update
  (``WHERE state = 'approved'``), so it is never paid twice, concurrent or retried.
* ``claim_lines``: the shipments (declarations) claimed, each against its notice.
* ``claim_recoveries``: recoveries after payment, split insurer / insured to the cent.

A closed claim's ``closure`` says how it ended: ``settled`` (after payment), ``rejected``
or ``withdrawn`` (before a decision).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime


class ClaimRow(Base):
    """A claim and where it stands."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(
            "state IN ('filed', 'checking', 'approved', 'rejected', 'paid', 'closed')", name="state"
        ),
        CheckConstraint("loss_minor > 0", name="loss_positive"),
        CheckConstraint(
            "indemnity_minor >= 0 AND indemnity_minor <= loss_minor", name="indemnity_within_loss"
        ),
        CheckConstraint(
            "paid_minor IS NULL OR paid_minor = indemnity_minor", name="paid_is_indemnity"
        ),
        CheckConstraint(
            "second_approved_by IS NULL OR second_approved_by <> approved_by", name="four_eyes"
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    cause: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    loss_minor: Mapped[int] = mapped_column(BigInteger)
    indemnity_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)
    checks: Mapped[Any] = mapped_column(JSONText())
    calculation: Mapped[Any] = mapped_column(JSONText())
    notice_filed_on: Mapped[date] = mapped_column(Date)  # the earliest notice claimed on
    due_date: Mapped[date] = mapped_column(Date)  # the earliest due date claimed on
    filed_on: Mapped[date] = mapped_column(Date)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    second_approved_by: Mapped[str | None] = mapped_column(String(64))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    payable_from: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_minor: Mapped[int | None] = mapped_column(BigInteger)
    paid_by: Mapped[str | None] = mapped_column(String(64))
    # how a closed claim ended: settled (paid), rejected or withdrawn (service.close)
    closure: Mapped[str | None] = mapped_column(String(16), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ClaimLineRow(Base):
    """One shipment claimed, with its part of the indemnity."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        CheckConstraint("loss_minor > 0", name="loss_positive"),
        CheckConstraint(
            "covered_minor >= 0 AND covered_minor <= loss_minor", name="covered_within_loss"
        ),
        CheckConstraint("indemnity_minor >= 0", name="indemnity_not_negative"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("possible_loss_notices.id"))
    loss_minor: Mapped[int] = mapped_column(BigInteger)
    covered_minor: Mapped[int] = mapped_column(BigInteger)
    indemnity_pct: Mapped[Decimal] = mapped_column(DecimalText())
    indemnity_minor: Mapped[int] = mapped_column(BigInteger)


class RecoveryRow(Base):
    """A recovery on a paid claim, shared between insurer and insured."""

    __tablename__ = "claim_recoveries"
    __table_args__ = (
        CheckConstraint(
            "source IN ('buyer', 'collection_agency', 'estate', 'other')", name="source"
        ),
        CheckConstraint(
            "gross_minor > 0 AND costs_minor >= 0 AND costs_minor <= gross_minor",
            name="costs_within_gross",
        ),
        CheckConstraint(
            "insurer_minor >= 0 AND insured_minor >= 0 AND "
            "insurer_minor + insured_minor = gross_minor - costs_minor",
            name="shares_add_up",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    source: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    costs_minor: Mapped[int] = mapped_column(BigInteger)
    insurer_minor: Mapped[int] = mapped_column(BigInteger)
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class InvestmentDebtClaimRow(Base):
    """A claim on a missed repayment under an investment-debt policy ([004]).

    ``position`` is the period of insurance of the loss in the premium schedule;
    ``set_off_minor`` the unpaid premium settled against the indemnity at payment and
    ``net_paid_minor`` what was paid out (indemnity less set-off).
    """

    __tablename__ = "investment_debt_claims"
    __table_args__ = (
        CheckConstraint("state IN ('filed', 'approved', 'rejected', 'paid')", name="state"),
        CheckConstraint("loss_minor > 0", name="loss_positive"),
        CheckConstraint(
            "indemnity_minor >= 0 AND indemnity_minor <= loss_minor", name="indemnity_within_loss"
        ),
        CheckConstraint(
            "net_paid_minor IS NULL OR net_paid_minor + set_off_minor = indemnity_minor",
            name="net_plus_set_off_is_indemnity",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    repayment_period: Mapped[int] = mapped_column(Integer)  # n of [004]
    position: Mapped[int] = mapped_column(Integer)
    settlement: Mapped[str] = mapped_column(String(24))  # lump_sum, original_schedule
    repayment_due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    missed_principal_minor: Mapped[int] = mapped_column(BigInteger)
    missed_interest_minor: Mapped[int] = mapped_column(BigInteger)
    loss_minor: Mapped[int] = mapped_column(BigInteger)
    indemnity_pct: Mapped[Decimal] = mapped_column(DecimalText())
    indemnity_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)
    checks: Mapped[Any] = mapped_column(JSONText())
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    set_off_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    set_off_positions: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    net_paid_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
