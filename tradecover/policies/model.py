"""ORM models of exporter profiles, applications, policies, endorsements and renewal offers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime


class ExporterProfile(Base):
    """What the insurer knows about an exporter before underwriting ([domain P-4])."""

    __tablename__ = "exporter_profiles"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(16))
    size_class: Mapped[str] = mapped_column(String(16))  # micro, small, medium, large
    cross_border_ecommerce: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3))
    previous_year_exports_minor: Mapped[int] = mapped_column(BigInteger)
    export_history: Mapped[Any] = mapped_column(JSONText())  # [{"year", "amount"}]
    products: Mapped[Any] = mapped_column(JSONText())  # HS chapters / descriptions
    destination_countries: Mapped[Any] = mapped_column(JSONText())
    main_buyers: Mapped[Any] = mapped_column(JSONText())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PolicyApplication(Base):
    """An exporter's application form for a policy."""

    __tablename__ = "policy_applications"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    product: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # submitted, underwritten, declined
    currency: Mapped[str] = mapped_column(String(3))
    expected_turnover_minor: Mapped[int] = mapped_column(BigInteger)
    requested_inception: Mapped[date] = mapped_column(Date)
    destination_countries: Mapped[Any] = mapped_column(JSONText())
    payment_terms: Mapped[Any] = mapped_column(JSONText())
    max_credit_days: Mapped[int] = mapped_column(Integer)
    hs_chapters: Mapped[Any] = mapped_column(JSONText())
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(64))


class Policy(Base):
    """A short-term comprehensive policy: its schedule and where it is in its lifecycle."""

    __tablename__ = "policies"
    __table_args__ = (Index("ix_policies_exporter_state", "exporter_org_id", "state"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_applications.id"), nullable=True
    )
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), nullable=True)
    product: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    inception: Mapped[date] = mapped_column(Date)
    expiry: Mapped[date] = mapped_column(Date, index=True)
    whole_turnover: Mapped[bool] = mapped_column(Boolean)
    # whole turnover: a declared share below this fraction puts the policy under review;
    # NULL takes the default (declarations.whole_turnover.DEFAULT_MIN_DECLARED_SHARE)
    min_declared_share: Mapped[Decimal | None] = mapped_column(DecimalText(), nullable=True)
    expected_turnover_minor: Mapped[int] = mapped_column(BigInteger)
    maximum_liability_minor: Mapped[int] = mapped_column(BigInteger)
    indemnity_commercial_pct: Mapped[Decimal] = mapped_column(DecimalText())
    indemnity_political_pct: Mapped[Decimal] = mapped_column(DecimalText())
    declaration_frequency: Mapped[str] = mapped_column(String(16))
    rate_table: Mapped[str] = mapped_column(String(64))
    base_rate_pct: Mapped[Decimal] = mapped_column(DecimalText())
    # the schedule's option of an agreed flat rate for every shipment, and that rate
    flat_rate_option: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    flat_rate_pct: Mapped[Decimal | None] = mapped_column(DecimalText(), nullable=True)
    # the insurer's floating adjustments of this policy's rates (experience, concentration)
    rate_floating: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    scope: Mapped[Any] = mapped_column(JSONText())
    dispute_resolution: Mapped[str] = mapped_column(String(20))
    dispute_venue: Mapped[str] = mapped_column(String(200))
    possible_loss_notice_days: Mapped[int] = mapped_column(Integer)
    # the policy's own claim terms; NULL or a missing key takes the installation default
    claim_terms: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=True)
    termination: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    # every suspension: [{"start", "end" (None while suspended), "reason"}] (ISO dates);
    # shipments made while suspended carry no cover (tradecover.policies.liability)
    suspensions: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    # the attachment terms over time ([domain A-2]): [{"effective", "model", ...}], oldest
    # first; NULL: individual throughout (tradecover.policies.attachment_terms)
    attachment_terms: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Endorsement(Base):
    """A special provision added to a policy (numbered per policy)."""

    __tablename__ = "policy_endorsements"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class RenewalOffer(Base):
    """The insurer's review of a term and its proposed terms for the next one."""

    __tablename__ = "renewal_offers"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # offered, accepted, declined, lapsed
    review_metrics: Mapped[Any] = mapped_column(JSONText())
    proposed_terms: Mapped[Any] = mapped_column(JSONText())
    explanation: Mapped[Any] = mapped_column(JSONText())
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offered_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    renewal_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), nullable=True)
