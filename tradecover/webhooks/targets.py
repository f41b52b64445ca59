"""Where a webhook may go: https URLs on public addresses only (SSRF rules).

An endpoint URL must be ``https``; in development mode ``http`` is allowed, to hosts that
resolve to loopback addresses only.  At delivery time every address the host resolves to
must be a public (globally routable) unicast address: private, loopback, link-local,
shared (CGNAT), multicast, reserved and unspecified addresses are refused, IPv4-mapped
IPv6 addresses are judged by their IPv4 address.  Loopback is allowed in development mode
only.  The connection is then made to the checked address, never to a second DNS answer.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from tradecover.kit.errors import ValidationFailed

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """A delivery target breaks the SSRF rules (the delivery fails, never connects)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed endpoint URL."""

    scheme: str
    host: str
    port: int
    path: str


def parse_url(url: str, *, development: bool) -> Target:
    """Parse and check an endpoint URL's form (the address is checked at delivery)."""
    if len(url) > 2048:
        raise ValidationFailed("a webhook URL is at most 2048 characters", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationFailed("not a URL", field="url") from error
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parts.fragment:
        raise ValidationFailed(
            "a webhook URL names a host, with no credentials or fragment", field="url"
        )
    if parts.scheme == "http":
        if not development:  # and then to loopback only: checked after DNS, at delivery
            raise ValidationFailed(
                "webhook URLs are https (http only to loopback in development mode)", field="url"
            )
    elif parts.scheme != "https":
        raise ValidationFailed("webhook URLs are https", field="url")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def check_address(address: Address, *, development: bool) -> None:
    """Raise :class:`TargetRefused` unless a webhook may connect to ``address``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        if development:
            return
        raise TargetRefused(f"{address} is a loopback address")
    if (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    ):
        raise TargetRefused(f"{address} is not a public address")


def pick_address(target: Target, resolved: list[str], *, development: bool) -> Address:
    """The address to connect to: every resolved address must pass (one bad answer
    refuses the target, so that a name cannot mix public and private answers).
    """
    if not resolved:
        raise TargetRefused(f"{target.host} does not resolve")
    addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolved]
    for address in addresses:
        check_address(address, development=development)
    if target.scheme == "http" and not all(a.is_loopback for a in addresses):
        raise TargetRefused("http goes to loopback only")
    return addresses[0]
