"""ORM model of the consents context: one row per consent an organisation asked an
exporter for [domain CS-1]; the fields an exporter withholds per feed source
[domain CS-11]; the pool of buyers' payment experience [domain CS-12]; the consents whose
retention was purged [domain CS-13].  The policy contract's own consent has no row: it is
derived from the contract ([domain CS-4], :func:`~tradecover.consents.rules.contract_covers`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
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


class FieldSharing(Base):
    """The fields an exporter withholds from the documents of one connected feed source
    [domain CS-11]; no row: every field is shared.
    """

    __tablename__ = "consent_field_sharing"
    __table_args__ = (UniqueConstraint("exporter_org_id", "source"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    exporter_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    source: Mapped[str] = mapped_column(String(16))
    withheld: Mapped[list[str]] = mapped_column(JSONText())
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PaymentExperience(Base):
    """One contributing exporter's payment experience of one buyer, in the pool
    [domain CS-12].  The contributor is kept to remove its rows when it stops; it is never
    shown to anyone but itself.
    """

    __tablename__ = "payment_experience_pool"
    __table_args__ = (
        UniqueConstraint("buyer_id", "contributor_org_id"),
        Index("ix_payment_experience_pool_contributor", "contributor_org_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    contributor_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    overdue_notices: Mapped[int] = mapped_column(Integer)
    max_days_late: Mapped[int] = mapped_column(Integer)
    claims: Mapped[int] = mapped_column(Integer)
    contributed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsentPurge(Base):
    """A consent whose retention ran out and whose data was purged [domain CS-13]."""

    __tablename__ = "consent_purges"

    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    counts: Mapped[dict[str, int]] = mapped_column(JSONText())
