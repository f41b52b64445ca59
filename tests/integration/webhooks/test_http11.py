"""The worker's keep-alive client against receivers that close, chunk or stall."""

from __future__ import annotations

import asyncio

import pytest

from tradecover.webhooks.http11 import ExchangeFailed, KeepAliveClient


async def _serve(answer: bytes, *, close: bool) -> tuple[asyncio.Server, list[bytes]]:
    """A receiver answering ``answer`` to each request, closing after it when ``close``."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            seen.append(await reader.readexactly(length))
            writer.write(answer)
            await writer.drain()
            if close:
                writer.close()
                return

    return await asyncio.start_server(handle, "127.0.0.1", 0), seen


def test_a_kept_connection_the_receiver_closed_is_replaced_once() -> None:
    async def go() -> None:
        server, seen = await _serve(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close=True)
        port = server.sockets[0].getsockname()[1]
        client = KeepAliveClient(timeout_s=5)
        origin = ("http", "127.0.0.1", port, "localhost")
        first = await client.post(origin, "/in", {"host": "localhost"}, b"one")
        await asyncio.sleep(0)  # the receiver's close reaches us while the connection is kept
        second = await client.post(origin, "/in", {"host": "localhost"}, b"two")
        await client.aclose()
        server.close()
        assert (first.status_code, first.text, second.status_code) == (200, "ok", 200)
        assert seen == [b"one", b"two"]

    asyncio.run(go())


def test_a_chunked_answer_is_read_and_its_connection_kept() -> None:
    async def go() -> None:
        chunked = (
            b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        )
        server, seen = await _serve(chunked, close=False)
        port = server.sockets[0].getsockname()[1]
        client = KeepAliveClient(timeout_s=5)
        origin = ("http", "127.0.0.1", port, "localhost")
        answers = [await client.post(origin, "/", {"host": "h"}, b"x") for _ in range(3)]
        kept = len(client._idle[origin])
        await client.aclose()
        server.close()
        assert [(a.status_code, a.text) for a in answers] == [(202, "abc")] * 3
        assert kept == 1 and len(seen) == 3

    asyncio.run(go())


def test_no_answer_within_the_timeout_fails_the_exchange() -> None:
    async def go() -> None:
        async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(65536)
            await asyncio.sleep(5)

        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = KeepAliveClient(timeout_s=0.1)
        with pytest.raises(ExchangeFailed, match="no answer"):
            await client.post(("http", "127.0.0.1", port, "h"), "/", {"host": "h"}, b"x")
        await client.aclose()
        server.close()

    asyncio.run(go())
