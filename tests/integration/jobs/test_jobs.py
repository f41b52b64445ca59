"""Jobs over NATS JetStream: 202 with a job id, then state, progress and result; a job
accepted before a restart (its first worker gone without acknowledging) completes.
"""

from __future__ import annotations

import asyncio
import time

import nats
from fastapi.testclient import TestClient

from tests.conftest import Cast, Database
from tests.integration.webhooks.helpers import record
from tradecover.jobs import JobWorker, Queue
from tradecover.jobs.dispatch import ensure_stream


def _run_worker(db: Database, queue: Queue, until: float) -> None:
    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(JobWorker(db.factory, queue).run(stop))
        await asyncio.sleep(until)
        stop.set()
        await task

    asyncio.run(go())


def _crashing_worker(queue: Queue) -> int:
    """A worker that takes the messages and dies before acknowledging them."""

    async def go() -> int:
        connection = await nats.connect(queue.url)
        js = connection.jetstream()
        await ensure_stream(js, queue)
        pull = await js.pull_subscribe(
            queue.subjects,
            durable=queue.consumer,
            stream=queue.stream,
            config=nats.js.api.ConsumerConfig(ack_wait=queue.ack_wait_s),
        )
        taken = await pull.fetch(10, timeout=5)
        await connection.close()  # gone: no ack
        return len(taken)

    return asyncio.run(go())


def test_a_job_accepted_before_a_restart_completes(
    client: TestClient, cast: Cast, db: Database, queue: Queue
) -> None:
    ids = record(db, cast.exporter.org_id, [(f"s:{n}", n) for n in range(30)])
    accepted = client.post(
        "/api/v1/jobs/events-export", headers=cast.exporter.headers, json={"from_event_id": ids[10]}
    )
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert job["state"] == "queued" and accepted.headers["location"].endswith(job["job_id"])
    assert _crashing_worker(queue) == 1
    url = f"/api/v1/jobs/{job['job_id']}"
    assert client.get(url, headers=cast.exporter.headers).json()["state"] == "queued"
    _run_worker(db, queue, until=queue.ack_wait_s + 2)  # the restarted worker
    done = client.get(url, headers=cast.exporter.headers).json()
    assert (done["state"], done["progress"]) == ("succeeded", 100)
    assert done["result"]["count"] == 20
    assert [e["id"] for e in done["result"]["events"]] == ids[10:]
    assert client.get(url, headers=cast.other_exporter.headers).status_code == 404


def test_an_unknown_event_fails_the_job_with_its_reason(
    client: TestClient, cast: Cast, db: Database, queue: Queue
) -> None:
    accepted = client.post(
        "/api/v1/jobs/events-export",
        headers=cast.exporter.headers,
        json={"from_event_id": "evt_missing"},
    ).json()
    started = time.monotonic()
    _run_worker(db, queue, until=2)
    done = client.get(f"/api/v1/jobs/{accepted['job_id']}", headers=cast.exporter.headers).json()
    assert done["state"] == "failed" and "evt_missing" in done["error"]
    assert time.monotonic() - started < 30
