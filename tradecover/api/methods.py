"""405 Method Not Allowed with the right ``Allow`` header (RFC 9110 15.5.6).

Starlette answers a known path called with another method from the first route whose path
matches, so a resource served by two routes (``GET`` and ``POST`` of ``/api/v1/buyers``)
advertised only one of them. Here the answer lists every method of every route with the
same path template, as problem+json (``method_not_allowed``); ``HEAD`` comes with ``GET``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from tradecover.api.problems import problem_response


def methodical_routes(routes: Iterable[BaseRoute]) -> Iterator[Any]:
    """Every route that has methods (API, page and plain routes), included routers walked."""
    for route in routes:
        if getattr(route, "methods", None) is not None and hasattr(route, "path"):
            yield route
        original = getattr(route, "original_router", None)
        if original is not None:  # an included router (FastAPI resolves them lazily)
            yield from methodical_routes(original.routes)


def allowed_methods(routes: Iterable[BaseRoute], scope: dict[str, Any]) -> list[str]:
    """The methods of the resource ``scope`` addresses: those of every route sharing the
    path template of the first route whose path matches (sorted; empty when none does).
    """
    candidates = list(methodical_routes(routes))
    template: str | None = None
    for route in candidates:
        match, _ = route.matches({**scope, "method": next(iter(route.methods))})
        if match is Match.FULL:
            template = route.path
            break
    if template is None:
        return []
    methods: set[str] = set()
    for route in candidates:
        if route.path == template:
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Answer 405 with an ``Allow`` header naming the resource's methods."""

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        allow = allowed_methods(app.router.routes, dict(request.scope))
        return problem_response(
            status=405,
            code="method_not_allowed",
            detail=f"{request.method} is not allowed on this resource"
            + (f" (allowed: {', '.join(allow)})" if allow else ""),
            headers={"Allow": ", ".join(allow)},
        )
