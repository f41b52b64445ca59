"""``POST /api/v1/declarations`` for an ERP system whose API key this process remembers:
answered as plain ASGI, ahead of FastAPI's routing.

The ERP API is the hottest route there is (every shipment of every exporter
throughput aim); for a small request FastAPI's routing, dependency solving and response
machinery cost several times the attachment itself.  This endpoint takes the requests
that need none of it: a remembered API key (:class:`~tradecover.access.known_keys.KnownApiKeys`,
confirmed by the database in the attachment's first round trip), an ``Idempotency-Key``
and a JSON body that validates.  It is a thin adapter over the very same edge function as
the documented route (:func:`tradecover.declarations.api.declare`, on the attachment shell
and the store the app chose at start-up, in a worker thread on a session of its own) and
answers its errors with the same problem responses
(:func:`tradecover.api.problems.response_for`).  Everything else (the
first request of a key, a bearer token, a missing key, a body that does not validate,
SQLite) goes on to the route, untouched, so that its answers stay FastAPI's own.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradecover.access import KnownApiKeys, Principal
from tradecover.api.problems import response_for
from tradecover.declarations.api import Caller, declare
from tradecover.declarations.attachment.repository import AttachmentStore
from tradecover.declarations.schemas import BatchIn, ShipmentIn
from tradecover.idempotency import MAX_KEY_LENGTH
from tradecover.kit.dates import business_today

PATH = "/api/v1/declarations"

_log = logging.getLogger(__name__)

_BODY: TypeAdapter[ShipmentIn | BatchIn] = TypeAdapter(ShipmentIn | BatchIn)


class ErpDeclarations:
    """ASGI middleware: the ERP declaration requests it can take, answered; the rest passed
    on to ``app``.  ``known`` is ``None`` where keys are not remembered (SQLite).  A request
    runs :func:`~tradecover.declarations.api.declare` in a worker thread on a ``factory``
    session with ``store``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        factory: sessionmaker[Session] | None,
        known: KnownApiKeys | None,
        store: AttachmentStore | None,
    ) -> None:
        self.app, self.known, self._factory, self._store = app, known, factory, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the request, or pass it on."""
        if (
            self.known is None
            or scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
        ):
            await self.app(scope, receive, send)
            return
        api_key = idempotency_key = content_type = None
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                api_key = value.decode("latin-1")
            elif name == b"idempotency-key":
                idempotency_key = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value
        principal = self.known.principal(api_key) if api_key else None
        if (
            principal is None
            or api_key is None
            or idempotency_key is None
            or len(idempotency_key) > MAX_KEY_LENGTH
            or content_type is None
            or not content_type.startswith(b"application/json")
        ):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        try:
            shipment_or_batch = _BODY.validate_json(body)
        except ValidationError:  # the route answers it, in FastAPI's words
            await self.app(scope, _replay(body, more, receive), send)
            return
        try:
            status, answer, replayed = await run_in_threadpool(
                self._declare, principal, api_key, shipment_or_batch, idempotency_key
            )
        except Exception as exc:  # every failure becomes a problem answer, as in the route
            problem = response_for(exc)
            if problem.status_code >= 500:
                _log.exception("POST %s failed", PATH)
            await send(
                {
                    "type": "http.response.start",
                    "status": problem.status_code,
                    "headers": problem.raw_headers,
                }
            )
            await send({"type": "http.response.body", "body": problem.body})
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(answer)).encode()),
        ]
        if replayed:
            headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def _declare(
        self, principal: Principal, api_key: str, body: ShipmentIn | BatchIn, key: str
    ) -> tuple[int, bytes, bool]:
        """The route's use case, on a session of its own."""
        assert self.known is not None
        assert self._factory is not None
        assert self._store is not None
        with self._factory() as session:
            return declare(
                Caller(session, principal, unconfirmed_key=api_key, known=self.known),
                body,
                key,
                business_today(),
                self._store,
            )


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and any message that came after it (a disconnect)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, more: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then goes on with ``receive``."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *more]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        message: Any = await receive()
        return message  # type: ignore[no-any-return]

    return replayed
