"""HTTP routes of jobs: start one (202 with its id), then follow it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path
from fastapi.responses import JSONResponse

from tradecover import jobs
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.config import Settings
from tradecover.jobs.schemas import EventsExportIn, JobOut

router = APIRouter(tags=["jobs"])
SettingsDep = Annotated[Settings, Depends(get_settings)]
JobIdPath = Annotated[str, Path(pattern=r"^job_[0-9a-f]{32}$")]


def queue_of(settings: Settings) -> jobs.Queue:
    """The job queue the settings name."""
    return jobs.Queue(url=settings.nats_address, stream=settings.jobs_stream)


@router.post(
    "/api/v1/jobs/events-export",
    status_code=202,
    response_model=JobOut,
    summary="Export the organisation's events (a job)",
)
def events_export(
    body: EventsExportIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """Accepted at once; follow ``Location`` until the job has succeeded."""
    row = jobs.submit_job(
        session,
        principal=principal,
        kind="events.export",
        params={"from_event_id": body.from_event_id},
    )
    # sent after the answer, once the request's transaction has committed; a worker that
    # gets it earlier puts it back (the job is not visible yet)
    background.add_task(jobs.publish, queue_of(settings), row.job_id, row.kind)
    return JSONResponse(
        JobOut.of(row).model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/api/v1/jobs/{row.job_id}"},
    )


@router.get("/api/v1/jobs/{job_id}", response_model=JobOut, summary="A job's state")
def get(job_id: JobIdPath, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """State, progress and, once done, the result or the error."""
    return JobOut.of(jobs.get_job(session, principal=principal, job_id=job_id))
