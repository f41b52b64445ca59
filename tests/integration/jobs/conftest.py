"""Fixtures of the jobs tests: a stream of the test's own on the real NATS server, the app
sending its jobs there, and a worker run until a job has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator

import nats
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import select

from tests.conftest import Database, FormClient
from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.jobs import Job, JobWorker, Queue


@pytest.fixture
def queue() -> Iterator[Queue]:
    """A stream of this test's own on the NATS server (removed afterwards)."""
    found = Queue(stream="TC_TEST_JOBS_" + uuid.uuid4().hex[:12].upper(), ack_wait_s=2)
    yield found

    async def remove() -> None:
        connection = await nats.connect(found.url)
        try:
            with contextlib.suppress(NotFoundError):  # no job was sent: no stream was made
                await connection.jetstream().delete_stream(found.stream)
        finally:
            await connection.close()

    asyncio.run(remove())


@pytest.fixture
def client(settings: Settings, queue: Queue) -> Iterator[FormClient]:
    """The app, sending its jobs to the test's stream (form posts carry their CSRF token)."""
    app = create_app(settings.model_copy(update={"jobs_stream": queue.stream}))
    with FormClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.engine.dispose()


def run_until_done(db: Database, queue: Queue, job_id: str, *, within: float = 30) -> str:
    """Run a worker until ``job_id`` has finished (or ``within`` seconds); its state."""

    def state() -> str:
        with db.factory() as session:
            return str(session.scalar(select(Job.state).where(Job.job_id == job_id)))

    async def go() -> str:
        stop = asyncio.Event()
        task = asyncio.create_task(JobWorker(db.factory, queue).run(stop))
        deadline = time.monotonic() + within
        found = await asyncio.to_thread(state)
        while found not in ("succeeded", "failed") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            found = await asyncio.to_thread(state)
        stop.set()
        await task
        return found

    return asyncio.run(go())
