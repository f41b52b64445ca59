"""Sending one webhook: resolve, check the addresses, connect to the checked one, sign, POST.

The host is resolved here, once per claimed batch; every answer must pass
:mod:`tradecover.webhooks.targets` and the request goes to the checked address itself (the
connection is made to the IP; the ``Host`` header and TLS SNI name the host, so the
certificate is still checked against the host name).  A second DNS answer, as in a
rebinding attack, is never asked for.  Redirects are not followed and no proxy is used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable

from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed
from tradecover.webhooks import signing
from tradecover.webhooks.http11 import ExchangeFailed, KeepAliveClient
from tradecover.webhooks.relay import DueDelivery, Outcome
from tradecover.webhooks.targets import TargetRefused, parse_url, pick_address

Resolver = Callable[[str, int], Awaitable[list[str]]]
USER_AGENT = "tradecover-webhooks/1"


async def resolve_host(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host`` (IP literals pass through)."""
    literal = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(literal.split("%")[0]))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class BatchResolver:
    """Resolves each host once per claimed batch (still at delivery time): the batch's
    deliveries to one host share one DNS answer, and the next batch asks again.
    """

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        self._asked: dict[tuple[str, int], asyncio.Future[list[str]]] = {}

    async def __call__(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``, asked once for this batch."""
        key = (host, port)
        if key not in self._asked:
            self._asked[key] = asyncio.ensure_future(self.resolve(host, port))
        return list(await asyncio.shield(self._asked[key]))


def new_client(*, timeout_s: float, connections: int = 200) -> KeepAliveClient:
    """The HTTP client of a worker: kept-alive connections, no redirects, no proxies."""
    return KeepAliveClient(timeout_s=timeout_s, keep=connections)


async def send(
    client: KeepAliveClient,
    due: DueDelivery,
    *,
    development: bool,
    resolve: Resolver = resolve_host,
) -> Outcome:
    """Attempt ``due`` once; every failure becomes an :class:`Outcome`, never an exception."""
    attempted_at = utc_now()
    started = time.perf_counter()

    def done(**found: object) -> Outcome:
        took = int((time.perf_counter() - started) * 1000)
        return Outcome(
            delivery_id=due.delivery_id,
            attempted_at=attempted_at,
            duration_ms=took,
            **found,  # type: ignore[arg-type]
        )

    try:
        target = parse_url(due.url, development=development)
        address = pick_address(
            target, await resolve(target.host, target.port), development=development
        )
    except (ValidationFailed, TargetRefused) as refused:
        return done(error=f"refused: {refused}")
    except OSError as error:
        return done(error=f"DNS: {error}")
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    body = due.body.encode()
    headers = signing.headers(due.secrets, due.event_id, int(attempted_at.timestamp()), body)
    headers = {"host": host_header, "user-agent": USER_AGENT} | headers
    headers["content-type"] = "application/json"
    origin = (target.scheme, str(address), target.port, target.host)
    try:
        answer = await client.post(origin, target.path, headers, body)
    except ExchangeFailed as error:
        return done(error=str(error)[:300])
    return done(status_code=answer.status_code, response=answer.text[:1000])
