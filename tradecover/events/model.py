"""ORM model of the transactional outbox: events written in the business transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, JSONText, UTCDateTime


class OutboxEvent(Base):
    """A business event recorded in the same transaction as the change it tells of."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_relayed_id", "relayed", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(128))
    org_id: Mapped[int] = mapped_column(IdType, index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[Any] = mapped_column(JSONText)
    relayed: Mapped[bool] = mapped_column(Boolean, default=False)
