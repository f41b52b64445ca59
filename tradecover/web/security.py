"""The dashboard's guard against cross-site requests: one check for every page route.

:class:`CsrfProtection` runs before routing for every request outside ``/api/``. It gives
the browser a ``tc_csrf`` nonce when it has none, computes the request's form token for
the templates (:mod:`tradecover.web.csrf`), and refuses a state-changing request (POST,
PUT, PATCH, DELETE) with 403 when

- the browser says it came from another site (``Sec-Fetch-Site: cross-site`` or
  ``same-site``), or its ``Origin`` is not this host (``null`` included); or
- its form carries no ``csrf_token``, or one that does not match the nonce cookie and
  the session cookie.

A browser gets the dashboard's error page in its language, any other client a problem
response (``csrf_failed``). Nothing reaches the route, so nothing is written. The
``/api/`` routes authenticate by header (API key or bearer token), which a foreign site
cannot send, and are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradecover.api import problems
from tradecover.api.deps import SESSION_COOKIE
from tradecover.web import csrf, i18n

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIXES = ("/api/", "/openapi.json", "/health")  # no cookies, nothing a form posts
_FOREIGN_FETCH_SITES = {b"cross-site", b"same-site"}


class CsrfProtection:
    """ASGI middleware: issue the nonce, expose the token, check state-changing requests."""

    def __init__(self, app: ASGIApp, *, signing_key: Callable[[], str], secure: bool) -> None:
        self.app, self.signing_key, self.secure = app, signing_key, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard one request (page routes only)."""
        if scope["type"] != "http" or scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        cookies = _cookies(headers.get(b"cookie"))
        nonce = cookies.get(csrf.CSRF_COOKIE)
        fresh = not csrf.is_nonce(nonce)
        if fresh:
            nonce = csrf.new_nonce()
        assert nonce is not None
        token = csrf.form_token(
            nonce=nonce, session_cookie=cookies.get(SESSION_COOKIE), signing_key=self.signing_key()
        )
        csrf.set_current(token)
        if scope["method"] in UNSAFE_METHODS:
            reason = _foreign(headers)
            body, receive = await _buffered(receive)
            if reason is None and (
                fresh or not csrf.tokens_match(token, await _form_token(scope, headers, body))
            ):
                reason = "the form's csrf_token is missing or does not match"
            if reason is not None:
                await self._refuse(scope, headers, cookies, reason)(scope, receive, send)
                return
        await self.app(scope, receive, self._with_cookie(send, nonce) if fresh else send)

    def _with_cookie(self, send: Send, nonce: str) -> Send:
        cookie = f"{csrf.CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax" + (
            "; Secure" if self.secure else ""
        )

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"set-cookie", cookie.encode("latin-1")),
                    ],
                }
            await send(message)

        return sending

    def _refuse(
        self, scope: Scope, headers: dict[bytes, bytes], cookies: dict[str, str], reason: str
    ) -> Response:
        accept = headers.get(b"accept", b"").decode("latin-1")
        if "text/html" not in accept:
            return problems.problem_response(
                status=403, code="csrf_failed", detail=f"cross-site request refused: {reason}"
            )
        locale = (
            i18n.normalise(cookies.get(i18n.LOCALE_COOKIE))
            or i18n.from_accept_language(
                headers.get(b"accept-language", b"").decode("latin-1") or None
            )
            or i18n.DEFAULT_LOCALE
        )
        path = scope["path"]
        page = i18n.render(
            locale,
            "error.html",
            {
                "status": 403,
                "csrf_refused": True,
                "code": "csrf_failed",
                "viewer": None,
                "request_path": path,
                "current_url": path,
            },
        )
        return HTMLResponse(page, status_code=403, headers={"Cache-Control": "no-store"})


def _cookies(raw: bytes | None) -> dict[str, str]:
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed Cookie header carries no usable nonce
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _foreign(headers: dict[bytes, bytes]) -> str | None:
    """Why the browser's own headers say this request came from another site, or None."""
    if headers.get(b"sec-fetch-site", b"").lower() in _FOREIGN_FETCH_SITES:
        return "the browser marks it as sent from another site (Sec-Fetch-Site)"
    origin = headers.get(b"origin")
    if origin is None:
        return None
    host = _without_default_port(headers.get(b"host", b"").decode("latin-1").lower())
    try:
        sent_from = urlsplit(origin.decode("latin-1").lower())
    except ValueError:
        return "its Origin header is malformed"
    if (
        sent_from.scheme not in ("http", "https")
        or _without_default_port(sent_from.netloc) != host
        or not host
    ):
        return "its Origin is another site"
    return None


def _without_default_port(netloc: str) -> str:
    for suffix in (":80", ":443"):
        if netloc.endswith(suffix):
            return netloc[: -len(suffix)]
    return netloc


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body (the outer size limit bounds it) and a receive that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _form_token(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str | None:
    """The ``csrf_token`` field of a urlencoded or multipart form body, if any."""
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        found = values.get(csrf.CSRF_FIELD)
        return found[0] if found else None
    if kind != b"multipart/form-data":
        return None
    sent = False

    async def once() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request(scope, receive=once)
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body carries no token
        return None
    try:
        value = form.get(csrf.CSRF_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()
