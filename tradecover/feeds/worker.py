"""The attachment worker: takes documents off the stream and attaches each exactly once.

Workers share one durable pull consumer.  For each fetched batch a worker runs
:func:`tradecover.feeds.service.receive` on every message in one transaction (in a thread:
the database work is synchronous), commits, and only then acknowledges the messages (and
waits for the server to confirm the acks); a batch that fails is taken again message by
message, each in a transaction of its own.  Delivery is at least once: a worker killed between
the commit and the ack, or a message redelivered after ``ack_wait``, finds its row by
message id and is acknowledged again; two workers racing on one document meet at the
unique dedup key, and the loser's transaction (its declaration included) rolls back and
is retried, then finds the winner's row.  A message that fails on its last allowed
delivery is quarantined ``processing_failed`` rather than redelivered for ever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nats.errors import TimeoutError as NatsTimeout
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.engine import transaction
from tradecover.feeds.batch_repository import receive_many
from tradecover.feeds.service import (
    AttachDocument,
    ConsentRule,
    CorrectDeclaration,
    Received,
    receive,
    record_failure,
)
from tradecover.feeds.stream.consent import may_receive
from tradecover.feeds.stream.envelope import Envelope, EnvelopeInvalid
from tradecover.feeds.stream.nats_stream import (
    StreamSettings,
    connect,
    consumer_config,
    ensure_stream,
)

if TYPE_CHECKING:
    from nats.aio.msg import Msg

_log = logging.getLogger(__name__)
RETRIES_ON_CONFLICT = 3
"""Transactions retried at once when a concurrent worker wrote the same keys first."""


@dataclass
class WorkerStats:
    """What a worker did so far."""

    attached: int = 0
    duplicates: int = 0
    quarantined: int = 0
    other: int = 0
    failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def count(self, received: Received) -> None:
        """Count one processed message."""
        if received.duplicate:
            self.duplicates += 1
        elif received.status == "attached":
            self.attached += 1
        elif received.status == "quarantined":
            self.quarantined += 1
        else:
            self.other += 1
        self.statuses[received.status] = self.statuses.get(received.status, 0) + 1

    @property
    def processed(self) -> int:
        """Messages acknowledged."""
        return self.attached + self.duplicates + self.quarantined + self.other


class Worker:
    """One attachment worker on the durable consumer of ``settings``."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: StreamSettings,
        *,
        attach: AttachDocument,
        consent: ConsentRule = may_receive,
        batch: int = 10,
        on_message: Callable[[Received], None] | None = None,
        retry_delay_seconds: float = 1.0,
        correct: CorrectDeclaration | None = None,
    ) -> None:
        self.factory, self.settings, self.attach, self.consent = factory, settings, attach, consent
        self.correct = correct
        self.batch, self.on_message = batch, on_message
        self.retry_delay_seconds = retry_delay_seconds
        self.stats = WorkerStats()

    def process(self, envelope: Envelope) -> Received:
        """Receive one envelope in a transaction of its own (committed on return)."""
        for attempt in range(RETRIES_ON_CONFLICT + 1):
            try:
                with transaction(self.factory) as session:
                    return receive(
                        session,
                        envelope,
                        attach=self.attach,
                        consent=self.consent,
                        correct=self.correct,
                    )
            except (IntegrityError, OperationalError):
                # a concurrent worker committed the same message or document first (unique
                # keys), or held SQLite's write lock: the next attempt finds its row
                if attempt == RETRIES_ON_CONFLICT:
                    raise
        raise AssertionError("unreachable")

    def process_many(self, envelopes: list[Envelope]) -> list[Received]:
        """Receive a fetched batch in one transaction (committed on return); any failure
        rolls the whole batch back, and the caller takes its messages one by one.
        """
        with transaction(self.factory) as session:
            return receive_many(
                session, envelopes, attach=self.attach, consent=self.consent, correct=self.correct
            )

    def quarantine_failed(self, envelope: Envelope, error: BaseException) -> Received:
        """Quarantine a message that failed on its last delivery."""
        with transaction(self.factory) as session:
            return record_failure(session, envelope, f"{type(error).__name__}: {error}")

    async def handle(self, message: Msg) -> None:
        """Process one message, then acknowledge it (or ask for a redelivery)."""
        try:
            envelope = Envelope.of_message(message.headers, message.data)
        except EnvelopeInvalid as error:
            _log.warning("dropping a message that is not a feed envelope: %s", error)
            await message.term()
            return
        try:
            received = await asyncio.to_thread(self.process, envelope)
        except Exception as error:
            delivered = message.metadata.num_delivered or 1
            if delivered < self.settings.max_deliver:
                _log.warning(
                    "message %s failed (delivery %d): %s", envelope.message_id, delivered, error
                )
                self.stats.failed += 1
                backoff = self.retry_delay_seconds * 2.0 ** (delivered - 1)
                await message.nak(delay=min(backoff, 60.0))
                return
            try:
                received = await asyncio.to_thread(self.quarantine_failed, envelope, error)
            except Exception as failure:  # the database is away: nothing more to try
                _log.error(
                    "message %s failed on its last delivery and could not be quarantined: %s",
                    envelope.message_id,
                    failure,
                )
                self.stats.failed += 1
                return
        try:
            await message.ack_sync()
        except Exception as failure:  # committed: the redelivery will find the row
            _log.warning("acknowledging message %s failed: %s", envelope.message_id, failure)
        self.stats.count(received)
        if self.on_message is not None:
            self.on_message(received)

    async def handle_many(self, messages: list[Msg]) -> None:
        """Process a fetched batch in one transaction, then acknowledge every message; a
        batch that fails is handled message by message (:meth:`handle`: its retries,
        redeliveries and quarantine).
        """
        taken: list[tuple[Msg, Envelope]] = []
        for message in messages:
            try:
                taken.append((message, Envelope.of_message(message.headers, message.data)))
            except EnvelopeInvalid as error:
                _log.warning("dropping a message that is not a feed envelope: %s", error)
                await message.term()
        if not taken:
            return
        try:
            received = await asyncio.to_thread(self.process_many, [e for _, e in taken])
        except Exception as error:  # a conflict or a bad document: one by one
            _log.warning("batch of %d failed (%s): one by one", len(taken), error)
            for message, _ in taken:
                await self.handle(message)
            return
        acks = await asyncio.gather(
            *(message.ack_sync() for message, _ in taken), return_exceptions=True
        )
        for ack in acks:
            if isinstance(ack, BaseException):  # committed: the redelivery finds the row
                _log.warning("acknowledging a message failed: %s", ack)
        for item in received:
            self.stats.count(item)
            if self.on_message is not None:
                self.on_message(item)

    async def run(
        self,
        *,
        stop: asyncio.Event | None = None,
        idle_exit_seconds: float | None = None,
        fetch_timeout: float = 1.0,
    ) -> None:
        """Consume until ``stop`` is set (or, with ``idle_exit_seconds``, until the stream
        has had nothing for that long).
        """
        client = await connect(self.settings, reconnect=True)
        try:
            js = client.jetstream()
            await ensure_stream(js, self.settings)
            subscription = await js.pull_subscribe(
                consumer_config(self.settings).filter_subject or "",
                self.settings.consumer,
                stream=self.settings.stream,
                config=consumer_config(self.settings),
            )
            idle = 0.0
            while stop is None or not stop.is_set():
                try:
                    messages = await subscription.fetch(self.batch, timeout=fetch_timeout)
                except (NatsTimeout, TimeoutError):
                    idle += fetch_timeout
                    if idle_exit_seconds is not None and idle >= idle_exit_seconds:
                        return
                    continue
                idle = 0.0
                if len(messages) > 1:
                    await self.handle_many(messages)
                else:
                    for message in messages:
                        await self.handle(message)
        finally:
            await client.close()
