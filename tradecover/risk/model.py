"""ORM model of risk runs: a portfolio risk calculation executed as a job with a status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, IdType, JSONText, UTCDateTime


class RiskRun(Base):
    """One risk run: what was asked (spec), where it is (status, progress), what came out."""

    __tablename__ = "risk_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name="status"),
        CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress"),
        Index("ix_risk_runs_org_id_id", "org_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    spec: Mapped[Any] = mapped_column(JSONText())
    status: Mapped[str] = mapped_column(String(16))
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
