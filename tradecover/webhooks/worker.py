"""The webhook worker: relay the outbox, claim due deliveries, send them, record outcomes.

One asyncio loop per process.  The database work (sync SQLAlchemy, short transactions)
runs in a thread; the sends of a batch run concurrently over one pooled httpx client.
Several workers may run at once on PostgreSQL (the claims skip each other's rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.engine import transaction
from tradecover.kit.dates import utc_now
from tradecover.webhooks.http11 import KeepAliveClient
from tradecover.webhooks.relay import (
    DueDelivery,
    Outcome,
    claim_due,
    record_outcomes,
    relay_outbox,
)
from tradecover.webhooks.sender import BatchResolver, Resolver, new_client, resolve_host, send


@dataclass
class WorkerOptions:
    """How a worker runs: batch sizes, concurrency, development mode, health."""

    development: bool = False
    batch: int = 500
    concurrency: int = 200
    timeout_s: float = 10.0
    disable_after: timedelta = timedelta(days=5)
    idle_s: float = 0.05  # the outbox is looked at this often when it was empty
    retry_poll_s: float = 0.5  # due retries are looked for this often when nothing is relayed
    lanes: int = 2  # claim-send-record loops at once: one sends while another records
    rng: random.Random = field(default_factory=random.Random)


class WebhookWorker:
    """Moves events from the outbox to the receivers, batch by batch."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        options: WorkerOptions,
        *,
        resolve: Resolver = resolve_host,
        client: KeepAliveClient | None = None,
    ) -> None:
        self.factory, self.options, self.resolve = factory, options, resolve
        self.client = client or new_client(
            timeout_s=options.timeout_s, connections=options.concurrency
        )
        self._gate = asyncio.Semaphore(options.concurrency)

    def _relay(self) -> int:
        with transaction(self.factory) as session:
            return relay_outbox(session, now=utc_now(), limit=self.options.batch)

    def _claim(self) -> list[DueDelivery]:
        with transaction(self.factory) as session:
            return claim_due(session, now=utc_now(), limit=self.options.batch)

    def _record(self, claimed: Sequence[DueDelivery], outcomes: Sequence[Outcome]) -> None:
        with transaction(self.factory) as session:
            record_outcomes(
                session,
                claimed,
                outcomes,
                now=utc_now(),
                disable_after=self.options.disable_after,
                rng=self.options.rng,
            )

    async def _send(self, due: DueDelivery, resolve: Resolver) -> Outcome:
        async with self._gate:
            return await send(
                self.client, due, development=self.options.development, resolve=resolve
            )

    async def _send_batch(self, claimed: Sequence[DueDelivery]) -> list[Outcome]:
        resolve = BatchResolver(self.resolve)
        return list(await asyncio.gather(*(self._send(d, resolve) for d in claimed)))

    async def run_once(self) -> int:
        """One round: relay, claim, send, record; return how many things moved."""
        relayed = await asyncio.to_thread(self._relay)
        claimed = await asyncio.to_thread(self._claim)
        if claimed:
            outcomes = await self._send_batch(claimed)
            await asyncio.to_thread(self._record, claimed, outcomes)
        return relayed + len(claimed)

    async def drain(self, *, rounds: int = 100) -> None:
        """Run rounds until nothing is left to move (tests, the CLI's ``--once``)."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def run(self, stop: asyncio.Event) -> None:
        """Relay and deliver until ``stop`` is set: one relay loop and ``lanes`` delivery
        loops.  The relay looks at the outbox every ``idle_s`` while it is empty and wakes
        the delivery loops when it made deliveries; otherwise they look for due retries
        every ``retry_poll_s`` (an idle worker costs a few queries a second).
        """
        relayed = asyncio.Event()

        async def relaying() -> int:
            moved = await asyncio.to_thread(self._relay)
            if moved:
                relayed.set()
            return moved

        async def delivering() -> int:
            claimed = await asyncio.to_thread(self._claim)
            if claimed:
                outcomes = await self._send_batch(claimed)
                await asyncio.to_thread(self._record, claimed, outcomes)
            return len(claimed)

        async def loop(
            step: Callable[[], Awaitable[int]], wake: asyncio.Event, wait: float
        ) -> None:
            while not stop.is_set():
                wake.clear()  # before the step: a wake-up during it is not lost
                if await step():
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), wait)

        async def stopping() -> None:
            await stop.wait()
            relayed.set()
            paused.set()

        paused = asyncio.Event()  # the relay's pause: only a stop ends it early
        try:
            await asyncio.gather(
                stopping(),
                loop(relaying, paused, self.options.idle_s),
                *(
                    loop(delivering, relayed, self.options.retry_poll_s)
                    for _ in range(self.options.lanes)
                ),
            )
        finally:
            await self.client.aclose()

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()
