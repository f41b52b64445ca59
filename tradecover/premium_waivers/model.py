"""ORM model of the premium waivers context: the insurer's four-eyes waivers of late
premium ([002] 8.2.3), one per premium notice of the billing context.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, UTCDateTime

WAIVER_PROPOSED = "proposed"
WAIVER_APPROVED = "approved"


class PremiumWaiver(Base):
    """The insurer's waiver of a notice's late premium: the shipments it billed keep their
    cover for losses that arose before the premium was paid ([002], 8.2.3).

    Four eyes: one insurer user proposes it with a reason, another approves it; only an
    approved waiver counts.  One waiver per notice.
    """

    __tablename__ = "premium_waivers"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved')", name="status"),
        CheckConstraint("approved_by IS NULL OR approved_by <> proposed_by", name="four_eyes"),
        CheckConstraint(
            "(status = 'approved') = (approved_by IS NOT NULL)", name="approved_has_approver"
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("premium_notices.id"), unique=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
