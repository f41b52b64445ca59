"""ORM model of the consents context: one row per consent an organisation asked an
exporter for [domain CS-1].  The policy contract's own consent has no row: it is
derived from the contract ([domain CS-4], :func:`~tradecover.consents.rules.contract_covers`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, JSONText, UTCDateTime


class Consent(Base):
    """A consent: grantor (the exporter), grantee, scopes, purposes, data window, expiry
    and status; its moves are audited and told on the outbox.
    """

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_authorisation', 'authorised', 'rejected', 'revoked', 'expired')",
            name="status",
        ),
        CheckConstraint("grantor_org_id <> grantee_org_id", name="two_parties"),
        Index("ix_consents_grantee_status", "grantee_org_id", "status"),
        Index("ix_consents_grantor_status", "grantor_org_id", "status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    grantor_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    grantee_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    scopes: Mapped[list[str]] = mapped_column(JSONText())
    purposes: Mapped[list[str]] = mapped_column(JSONText())
    data_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    data_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
