"""ORM model of stored idempotency keys (unique per organisation and key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, JSONText, UTCDateTime


class IdempotencyRecord(Base):
    """A write request seen once: its fingerprint and, once done, the answer it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # in_progress, completed
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
