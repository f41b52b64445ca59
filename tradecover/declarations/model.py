"""ORM models of declared shipments, limit reservations and monthly turnover returns.

``declarations``: one row per declaration *event*.  A correction writes a new row whose
``supersedes_id`` names the row it replaces (marked ``corrected``); a cancellation marks
the row ``cancelled``.  Only ``active`` rows carry cover, premium and a reservation.  No
two active declarations of one exporter have the same invoice number for the same buyer
(a partial unique index).

Outstanding on a limit = ``covered_minor - collected_minor`` of its active declarations
(confirmed collections raise ``collected_minor``).  ``limit_reservations``
keeps that sum per limit so that the attachment can reserve with ONE conditional update
(``outstanding + covered <= cap``) instead of summing under a lock; every change of
``covered_minor``/``collected_minor`` of an active declaration must move it by the same
amount in the same transaction.  The view ``limit_outstanding`` (migration 0007) reads the
declarations themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, DecimalText, IdType, JSONText, UTCDateTime

if TYPE_CHECKING:
    from tradecover.declarations.attachment.record import DeclarationRecord

STATUS_ACTIVE = "active"
STATUS_CORRECTED = "corrected"
STATUS_CANCELLED = "cancelled"


class Declaration(Base):
    """One declared shipment with its cover decision and premium ([domain D-1], [domain D-9])."""

    __tablename__ = "declarations"
    __table_args__ = (
        Index(
            "uq_declarations_active_invoice",
            "exporter_org_id",
            "buyer_id",
            "invoice_number",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_declarations_policy_date", "policy_id", "declaration_date"),
        Index("ix_declarations_org_id", "exporter_org_id", "id"),
        Index("ix_declarations_limit_status", "limit_id", "status"),
        Index("ix_declarations_buyer_id", "buyer_id"),
        # Index-only plan for the utilisation of every limit (benchmarks/limits_utilisation.py).
        Index(
            "ix_declarations_limit_outstanding",
            "limit_id",
            postgresql_include=["covered_minor", "collected_minor", "shipment_date"],
            postgresql_where=text("status = 'active' AND limit_id IS NOT NULL"),
            sqlite_where=text("status = 'active' AND limit_id IS NOT NULL"),
        ),
        CheckConstraint("status IN ('active', 'corrected', 'cancelled')", name="status"),
        CheckConstraint(
            "prepayment_minor >= 0 AND prepayment_minor <= invoice_minor",
            name="prepayment_within_invoice",
        ),
        CheckConstraint(
            "covered_minor >= 0 AND covered_minor + uninsured_minor = insured_minor",
            name="cover_adds_up",
        ),
        CheckConstraint("collected_minor >= 0", name="collected_not_negative"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    buyer_country: Mapped[str | None] = mapped_column(String(2))
    limit_id: Mapped[int | None] = mapped_column(ForeignKey("credit_limits.id"))
    limit_version_id: Mapped[int | None] = mapped_column(ForeignKey("credit_limit_versions.id"))
    invoice_number: Mapped[str] = mapped_column(String(64))
    shipment_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    credit_days: Mapped[int] = mapped_column(Integer)
    payment_terms: Mapped[str] = mapped_column(String(16))
    transport_mode: Mapped[str] = mapped_column(String(16))
    hs_code: Mapped[str] = mapped_column(String(16))
    goods_description: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    invoice_minor: Mapped[int] = mapped_column(BigInteger)
    prepayment_minor: Mapped[int] = mapped_column(BigInteger)
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    covered_minor: Mapped[int] = mapped_column(BigInteger)
    uninsured_minor: Mapped[int] = mapped_column(BigInteger)
    collected_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    cover_status: Mapped[str] = mapped_column(String(24))  # covered_in_full, ...
    reason_code: Mapped[str] = mapped_column(String(40))
    cover_explanation: Mapped[str] = mapped_column(Text)
    rate: Mapped[Decimal] = mapped_column(DecimalText())  # fraction: 0.0075 = 0.75 %
    rate_explanation: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    declaration_date: Mapped[date] = mapped_column(Date)  # business date declared on
    declaration_due: Mapped[date] = mapped_column(Date)  # deadline by the frequency
    late: Mapped[bool] = mapped_column(Boolean)
    days_late: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active, corrected, cancelled
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"))
    channel: Mapped[str] = mapped_column(String(16))  # api, upload, web, erp, cli
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    declared_by: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # corrected/cancelled
    ended_by: Mapped[str | None] = mapped_column(String(64))
    end_reason: Mapped[str | None] = mapped_column(Text)


class LimitReservation(Base):
    """What is outstanding on one credit limit: the sum the conditional update guards.

    ``cap_minor`` is the limit version's amount the last reservation was checked against,
    written with it, so the CHECK holds even after the limit is later reduced.
    """

    __tablename__ = "limit_reservations"
    __table_args__ = (
        CheckConstraint("outstanding_minor >= 0", name="outstanding_not_negative"),
        CheckConstraint("outstanding_minor <= cap_minor", name="outstanding_within_cap"),
    )

    limit_id: Mapped[int] = mapped_column(ForeignKey("credit_limits.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    outstanding_minor: Mapped[int] = mapped_column(BigInteger)
    cap_minor: Mapped[int] = mapped_column(BigInteger)
    last_reserved_minor: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TurnoverReturn(Base):
    """An exporter's declared turnover of one month under a policy (whole-turnover check)."""

    __tablename__ = "turnover_returns"
    __table_args__ = (
        UniqueConstraint("policy_id", "month"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(64))


_DECLARATION_COLUMNS = frozenset(c.key for c in Declaration.__table__.columns)


def declaration_values(row: Declaration | DeclarationRecord) -> Mapping[str, Any]:
    """The column values of ``row``: its own attribute dict when every column is loaded
    (the views of the hot path read a declaration's forty columns without an attribute
    descriptor each; an attachment's record is such a dict), else read attribute by
    attribute (loading what is not).
    """
    values = row.__dict__
    if values.keys() >= _DECLARATION_COLUMNS:
        return values
    return {key: getattr(row, key) for key in _DECLARATION_COLUMNS}
