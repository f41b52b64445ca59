"""The JetStream side of the feeds: the stream, its publisher and its durable consumer.

Every received document is published on ``<prefix>.<source>.<exporter org id>`` into one
stream (file storage, limits retention) and waits there until an attachment worker of the
durable pull consumer acknowledges it (explicit ack, redelivered after ``ack_wait`` at most
``max_deliver`` times).  :class:`Publisher` publishes from synchronous code (the API's
routes, the CLI) through an event loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from tradecover.feeds.stream.envelope import Envelope, stream_subjects, subject_for

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js.client import JetStreamContext

    from tradecover.config import Settings

T = TypeVar("T")
CONNECT_TIMEOUT_S = 3


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """Where the stream is and how its consumer redelivers."""

    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    stream: str = "TRADECOVER_FEEDS"
    prefix: str = "tradecover.feeds"
    consumer: str = "attachment"
    max_deliver: int = 5
    ack_wait_seconds: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> StreamSettings:
        """The stream settings of the application's settings."""
        url = settings.nats_address
        return cls(
            servers=tuple(s.strip() for s in url.split(",") if s.strip()),
            stream=settings.feeds_stream,
            prefix=settings.feeds_subject_prefix,
            consumer=settings.feeds_consumer,
            max_deliver=settings.feeds_max_deliver,
            ack_wait_seconds=float(settings.feeds_ack_wait_seconds),
        )


class StreamUnavailable(Exception):
    """The NATS servers cannot be reached (the caller answers 503 or retries)."""


async def connect(settings: StreamSettings, *, reconnect: bool = False) -> Client:
    """A connection to the servers; :class:`StreamUnavailable` when none answers within
    seconds.  With ``reconnect`` (a long-running worker) a connection lost later is
    re-established.
    """

    async def _quiet(_error: Exception) -> None:
        return None  # a failed attempt: the outcome is raised below, or reconnected

    try:
        return await asyncio.wait_for(
            nats.connect(
                servers=list(settings.servers),
                connect_timeout=CONNECT_TIMEOUT_S,
                allow_reconnect=reconnect,
                max_reconnect_attempts=-1 if reconnect else 1,
                reconnect_time_wait=1,
                error_cb=_quiet,
            ),
            timeout=4 * CONNECT_TIMEOUT_S,
        )
    except Exception as error:  # nats-py raises several kinds when no server answers
        raise StreamUnavailable(
            f"no NATS server at {', '.join(settings.servers)}: {error}"
        ) from error


async def ensure_stream(js: JetStreamContext, settings: StreamSettings) -> None:
    """Create the stream where it does not exist yet."""
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=settings.stream,
                subjects=stream_subjects(settings.prefix),
                storage=StorageType.FILE,
            )
        )


def consumer_config(settings: StreamSettings) -> ConsumerConfig:
    """The durable pull consumer the attachment workers share."""
    return ConsumerConfig(
        durable_name=settings.consumer,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        max_deliver=settings.max_deliver,
        ack_wait=settings.ack_wait_seconds,
        filter_subject=stream_subjects(settings.prefix)[0],
    )


async def publish(js: JetStreamContext, settings: StreamSettings, envelope: Envelope) -> int:
    """Publish ``envelope``; returns its sequence number in the stream."""
    ack = await js.publish(
        subject_for(settings.prefix, envelope.source, envelope.exporter_org_id),
        envelope.content,
        stream=settings.stream,
        headers=envelope.headers(),
    )
    return int(ack.seq)


class Publisher:
    """Publishes envelopes from synchronous code, on a connection opened on first use."""

    def __init__(self, settings: StreamSettings) -> None:
        self.settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._lock = threading.Lock()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            threading.Thread(
                target=self._loop.run_forever, name="feeds-publisher", daemon=True
            ).start()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _jetstream(self) -> JetStreamContext:
        if self._client is None or not self._client.is_connected:
            self._client = await connect(self.settings)
            self._js = self._client.jetstream()
            await ensure_stream(self._js, self.settings)
        assert self._js is not None
        return self._js

    async def _publish(self, envelope: Envelope) -> int:
        js = await self._jetstream()
        try:
            return await publish(js, self.settings, envelope)
        except Exception as error:  # a lost server: the caller answers 503 or retries
            self._client = None
            raise StreamUnavailable(f"publishing failed: {error}") from error

    def publish(self, envelope: Envelope) -> int:
        """Publish ``envelope`` and wait for the stream's acknowledgement."""
        with self._lock:
            return self._run(self._publish(envelope))

    def close(self) -> None:
        """Close the connection and stop the publisher's loop."""
        with self._lock:
            if self._loop is None:
                return
            if self._client is not None:
                client, self._client = self._client, None
                self._run(client.close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop = None
