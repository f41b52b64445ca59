"""Outbox to delivered webhook: sustained events per second and the p99 latency.

A producer thread records ``limit.decided`` events in the outbox at ``--rate`` events/s
(small transactions every 20 ms, spread over ``--subjects`` subjects) for ``--seconds``;
one webhook worker (``tradecover.webhooks.WebhookWorker``, the code behind
``tradecover webhooks worker``) relays and delivers them to a receiver on loopback
(development mode) that runs in a process of its own.  Reports the delivered events/s
and the p50/p99 latency from the event's timestamp to its arrival at the receiver (aim:
500 events/s, p99 < 1 s).

    .venv/bin/python benchmarks/webhooks.py [--rate 500] [--seconds 20] [--subjects 1000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/tc_bench_webhooks]

Without ``--database-url`` the database is a fresh SQLite file in a temporary folder; a
PostgreSQL database named by the URL is dropped and created again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import psycopg
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.receivers import WebhookReceiver
from tradecover.access import service as access
from tradecover.access.roles import OrganisationKind
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction
from tradecover.events import record_event
from tradecover.webhooks import WebhookWorker, WorkerOptions
from tradecover.webhooks.model import WebhookDelivery
from tradecover.webhooks.service import create_endpoint


def _fresh_database(url: str | None, folder: Path) -> str:
    if url is None:
        return f"sqlite:///{folder / 'bench.db'}"
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')
    return url


def _receive(pipe: Connection) -> None:
    """The receiver's process: tell its port, then on request each arrival as (published,
    arrived) in seconds since the epoch.
    """
    with WebhookReceiver() as receiver:
        pipe.send(receiver.port)
        pipe.recv()
        pipe.send(
            [
                (datetime.fromisoformat(json.loads(r.body)["timestamp"]).timestamp(), r.at)
                for r in receiver.received
            ]
        )


def _setup(url: str, receiver_url: str) -> tuple[sessionmaker[Session], int]:
    migrate.upgrade(url)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        bootstrap.load_reference_data(session)
        system = access.system_principal(session)
        org = access.create_organisation(
            session,
            principal=system,
            slug="bench-exports",
            name="Bench Exports",
            kind=OrganisationKind.EXPORTER,
            country="CN",
            region="CN-ZJ",
        )
        create_endpoint(
            session,
            principal=system,
            url=receiver_url + "/in",
            event_types=["limit.decided"],
            description="bench",
            development=True,
        )
        return factory, org.id


def _produce(url: str, org_id: int, *, rate: int, total: int, subjects: int) -> None:
    """The application's side, in a process of its own: record events at a steady rate
    (a transaction every 20 ms), falling behind only when the database cannot keep up.
    """
    factory = make_session_factory(make_engine(url))
    per_tick, sent, start = max(1, rate // 50), 0, time.perf_counter()
    while sent < total:
        with transaction(factory) as session:
            for _ in range(min(per_tick, total - sent)):
                record_event(
                    session,
                    "limit.decided",
                    f"limit_application:{sent % subjects}",
                    {
                        "application_id": sent,
                        "policy_id": 1,
                        "buyer_id": 1,
                        "outcome": "approved",
                        "approved_amount": "1000.00",
                        "currency": "USD",
                    },
                    org_id,
                )
                sent += 1
        wait = start + sent / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)


def _delivered(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == "delivered")
            )
            or 0
        )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    total = int(args.rate * args.seconds)
    ours, theirs = multiprocessing.Pipe()
    receiving = multiprocessing.get_context("fork").Process(target=_receive, args=(theirs,))
    receiving.start()
    port = ours.recv()
    with tempfile.TemporaryDirectory() as folder:
        url = _fresh_database(args.database_url, Path(folder))
        factory, org_id = _setup(url, f"http://127.0.0.1:{port}")
        producer = multiprocessing.get_context("fork").Process(
            target=_produce,
            args=(url, org_id),
            kwargs={"rate": args.rate, "total": total, "subjects": args.subjects},
        )
        worker = WebhookWorker(
            factory, WorkerOptions(development=True, batch=1000, concurrency=32, idle_s=0.02)
        )
        deadline = args.seconds * 3 + 30

        async def deliver() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(worker.run(stop))
            while time.perf_counter() - started < deadline:
                await asyncio.sleep(0.25)
                if await asyncio.to_thread(_delivered, factory) >= total:
                    break
            stop.set()
            await task

        started, cpu = time.perf_counter(), time.process_time()
        producer.start()
        asyncio.run(deliver())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        producer.join()
    ours.send("stop")
    arrivals: list[tuple[float, float]] = ours.recv()
    receiving.join()
    _report(arrivals, total=total, rate=args.rate, elapsed=elapsed, url=args.database_url)
    print(
        f"worker CPU {cpu:.1f} s, {cpu / max(len(arrivals), 1) * 1e6:.0f} us per delivered event "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def _report(
    arrivals: list[tuple[float, float]], *, total: int, rate: int, elapsed: float, url: str | None
) -> None:
    """Print the figures: published and delivered rates over the run's window, latency."""
    backend = "sqlite" if url is None else "postgresql"
    if not arrivals:
        print(f"webhooks ({backend}): nothing delivered in {elapsed:.1f} s")
        return
    got = len(arrivals)
    latencies = sorted(arrived - published for published, arrived in arrivals)
    first = min(published for published, _ in arrivals)
    published_for = max(published for published, _ in arrivals) - first
    delivered_for = max(arrived for _, arrived in arrivals) - first
    p50 = statistics.median(latencies)
    p99 = latencies[min(got - 1, int(got * 0.99))]
    print(
        f"webhooks ({backend}): {got}/{total} delivered; offered {rate}/s, published "
        f"{got / max(published_for, 1e-9):.0f}/s over {published_for:.1f} s, delivered "
        f"{got / max(delivered_for, 1e-9):.0f} events/s (first publish to last delivery "
        f"{delivered_for:.1f} s); publish->delivered p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
