"""ORM models of pricing: versioned rate tables and investment-debt premium schedules.

A rate table is never updated in place: each edit is a new row (``code``, ``version``),
so the history of every table is kept.  An investment-debt policy has one premium
schedule (the quote request it was priced on and its total) and one row per period of
insurance with its premium notice, due date (notice + 30 days) and payment.  Amounts are
integer minor units beside the currency.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, JSONText, UTCDateTime

RATE_TABLE_DRAFT = "draft"
RATE_TABLE_ACTIVE = "active"
RATE_TABLE_RETIRED = "retired"


class RateTableVersion(Base):
    """One version of a short-term rate table; ``body`` is ``rate_table_to_dict`` of it."""

    __tablename__ = "rate_tables"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # draft, active, retired
    body: Mapped[Any] = mapped_column(JSONText())
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InvestmentDebtSchedule(Base):
    """The premium schedule of one investment-debt policy ([004])."""

    __tablename__ = "investment_debt_schedules"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    request: Mapped[Any] = mapped_column(JSONText())  # the quote request it was priced on
    total_premium_minor: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InvestmentDebtPeriod(Base):
    """One period of insurance: insured amount, premium, its notice and its payment."""

    __tablename__ = "investment_debt_periods"
    __table_args__ = (UniqueConstraint("schedule_id", "position"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("investment_debt_schedules.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based, over both phases
    phase: Mapped[str] = mapped_column(String(16))  # drawdown, repayment
    phase_index: Mapped[int] = mapped_column(Integer)  # the quote's index within the phase
    insured_amount_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    notice_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    late_payment_accepted: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))  # not_issued, notified, paid, refused


class InvestmentDebtApplication(Base):
    """The loan behind an investment-debt application ([004]): its drawdown and repayment
    schedule, the cover asked for and the host country of the project company.
    """

    __tablename__ = "investment_debt_applications"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("policy_applications.id"), primary_key=True
    )
    host_country: Mapped[str] = mapped_column(String(2))
    loan: Mapped[Any] = mapped_column(JSONText())  # the quote request without its rate
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
