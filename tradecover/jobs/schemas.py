"""API shapes of jobs: the accepted job and its state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tradecover.jobs.model import Job
from tradecover.kit.inputs import InputModel


class EventsExportIn(InputModel):
    """Export the organisation's events from this one on."""

    from_event_id: str = Field(min_length=4, max_length=40, examples=["evt_0f1e2d3c"])


class JobOut(BaseModel):
    """A job: its state (queued, running, succeeded, failed), progress and result."""

    job_id: str
    kind: str
    state: str
    progress: int = Field(description="Percent done")
    result: Any | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Job) -> JobOut:
        """Build from the ORM row."""
        return cls(
            job_id=row.job_id,
            kind=row.kind,
            state=row.state,
            progress=row.progress,
            result=row.result,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )
