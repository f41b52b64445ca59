"""CLI of webhooks: ``tradecover webhooks worker`` relays the outbox and delivers."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from typing import Annotated

import typer

from tradecover.cli.context import console
from tradecover.config import get_settings
from tradecover.db.engine import make_engine, make_session_factory
from tradecover.webhooks import WebhookWorker, WorkerOptions

app = typer.Typer(help="Webhooks: the delivery worker.", no_args_is_help=True)


@app.command("worker")
def worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then stop")] = False,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Deliveries per round")] = 500,
    concurrency: Annotated[
        int, typer.Option(min=1, max=2000, help="Requests in flight at once")
    ] = 200,
) -> None:
    """Move outbox events to deliveries and send them until stopped (Ctrl-C, SIGTERM)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    options = WorkerOptions(
        development=settings.webhooks_development,
        batch=batch,
        concurrency=concurrency,
        timeout_s=settings.webhook_timeout_seconds,
        disable_after=timedelta(days=settings.webhook_disable_after_days),
    )

    async def run() -> None:
        runner = WebhookWorker(make_session_factory(engine), options)
        if once:
            try:
                await runner.drain()
            finally:
                await runner.close()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        console.print("webhooks worker running; Ctrl-C stops it")
        await runner.run(stop)

    try:
        asyncio.run(run())
    finally:
        engine.dispose()
