"""ORM models of credit limits: reservations on shared caps, applications, limits, versions.

Never over-commit a shared limit (docs: reliability): ``buyer_aggregates`` and
``country_exposures`` carry a ``committed_minor`` that only moves through conditional
updates (``... WHERE committed_minor + :delta <= cap``), and a CHECK constraint that no
bug can pass.  ``guard_cap_minor`` is the cap the last reservation was checked against:
it is written together with ``committed_minor`` by each reservation, so the CHECK
``committed_minor <= guard_cap_minor`` holds even when a risk manager later lowers the
aggregate (or the country cap) below what is already committed.  All amounts on these
rows are US dollar minor units (see :mod:`tradecover.limits.fx`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime


class BuyerAggregate(Base):
    """The most the insurer carries on one buyer across all insureds, and what is committed."""

    __tablename__ = "buyer_aggregates"
    __table_args__ = (
        CheckConstraint("committed_minor >= 0", name="committed_not_negative"),
        CheckConstraint("committed_minor <= guard_cap_minor", name="committed_within_cap"),
        CheckConstraint("aggregate_minor >= 0", name="aggregate_not_negative"),
    )

    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))  # always USD
    suggested_minor: Mapped[int] = mapped_column(BigInteger)
    override_minor: Mapped[int | None] = mapped_column(BigInteger)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(64))
    aggregate_minor: Mapped[int] = mapped_column(BigInteger)  # override or suggested
    guard_cap_minor: Mapped[int] = mapped_column(BigInteger)
    committed_minor: Mapped[int] = mapped_column(BigInteger)
    model_version: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BuyerAggregateChange(Base):
    """History of a buyer aggregate limit: every suggestion and override."""

    __tablename__ = "buyer_aggregate_changes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    suggested_minor: Mapped[int] = mapped_column(BigInteger)
    override_minor: Mapped[int | None] = mapped_column(BigInteger)
    aggregate_minor: Mapped[int] = mapped_column(BigInteger)
    model_version: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CountryExposure(Base):
    """What is committed in one country against its exposure cap (US dollar minor units)."""

    __tablename__ = "country_exposures"
    __table_args__ = (
        CheckConstraint("committed_minor >= 0", name="committed_not_negative"),
        CheckConstraint(
            "guard_cap_minor IS NULL OR committed_minor <= guard_cap_minor",
            name="committed_within_cap",
        ),
    )

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))  # always USD
    guard_cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    committed_minor: Mapped[int] = mapped_column(BigInteger)


class LimitApplication(Base):
    """An exporter's request on a buyer under its policy, and the insurer's decision."""

    __tablename__ = "limit_applications"
    __table_args__ = (
        Index("ix_limit_applications_status_id", "status", "id"),
        CheckConstraint(
            "maker_actor IS NULL OR checker_actor IS NULL OR maker_actor <> checker_actor",
            name="four_eyes",
        ),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    limit_id: Mapped[int | None] = mapped_column(ForeignKey("credit_limits.id"))
    request_type: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    current_minor: Mapped[int | None] = mapped_column(BigInteger)
    payment_terms: Mapped[str] = mapped_column(String(16))
    credit_period_days: Mapped[int] = mapped_column(Integer)
    shipments: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    # pending, pending_second_approval, decided
    status: Mapped[str] = mapped_column(String(24))
    route: Mapped[str] = mapped_column(String(16))
    proposal: Mapped[Any] = mapped_column(JSONText())  # ceiling, recommended, reasons
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("buyer_ratings.id"))
    model_version: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(24))
    approved_minor: Mapped[int | None] = mapped_column(BigInteger)
    reasons: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    conditions: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    maker_actor: Mapped[str | None] = mapped_column(String(64))
    checker_actor: Mapped[str | None] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CreditLimit(Base):
    """An exporter's limit on one buyer under one policy: the version in force, summarised."""

    __tablename__ = "credit_limits"
    __table_args__ = (
        Index("ix_credit_limits_buyer_status", "buyer_id", "status"),
        Index("ix_credit_limits_org_buyer", "org_id", "buyer_id"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("committed_usd_minor >= 0", name="committed_not_negative"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    country: Mapped[str] = mapped_column(String(2), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    committed_usd_minor: Mapped[int] = mapped_column(BigInteger)  # reserved on the caps
    status: Mapped[str] = mapped_column(String(16))  # active, cancelled
    payment_terms: Mapped[str] = mapped_column(String(16))
    credit_period_days: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    indemnity_pct: Mapped[Decimal | None] = mapped_column(DecimalText())
    conditions_text: Mapped[str | None] = mapped_column(Text)
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CreditLimitVersion(Base):
    """One version of a limit, in force from its effective date (never updated)."""

    __tablename__ = "credit_limit_versions"
    __table_args__ = (UniqueConstraint("limit_id", "number"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    limit_id: Mapped[int] = mapped_column(ForeignKey("credit_limits.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    indemnity_pct: Mapped[Decimal | None] = mapped_column(DecimalText())
    reason: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("limit_applications.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class LimitNotification(Base):
    """A notice to the exporter that the insurer reduced or cancelled its limit."""

    __tablename__ = "limit_notifications"
    __table_args__ = (Index("ix_limit_notifications_org_id_id", "org_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    limit_id: Mapped[int] = mapped_column(ForeignKey("credit_limits.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("credit_limit_versions.id"))
    kind: Mapped[str] = mapped_column(String(16))  # reduced, cancelled, revoked
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class LimitReductionProposal(Base):
    """A reduction of an under-used limit the job proposed, waiting for an underwriter.

    ``pending`` until an underwriter accepts it (the limit is reduced through the normal
    reduction: new version, notice) or dismisses it; ``lapsed`` when the limit changed or
    ended before anyone decided.  At most one pending proposal per limit (partial unique
    index).  ``limit_version`` is the version the job judged: accepting needs it still in
    force.
    """

    __tablename__ = "limit_reduction_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'dismissed', 'lapsed')", name="status"),
        CheckConstraint(
            "proposed_minor > 0 AND proposed_minor < approved_minor", name="proposed_below_approved"
        ),
        CheckConstraint("peak_minor >= 0", name="peak_not_negative"),
        Index(
            "uq_limit_reduction_proposals_pending",
            "limit_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_limit_reduction_proposals_status_id", "status", "id"),
        Index("ix_limit_reduction_proposals_limit_id", "limit_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    limit_id: Mapped[int] = mapped_column(ForeignKey("credit_limits.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    limit_version: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    approved_minor: Mapped[int] = mapped_column(BigInteger)
    peak_minor: Mapped[int] = mapped_column(BigInteger)
    peak_share: Mapped[Decimal] = mapped_column(DecimalText())
    proposed_minor: Mapped[int] = mapped_column(BigInteger)
    max_share: Mapped[Decimal] = mapped_column(DecimalText())
    period_days: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[date] = mapped_column(Date)
    proposed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("credit_limit_versions.id"))
