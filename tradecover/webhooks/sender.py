"""Sending one webhook: resolve, check the addresses, connect to the checked one, sign, POST.

The host is resolved once, here; every answer must pass :mod:`tradecover.webhooks.targets`
and the request goes to the checked address itself (the URL names the IP, the ``Host``
header and TLS SNI name the host, so the certificate is still checked against the host
name).  A second DNS answer, as in a rebinding attack, is never asked for.  Redirects are
not followed and environment proxies are ignored.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable

import httpx

from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed
from tradecover.webhooks import signing
from tradecover.webhooks.relay import DueDelivery, Outcome
from tradecover.webhooks.targets import TargetRefused, parse_url, pick_address

Resolver = Callable[[str, int], Awaitable[list[str]]]
USER_AGENT = "tradecover-webhooks/1"


async def resolve_host(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host`` (IP literals pass through)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def new_client(*, timeout_s: float, connections: int = 200) -> httpx.AsyncClient:
    """The HTTP client of a worker: pooled, no redirects, no proxies from the environment."""
    return httpx.AsyncClient(
        timeout=timeout_s,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def send(
    client: httpx.AsyncClient,
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
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    body = due.body.encode()
    headers = signing.headers(due.secrets, due.event_id, int(attempted_at.timestamp()), body)
    headers |= {"content-type": "application/json", "host": host_header, "user-agent": USER_AGENT}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        response = await client.post(
            f"{target.scheme}://{literal}:{target.port}{target.path}",
            content=body,
            headers=headers,
            extensions=extensions,
        )
    except httpx.HTTPError as error:
        return done(error=f"{type(error).__name__}: {error}"[:300])
    return done(status_code=response.status_code, response=response.text[:1000])
