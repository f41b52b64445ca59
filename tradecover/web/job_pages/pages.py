"""Dashboard pages of jobs: start an export, follow a job with its progress bar.

``/jobs`` lists the organisation's latest jobs and starts the CSV exports of its limits
and declarations; ``/jobs/{job_id}`` shows a job's state and progress, refreshes itself
(a meta refresh: no script) until the job has finished, then links to its file.  Another
organisation's job is "not found", as on the API.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tradecover import jobs
from tradecover.kit.errors import DomainError
from tradecover.web.kit import (
    SessionDep,
    Viewer,
    choose_locale,
    current_viewer,
    error_page,
    in_savepoint,
    redirect,
    render_page,
    settings_of,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
PATH = "/jobs"
JOB_ID = re.compile(r"^job_[0-9a-f]{32}$")
EXPORTS = {"limits": "limits.export", "declarations": "declarations.export"}
REFRESH_S = 2


def _list_page(
    request: Request, session: Session, viewer: Viewer, *, problem: DomainError | None = None
) -> Response:
    return render_page(
        request,
        choose_locale(request, viewer),
        "job_pages/jobs.html",
        {"jobs": jobs.recent_jobs(session, principal=viewer.principal), "problem": problem},
        viewer=viewer,
        status=problem.status if problem else 200,
    )


@router.get(PATH, response_model=None)
def jobs_page(request: Request, session: SessionDep) -> Response:
    """The organisation's latest jobs and the exports one may start."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    try:
        return _list_page(request, session, viewer)
    except DomainError as error:
        return error_page(request, choose_locale(request, viewer), viewer, error.status)


@router.post(PATH + "/export/{what}", response_model=None)
def start_export(
    what: str, request: Request, session: SessionDep, background: BackgroundTasks
) -> Response:
    """Start an export job and go to its page."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    if what not in EXPORTS:
        return error_page(request, choose_locale(request, viewer), viewer, 404)
    made: list[jobs.Job] = []

    def work() -> None:
        made.append(
            jobs.submit_job(session, principal=viewer.principal, kind=EXPORTS[what], params={})
        )

    problem = in_savepoint(session, work)
    if problem is not None:
        return _list_page(request, session, viewer, problem=problem)
    settings = settings_of(request)
    queue = jobs.Queue(url=settings.nats_address, stream=settings.jobs_stream)
    background.add_task(jobs.publish, queue, made[0].job_id, made[0].kind)
    return redirect(f"{PATH}/{made[0].job_id}")


@router.get(PATH + "/{job_id}", response_model=None)
def job_page(job_id: str, request: Request, session: SessionDep) -> Response:
    """One job: its state, a progress bar that refreshes until it is done, its file."""
    viewer = current_viewer(request, session)
    if viewer is None:
        return to_sign_in(request)
    locale = choose_locale(request, viewer)
    if not JOB_ID.match(job_id):
        return error_page(request, locale, viewer, 404)
    try:
        row = jobs.get_job(session, principal=viewer.principal, job_id=job_id)
    except DomainError as error:
        return error_page(request, locale, viewer, error.status)
    finished = row.state in ("succeeded", "failed")
    has_file = finished and isinstance(row.result, dict) and "csv" in row.result
    return render_page(
        request,
        locale,
        "job_pages/job.html",
        {
            "job": row,
            "refresh": None if finished else REFRESH_S,
            "download": f"/api/v1/jobs/{row.job_id}/download" if has_file else None,
        },
        viewer=viewer,
    )
