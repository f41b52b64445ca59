"""Use cases of jobs: accept a job, read its state, and run one (the worker's side).

A job is a row in ``jobs`` (its state survives any restart) and a message on the NATS
JetStream work queue (:mod:`tradecover.jobs.dispatch`) that tells a worker to run it.
The kinds a worker knows are in :data:`KINDS`; each runs in its own short transactions
and reports its progress as it goes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tradecover.access import Permission, Principal
from tradecover.db.engine import transaction
from tradecover.events import events_of
from tradecover.jobs.kinds import CHECKS, RUNNERS, authority
from tradecover.jobs.model import Job
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import NotFound, ValidationFailed

Progress = Callable[[int], None]
Runner = Callable[[sessionmaker[Session], Job, Progress], dict[str, Any]]
EXPORT_CHUNK = 500


def _events_export(factory: sessionmaker[Session], job: Job, progress: Progress) -> dict[str, Any]:
    """Every event of the job's organisation from ``from_event_id`` on, as JSON lines."""
    with factory() as session:
        entries = events_of(
            session, org_id=job.org_id, from_event_id=job.params["from_event_id"], limit=100_000
        )
    lines: list[dict[str, Any]] = []
    for start in range(0, len(entries), EXPORT_CHUNK):
        lines += [
            {
                "id": e.event_id,
                "type": e.event_type,
                "subject": e.subject,
                "timestamp": e.occurred_at.isoformat(),
                "data": e.payload,
            }
            for e in entries[start : start + EXPORT_CHUNK]
        ]
        progress(min(99, (start + EXPORT_CHUNK) * 100 // max(1, len(entries))))
    return {"count": len(lines), "events": lines}


KINDS: dict[str, Runner] = {"events.export": _events_export, **RUNNERS}
"""The job kinds, by name, with the function that runs each."""


def submit_job(session: Session, *, principal: Principal, kind: str, params: dict[str, Any]) -> Job:
    """Accept a job of ``kind`` for the caller's organisation (queued; the edge dispatches
    it once the transaction commits).  The kind's check refuses bad parameters or a
    caller without the permission before anything is written.
    """
    principal.require(Permission.ORG_READ)
    if kind not in KINDS:
        raise ValidationFailed(f"unknown job kind {kind!r}", field="kind")
    if kind in CHECKS:
        params = CHECKS[kind](principal, params)
    row = Job(
        job_id="job_" + uuid.uuid4().hex,
        kind=kind,
        org_id=principal.org_id,
        actor=principal.actor,
        params={**params, "as": authority(principal)},
        state="queued",
        progress=0,
        attempts=0,
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    return row


def get_job(session: Session, *, principal: Principal, job_id: str) -> Job:
    """A job of the caller's organisation."""
    principal.require(Permission.ORG_READ)
    row = session.scalar(select(Job).where(Job.job_id == job_id))
    if row is None or not principal.can_see_org(row.org_id):
        raise NotFound(f"no job {job_id}")
    return row


def recent_jobs(session: Session, *, principal: Principal, limit: int = 20) -> list[Job]:
    """The caller's organisation's latest jobs, newest first."""
    principal.require(Permission.ORG_READ)
    return list(
        session.scalars(
            select(Job).where(Job.org_id == principal.org_id).order_by(Job.id.desc()).limit(limit)
        )
    )


def run_job(factory: sessionmaker[Session], job_id: str) -> str | None:
    """Run a job (the worker's side); return its final state, or None when the job is
    not visible yet (its transaction has not committed: the message comes back later).
    """
    with transaction(factory) as session:
        job = session.scalar(select(Job).where(Job.job_id == job_id))
        if job is None:
            return None
        if job.state in ("succeeded", "failed"):
            return job.state  # a redelivered message of a finished job
        job.state, job.started_at, job.attempts = "running", utc_now(), job.attempts + 1
        session.flush()
        session.expunge(job)

    shown = [0]

    def progress(percent: int) -> None:
        if percent <= shown[0]:
            return  # only a step forward is written
        shown[0] = percent
        with transaction(factory) as own:
            own.execute(update(Job).where(Job.job_id == job_id).values(progress=percent))

    try:
        result = KINDS[job.kind](factory, job, progress)
    except Exception as error:  # any failure of the work ends the job, with the reason
        values: dict[str, Any] = {"state": "failed", "error": str(error)[:500]}
    else:
        values = {"state": "succeeded", "progress": 100, "result": result}
    with transaction(factory) as session:
        session.execute(
            update(Job).where(Job.job_id == job_id).values(finished_at=utc_now(), **values)
        )
    return str(values["state"])
