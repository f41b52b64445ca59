"""ORM models of e-mail: what each person chose to receive, and the relay's place."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType


class MailPreference(Base):
    """A person's choice for one event type (no row: the e-mail is sent)."""

    __tablename__ = "mail_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event_type"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)


class MailCursor(Base):
    """The last outbox event the e-mail relay has handled (its own place in the outbox)."""

    __tablename__ = "mail_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(IdType)
