"""HTTP routes of jobs: start one (202 with its id), then follow it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path
from fastapi.responses import JSONResponse, Response

from tradecover import jobs, risk
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.config import Settings
from tradecover.jobs.schemas import BillingRunIn, EventsExportIn, JobOut, LimitsBulkChangeIn
from tradecover.kit.errors import NotFound

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
    return _accepted(
        session,
        principal,
        settings,
        background,
        "events.export",
        {"from_event_id": body.from_event_id},
    )


def _accepted(
    session: SessionDep,
    principal: PrincipalDep,
    settings: Settings,
    background: BackgroundTasks,
    kind: str,
    params: dict[str, object],
) -> JSONResponse:
    row = jobs.submit_job(session, principal=principal, kind=kind, params=params)
    # sent after the answer, once the request's transaction has committed; a worker that
    # gets it earlier puts it back (the job is not visible yet)
    background.add_task(jobs.publish, queue_of(settings), row.job_id, row.kind)
    return JSONResponse(
        JobOut.of(row).model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/api/v1/jobs/{row.job_id}"},
    )


@router.post(
    "/api/v1/jobs/limits-bulk-change",
    status_code=202,
    response_model=JobOut,
    summary="Reduce or cancel many limits (a job)",
)
def limits_bulk_change(
    body: LimitsBulkChangeIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """Accepted at once; each limit is changed in its own transaction and the result lists
    the changed ones and the refused ones with their reason.
    """
    return _accepted(
        session, principal, settings, background, "limits.bulk_change", body.model_dump(mode="json")
    )


@router.post(
    "/api/v1/jobs/billing-run",
    status_code=202,
    response_model=JobOut,
    summary="Bill a month (a job)",
)
def billing_run(
    body: BillingRunIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """Accepted at once; the run is resumable, so a job run twice bills nothing twice."""
    return _accepted(
        session, principal, settings, background, "billing.run", body.model_dump(mode="json")
    )


@router.post(
    "/api/v1/jobs/{what}-export",
    status_code=202,
    response_model=JobOut,
    summary="Export the organisation's limits or declarations as CSV (a job)",
)
def csv_export(
    what: Annotated[str, Path(pattern=r"^(limits|declarations)$")],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """Accepted at once; once succeeded, fetch the file at the job's ``download``."""
    return _accepted(session, principal, settings, background, f"{what}.export", {})


@router.post(
    "/api/v1/jobs/risk-run",
    status_code=202,
    response_model=JobOut,
    summary="Run the portfolio risk engine (a job)",
)
def risk_run(
    body: risk.RiskRunIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """Accepted at once (a bad spec answers 422 naming the field and writes nothing); the
    job records the risk run, executes it and reports its figures and ``url``.
    """
    return _accepted(session, principal, settings, background, "risk.run", body.to_spec().to_json())


@router.post(
    "/api/v1/jobs/consents-purge",
    status_code=202,
    response_model=JobOut,
    summary="Purge the data of consents whose retention ended (a job)",
)
def consents_purge(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """Accepted at once (the insurer's administrators); the result counts the consents and
    what was purged of each, as ``tradecover consents purge`` prints.
    """
    return _accepted(session, principal, settings, background, "consents.purge", {})


@router.get(
    "/api/v1/jobs/{job_id}/download",
    response_class=Response,
    summary="The CSV file of a finished export job",
    responses={200: {"content": {"text/csv": {}}}},
)
def download(job_id: JobIdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    """The export's CSV (404 until the job has succeeded, or when it has no file)."""
    row = jobs.get_job(session, principal=principal, job_id=job_id)
    if row.state != "succeeded" or not isinstance(row.result, dict) or "csv" not in row.result:
        raise NotFound(f"job {job_id} has no file (yet)", code="job_file_not_found")
    name = row.kind.replace(".", "-")
    return Response(
        row.result["csv"],
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{job_id}.csv"'},
    )


@router.get("/api/v1/jobs/{job_id}", response_model=JobOut, summary="A job's state")
def get(job_id: JobIdPath, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """State, progress and, once done, the result or the error."""
    return JobOut.of(jobs.get_job(session, principal=principal, job_id=job_id))
