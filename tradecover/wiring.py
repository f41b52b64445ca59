"""Composition root: builds the adapters the edges use.

The contexts declare ports and the adapters that implement them; which adapter serves a
database, and with which read model, is decided here, once, by the edges (the app at
start-up, the command line, the demo, the benchmarks and the tests), which pass what they
built to the use cases.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from tradecover.access import Principal
    from tradecover.config import Settings
    from tradecover.consents import PurgeDue
    from tradecover.declarations.attachment.repository import AttachmentStore
    from tradecover.jobs import Job


def store_for(engine: Engine) -> AttachmentStore:
    """THE attachment store of ``engine``'s database: PostgreSQL's pipelined store on
    PostgreSQL, the portable one elsewhere, each with the read side's facts read model.
    """
    if engine.dialect.name == "postgresql":  # the driver's pipeline: loaded only there
        from tradecover.declarations.attachment.postgres_repository import PostgresStore
        from tradecover.reporting.attachment_facts_pg import PipelinedAttachmentFacts

        return PostgresStore(PipelinedAttachmentFacts())
    from tradecover.declarations.attachment.portable_repository import PortableStore
    from tradecover.reporting.attachment_facts import PortableAttachmentFacts

    return PortableStore(PortableAttachmentFacts())


def register_job_kinds() -> None:
    """Fill the jobs context's hook with the kinds that need adapters built here: the
    declarations upload on :func:`store_for` (the app and the job worker call it).
    """
    from tradecover import jobs
    from tradecover.declarations import register_upload_deferrer

    jobs.register_kind(
        "declarations.upload", jobs.declarations_upload(store_for), jobs.check_upload
    )
    jobs.register_kind("consents.purge", _consents_purge, jobs.check_insurer_admin)
    register_upload_deferrer(defer_upload)


def _consents_purge(factory: sessionmaker[Session], job: Job, progress: Any) -> dict[str, Any]:
    """The retention purge of ``tradecover consents purge`` as a job (one transaction)."""
    from tradecover.db.engine import transaction

    with transaction(factory) as session:
        done = purge_retention(session, actor=str(job.params["as"]["actor"]))
    return {"consents": len(done), "purged": {str(k): v for k, v in done.items()}}


def defer_upload(
    session: Session, principal: Principal, *, filename: str, data: bytes, settings: Settings
) -> tuple[str, Callable[[], Awaitable[None]]]:
    """Accept a declarations upload as a ``declarations.upload`` job (the file's bytes kept
    on the job); the job's id and the sending to the workers, to run after the commit.
    """
    from tradecover import jobs

    row = jobs.submit_job(
        session,
        principal=principal,
        kind="declarations.upload",
        params={"filename": filename, "data": base64.b64encode(data).decode("ascii")},
    )
    queue = jobs.Queue(url=settings.nats_address, stream=settings.jobs_stream)
    job_id, kind = row.job_id, row.kind

    async def send() -> None:
        await jobs.publish(queue, job_id, kind)

    return job_id, send


def purge_retention(
    session: Session, *, actor: str, now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Purge what every ended consent past its retention opened [domain CS-13]: the feed's
    documents (claims in progress and financial records kept) and the pool's rows.
    """
    from tradecover import consents, feeds, reporting
    from tradecover.config import get_settings
    from tradecover.kit.dates import utc_now

    settings = get_settings()
    now = now or utc_now()

    def documents(due: PurgeDue) -> int:
        return feeds.purge_documents(
            session,
            exporter_org_id=due.grantor_org_id,
            data_from=due.data_from,
            data_to=due.data_to,
            keep_declarations=reporting.declarations_in_claim(session, due.grantor_org_id),
            financial_years=settings.financial_records_years,
            now=now,
        )

    return consents.purge(
        session,
        purge_documents=documents,
        actor=actor,
        retention_days=settings.consent_retention_days,
        now=now,
    )
