"""Security headers on every response: the API, its docs, the dashboard, errors included.

:class:`SecurityHeaders` is the outermost middleware. It adds, unless the route set its
own, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and a
``Content-Security-Policy``: nothing at all for the API's JSON, the dashboard's policy
(same origin only) for pages, and for the interactive API docs exactly what their page
needs (the docs page and its OAuth2 redirect page): its inline scripts by hash and the
hosts its scripts, styles and images come from.
Behind TLS (the ``behind_tls`` setting) it also sends ``Strict-Transport-Security``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_ASSET = re.compile(rb"""(?:src|href)\s*=\s*["'](https?://[^"'/]+)""", re.I)
_API_PREFIXES = ("/api/", "/openapi.json", "/health")


def docs_csp(page: bytes) -> str:
    """A policy that lets the docs page run: its own inline scripts (by SHA-256), scripts,
    styles and images from the hosts it names, its API description from this origin.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
        if script.strip()
    ]
    hosts = sorted({urlsplit(m.decode("latin-1")).geturl() for m in _ASSET.findall(page)})
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", *hashes, *hosts],
        "style-src": ["'self'", "'unsafe-inline'", *hosts],
        "img-src": ["'self'", "data:", *hosts],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeaders:
    """ASGI middleware: the security headers of every response (see the module)."""

    def __init__(self, app: ASGIApp, *, docs_paths: tuple[str, ...], behind_tls: bool) -> None:
        self.app, self.docs_paths = app, frozenset(docs_paths)
        self.hsts = [(b"strict-transport-security", HSTS.encode())] if behind_tls else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response of one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in self.docs_paths:
            await self._docs(scope, receive, send)
            return
        csp = API_CSP if path.startswith(_API_PREFIXES) else PAGE_CSP
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", csp.encode()),
            (b"referrer-policy", b"same-origin"),
            *self.hsts,
        ]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = _with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, sending)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the docs page until its body is known, then send it with its policy."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def holding(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = b"".join(chunks)
            extra = [
                (b"x-content-type-options", b"nosniff"),
                (b"content-security-policy", docs_csp(page).encode()),
                (b"referrer-policy", b"same-origin"),
                *self.hsts,
            ]
            await send(_with_headers(start, extra))
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, holding)


def _with_headers(message: Message, extra: list[tuple[bytes, bytes]]) -> Message:
    """``message`` with each header of ``extra`` the response did not set itself."""
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in extra if pair[0] not in present)
    return {**message, "headers": headers}
