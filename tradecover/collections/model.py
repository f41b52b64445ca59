"""ORM models of collection confirmations and notices of possible loss.

* ``collection_confirmations``: every answer an exporter gave about one declared invoice
  (paid in full, in part, unpaid), with the amount collected and the limit it freed.  The
  declaration's ``collected_minor`` is the running total of these amounts.
* ``possible_loss_notices``: one notice per declared invoice (``declaration_id`` unique);
  an ``open`` notice freezes the buyer for the exporter's further shipments.
* ``due_date_arrangements``: extensions of a due date and repayment plans, requested by
  the exporter and approved or refused by the insurer.
* ``notifications``: the exporter's outbox of reminders the daily job sent (notice
  reminders before the deadline, chasers of unconfirmed collections).  ``dedupe_key``
  is unique per exporter, so a rerun of the job on the same day sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
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
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, JSONText, UTCDateTime

NOTICE_OPEN = "open"
NOTICE_WITHDRAWN = "withdrawn"


class CollectionConfirmation(Base):
    """One confirmation of what the buyer paid on one declared invoice."""

    __tablename__ = "collection_confirmations"
    __table_args__ = (
        CheckConstraint("outcome IN ('paid_in_full', 'paid_in_part', 'unpaid')", name="outcome"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint(
            "freed_minor >= 0 AND freed_minor <= amount_minor", name="freed_within_amount"
        ),
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
    # the business day of the answer (chasing compares it with the request); NULL on rows
    # written before it was kept: their ``confirmed_at`` day stands in
    confirmed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class PossibleLossNotice(Base):
    """A notice of possible loss on one declared invoice ([domain C-3])."""

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


class DueDateArrangement(Base):
    """A request to extend a due date or to agree a repayment plan, and the insurer's answer.

    An approved arrangement moves the invoice's due date, and with it the notice deadline.
    """

    __tablename__ = "due_date_arrangements"
    __table_args__ = (
        CheckConstraint("kind IN ('extension', 'repayment_plan')", name="kind"),
        CheckConstraint("status IN ('requested', 'approved', 'refused')", name="status"),
        CheckConstraint("new_due_date > original_due_date", name="new_due_date_later"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    original_due_date: Mapped[date] = mapped_column(Date)
    new_due_date: Mapped[date] = mapped_column(Date)
    instalments: Mapped[Any] = mapped_column(JSONText())
    status: Mapped[str] = mapped_column(String(16))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """One message sent to an exporter by a job (its outbox), and when it was read."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("exporter_org_id", "dedupe_key"),
        Index("ix_notifications_org_sent", "exporter_org_id", "sent_on"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(128))
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[Any] = mapped_column(JSONText())
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
