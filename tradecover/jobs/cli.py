"""CLI of jobs: ``tradecover jobs worker`` runs the jobs sent over NATS JetStream."""

from __future__ import annotations

import asyncio
import signal

import typer

from tradecover.cli.context import console
from tradecover.config import get_settings
from tradecover.db.engine import make_engine, make_session_factory
from tradecover.jobs import JobWorker, Queue
from tradecover.wiring import register_job_kinds

app = typer.Typer(help="Jobs: the worker.", no_args_is_help=True)


@app.command("worker")
def worker() -> None:
    """Run jobs until stopped (Ctrl-C, SIGTERM)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    register_job_kinds()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        console.print("jobs worker running; Ctrl-C stops it")
        await JobWorker(
            make_session_factory(engine),
            Queue(url=settings.nats_address, stream=settings.jobs_stream),
        ).run(stop)

    try:
        asyncio.run(run())
    finally:
        engine.dispose()
