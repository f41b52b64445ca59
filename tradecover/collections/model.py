"""ORM models of collection confirmations and notices of possible loss (issue 5).

* ``collection_confirmations``: every answer an exporter gave about one declared invoice
  (paid in full, in part, unpaid), with the amount collected and the limit it freed.  The
  declaration's ``collected_minor`` is the running total of these amounts.
* ``possible_loss_notices``: one notice per declared invoice (``declaration_id`` unique);
  an ``open`` notice freezes the buyer for the exporter's further shipments.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, UTCDateTime

NOTICE_OPEN = "open"
NOTICE_WITHDRAWN = "withdrawn"


class CollectionConfirmation(Base):
    """One confirmation of what the buyer paid on one declared invoice."""

    __tablename__ = "collection_confirmations"
    __table_args__ = (
        CheckConstraint("outcome IN ('paid_in_full', 'paid_in_part', 'unpaid')",
                        name="outcome"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("freed_minor >= 0 AND freed_minor <= amount_minor",
                        name="freed_within_amount"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    freed_minor: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str] = mapped_column(String(64))


class PossibleLossNotice(Base):
    """A notice of possible loss on one declared invoice (domain.md 7)."""

    __tablename__ = "possible_loss_notices"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'withdrawn')", name="status"),
        CheckConstraint("days_late >= 0", name="days_late_not_negative"),
        Index("ix_possible_loss_notices_buyer_status", "exporter_org_id", "buyer_id", "status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), unique=True)
    cause: Mapped[str] = mapped_column(String(24))
    due_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    days_late: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by: Mapped[str] = mapped_column(String(64))
