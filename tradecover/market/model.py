"""ORM models of the market context: rule sets, market insurers, classifications, declines
and routings ([domain MK-6]..[domain MK-10]); the insurer each policy was issued for
([domain MK-11]); the risk carriers of a double-insured policy and their parts of its money
([domain MK-12]..[domain MK-14]).
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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime


class MarketRuleSet(Base):
    """A version of the classification rule set an insurer admin stored ([domain MK-6]);
    the newest applies, the shipped EU rule set (version 1) when none is stored.
    """

    __tablename__ = "market_rule_sets"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[Any] = mapped_column(JSONText())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketInsurer(Base):
    """An insurer organisation on the market: commercial, or the insurer of last resort
    (at most one) ([domain MK-7]).
    """

    __tablename__ = "market_insurers"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    last_resort: Mapped[bool] = mapped_column(Boolean)
    # 1 for the insurer of last resort, NULL for the others: the unique key admits one only
    last_resort_slot: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketClassification(Base):
    """One risk classified: its facts, the outcome, the rule and rule set version that
    decided, and the rule's citation ([domain MK-6]).
    """

    __tablename__ = "market_classifications"
    __table_args__ = (
        CheckConstraint("outcome IN ('marketable', 'non_marketable')", name="outcome"),
        CheckConstraint(
            "subject_kind IN ('policy_application', 'limit_application')", name="subject_kind"
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(IdType)
    buyer_country: Mapped[str] = mapped_column(String(2))
    risk_period_days: Mapped[int] = mapped_column(Integer)
    risk_types: Mapped[Any] = mapped_column(JSONText())
    export_turnover: Mapped[Decimal] = mapped_column(DecimalText())
    turnover_currency: Mapped[str] = mapped_column(String(3))
    outcome: Mapped[str] = mapped_column(String(16))
    rule_id: Mapped[str] = mapped_column(String(64))
    rule_domain: Mapped[str] = mapped_column(String(16))
    citation: Mapped[str] = mapped_column(Text)
    rule_set_name: Mapped[str] = mapped_column(String(200))
    rule_set_version: Mapped[int] = mapped_column(Integer)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketDecline(Base):
    """A commercial insurer's recorded decline of a classified risk: the evidence the
    insurer of last resort needs for a marketable risk ([domain MK-10]).
    """

    __tablename__ = "market_declines"
    __table_args__ = (UniqueConstraint("classification_id", "insurer_org_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    classification_id: Mapped[int] = mapped_column(
        ForeignKey("market_classifications.id"), index=True
    )
    insurer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    declined_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketRouting(Base):
    """Where a classified risk went and on which basis ([domain MK-8], [domain MK-9])."""

    __tablename__ = "market_routings"
    __table_args__ = (
        CheckConstraint(
            "basis IN ('commercial_insurer', 'non_marketable', 'market_declined')", name="basis"
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    classification_id: Mapped[int] = mapped_column(
        ForeignKey("market_classifications.id"), unique=True
    )
    insurer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    basis: Mapped[str] = mapped_column(String(24))
    routed_by: Mapped[str] = mapped_column(String(64))
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketPolicyIssuer(Base):
    """The insurer a policy was issued for on a market, and the basis the routing rule gave
    ([domain MK-11]): written when the policy is issued.
    """

    __tablename__ = "market_policy_issuers"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), unique=True)
    insurer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    classification_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_classifications.id"), nullable=True
    )
    basis: Mapped[str] = mapped_column(String(24))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketRiskCarrier(Base):
    """One risk class of a double-insured policy and the insurer carrying it, with its own
    rate and its own maximum liability ([domain MK-12]).
    """

    __tablename__ = "market_risk_carriers"
    __table_args__ = (
        UniqueConstraint("policy_id", "risk_class"),
        CheckConstraint("risk_class IN ('commercial', 'political')", name="risk_class"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    risk_class: Mapped[str] = mapped_column(String(12))
    insurer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    rate_pct: Mapped[Decimal] = mapped_column(DecimalText())
    currency: Mapped[str] = mapped_column(String(3))
    maximum_liability_minor: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MarketCarrierPart(Base):
    """A carrier's part of one amount of a double-insured policy: a notice's component split
    by rate, or a claim or recovery routed by cause ([domain MK-13], [domain MK-14]).
    """

    __tablename__ = "market_carrier_parts"
    __table_args__ = (UniqueConstraint("source", "source_id", "component", "risk_class"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(IdType)
    component: Mapped[str] = mapped_column(String(64))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    risk_class: Mapped[str] = mapped_column(String(12))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    currency: Mapped[str] = mapped_column(String(3))
    whole_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    posted_on: Mapped[date] = mapped_column(Date)
