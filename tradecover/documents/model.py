"""ORM model of the document registry: one row per issued document ([domain DOC-1]).

``issued_documents``: the number (unique), kind, subject, language, the organisation the
document belongs to, the SHA-256 of its exact bytes and who issued it when.  A row is
never changed; the audit log holds the same facts in its tamper-evident chain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, UTCDateTime


class IssuedDocument(Base):
    """One registered document: its number and the hash of its bytes."""

    __tablename__ = "issued_documents"
    __table_args__ = (Index("ix_issued_documents_subject", "kind", "subject_id", "locale", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(IdType)
    locale: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(64))
