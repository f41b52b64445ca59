"""API shapes of jobs: the accepted job and its state."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from tradecover.jobs.model import Job
from tradecover.kit.inputs import InputModel


class EventsExportIn(InputModel):
    """Export the organisation's events from this one on."""

    from_event_id: str = Field(min_length=4, max_length=40, examples=["evt_0f1e2d3c"])


class LimitChangeItem(InputModel):
    """One limit of a bulk change: its id and, for a reduction, the new amount."""

    limit_id: int = Field(ge=1, le=2**63 - 1)
    amount: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=2)


class LimitsBulkChangeIn(InputModel):
    """Reduce or cancel many limits at once (the insurer)."""

    action: Literal["reduce", "cancel"]
    items: list[LimitChangeItem] = Field(min_length=1, max_length=10_000)
    reason: str = Field(min_length=1, max_length=500)
    effective_from: date | None = None


class BillingRunIn(InputModel):
    """Bill a month as a job (finance)."""

    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-05"])
    issue_date: date | None = None


class JobOut(BaseModel):
    """A job: its state (queued, running, succeeded, failed), progress and result."""

    job_id: str
    kind: str
    state: str
    progress: int = Field(description="Percent done")
    result: Any | None = Field(description="The job's answer (an export's file: ``download``)")
    download: str | None = Field(default=None, description="Where an export's CSV is fetched")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Job) -> JobOut:
        """Build from the ORM row (an export's CSV is left out: it is downloaded)."""
        result, download = row.result, None
        if isinstance(result, dict) and "csv" in result:
            result = {k: v for k, v in result.items() if k != "csv"}
            download = f"/api/v1/jobs/{row.job_id}/download"
        return cls(
            job_id=row.job_id,
            kind=row.kind,
            state=row.state,
            progress=row.progress,
            result=result,
            download=download,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )
