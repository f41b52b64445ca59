"""The webhook worker's HTTP/1.1 client: keep-alive connections over asyncio, h11 framing.

A worker sends hundreds of small POSTs a second to few receivers; httpx's pool spent
over a millisecond of CPU on each (its pool scans every connection per request), which
capped a worker near 200 events/s on two cores.  This client keeps idle connections per
(scheme, checked address, port, host name) and reuses the last one put back; h11 frames
the messages (content-length, chunked, close-delimited answers) and TLS is the standard
library's (certificate checked against the host name, which is also the SNI name).
Connections are made to the address the caller checked, never to a fresh DNS answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field

import h11

Origin = tuple[str, str, int, str]  # scheme, address, port, host name
MAX_KEPT = 1000  # bytes of an answer kept for the attempt's record


class ExchangeFailed(Exception):
    """The request got no complete answer (connection, TLS, protocol or timeout)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A receiver's answer: its status and the start of its body."""

    status_code: int
    text: str


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    protocol: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))

    def close(self) -> None:
        self.writer.close()


class KeepAliveClient:
    """POSTs over pooled HTTP/1.1 connections; one per worker, closed with :meth:`aclose`."""

    def __init__(self, *, timeout_s: float, keep: int = 200) -> None:
        self.timeout_s, self.keep = timeout_s, keep
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls = ssl.create_default_context()

    async def post(
        self, origin: Origin, path: str, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        """POST ``body`` to ``path`` at ``origin``; raise :class:`ExchangeFailed` when no
        answer comes within the timeout.  A kept connection that the receiver closed
        meanwhile is retried once on a new one.
        """
        try:
            async with asyncio.timeout(self.timeout_s):
                pooled = self._idle.get(origin)
                if pooled:
                    connection = pooled.pop()
                    try:
                        return await self._exchange(origin, connection, path, headers, body)
                    except (ConnectionError, h11.RemoteProtocolError, ExchangeFailed):
                        pass  # closed while idle: try once more on a new connection
                connection = await self._open(origin)
                return await self._exchange(origin, connection, path, headers, body)
        except TimeoutError as error:
            raise ExchangeFailed(f"no answer within {self.timeout_s:g} s") from error
        except (OSError, h11.ProtocolError) as error:
            raise ExchangeFailed(f"{type(error).__name__}: {error}") from error

    async def _open(self, origin: Origin) -> _Connection:
        scheme, address, port, host = origin
        if scheme == "https":
            reader, writer = await asyncio.open_connection(
                address, port, ssl=self._tls, server_hostname=host
            )
        else:
            reader, writer = await asyncio.open_connection(address, port)
        return _Connection(reader, writer)

    async def _exchange(
        self,
        origin: Origin,
        connection: _Connection,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        protocol = connection.protocol
        try:
            fields = [(k, v) for k, v in headers.items()]
            fields.append(("content-length", str(len(body))))
            wire = protocol.send(h11.Request(method="POST", target=path, headers=fields))
            wire = (wire or b"") + (protocol.send(h11.Data(data=body)) or b"")
            connection.writer.write(wire + (protocol.send(h11.EndOfMessage()) or b""))
            await connection.writer.drain()
            status, kept = 0, bytearray()
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    protocol.receive_data(await connection.reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    kept += event.data[: max(0, MAX_KEPT - len(kept))]
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise ExchangeFailed("the receiver closed the connection")
        except BaseException:
            connection.close()
            raise
        self._put_back(origin, connection)
        return Answer(status, kept.decode("utf-8", "replace"))

    def _put_back(self, origin: Origin, connection: _Connection) -> None:
        protocol = connection.protocol
        reusable = protocol.our_state is h11.DONE and protocol.their_state is h11.DONE
        idle = self._idle.setdefault(origin, [])
        if reusable and len(idle) < self.keep:
            protocol.start_next_cycle()
            idle.append(connection)
        else:
            connection.close()

    async def aclose(self) -> None:
        """Close every kept connection."""
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
                with contextlib.suppress(Exception):
                    await connection.writer.wait_closed()
        self._idle.clear()
