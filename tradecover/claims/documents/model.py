"""ORM model of claim documents: one row per upload, the bytes in the document store.

``storage_key`` names the bytes in the store (unique per upload); ``sha256``, ``size_bytes``
and ``content_type`` (sniffed from the content) describe them.  ``status`` is ``received``
until a claims handler marks the document ``accepted`` or ``missing``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, UTCDateTime


class ClaimDocumentRow(Base):
    """One document uploaded to a claim, and the handler's review of it."""

    __tablename__ = "claim_documents"
    __table_args__ = (
        CheckConstraint("status IN ('received', 'accepted', 'missing')", name="status"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by: Mapped[str] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
