"""Jobs over NATS JetStream: a work-queue stream carries one message per job.

:func:`publish` sends a job's id on ``<subject prefix>.<kind>``; :class:`JobWorker` pulls
from one durable consumer, runs each job (:func:`tradecover.jobs.service.run_job`) and
acknowledges it when done.  A worker that dies leaves its message unacknowledged:
JetStream gives it to another worker after ``ack_wait``, so a job accepted before a
restart still completes.  The job's state lives in the database, never in NATS.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import nats
from nats.js.api import ConsumerConfig, RetentionPolicy, StreamConfig
from nats.js.errors import NotFoundError
from sqlalchemy.orm import Session, sessionmaker

from tradecover.jobs.service import run_job


@dataclass(frozen=True)
class Queue:
    """Where jobs travel: the NATS server, the stream and its consumer."""

    url: str = "nats://127.0.0.1:4222"
    stream: str = "TRADECOVER_JOBS"
    consumer: str = "job-workers"
    ack_wait_s: float = 300.0

    @property
    def subjects(self) -> str:
        """The stream's subjects (``<stream in lower case>.>``)."""
        return f"{self.stream.lower()}.>"


async def ensure_stream(js: nats.js.JetStreamContext, queue: Queue) -> None:
    """Create the work-queue stream when missing."""
    try:
        await js.stream_info(queue.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=queue.stream, subjects=[queue.subjects], retention=RetentionPolicy.WORK_QUEUE
            )
        )


async def publish(queue: Queue, job_id: str, kind: str) -> None:
    """Tell the workers to run job ``job_id``."""
    connection = await nats.connect(queue.url)
    try:
        js = connection.jetstream()
        await ensure_stream(js, queue)
        await js.publish(
            f"{queue.stream.lower()}.{kind}", job_id.encode(), headers={"Nats-Msg-Id": job_id}
        )
    finally:
        await connection.close()


class JobWorker:
    """Pulls job messages and runs them, one at a time per worker."""

    def __init__(self, factory: sessionmaker[Session], queue: Queue) -> None:
        self.factory, self.queue = factory, queue

    async def run(self, stop: asyncio.Event, *, batch: int = 10) -> None:
        """Run jobs until ``stop`` is set."""
        connection = await nats.connect(self.queue.url)
        try:
            js = connection.jetstream()
            await ensure_stream(js, self.queue)
            pull = await js.pull_subscribe(
                self.queue.subjects,
                durable=self.queue.consumer,
                stream=self.queue.stream,
                config=ConsumerConfig(ack_wait=self.queue.ack_wait_s),
            )
            while not stop.is_set():
                try:
                    messages = await pull.fetch(batch, timeout=0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                for message in messages:
                    state = await asyncio.to_thread(run_job, self.factory, message.data.decode())
                    if state is None:
                        await message.nak(delay=1)
                    else:
                        await message.ack()
        finally:
            await connection.close()
