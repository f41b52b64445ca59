"""RFC 9457 problem+json responses; the one place domain errors become HTTP answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError as DBAPIDataError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradecover.kit.errors import DomainError, TooManyAttempts

PROBLEM_MEDIA_TYPE = "application/problem+json"
DATABASE_RETRY_AFTER_S = 2
"""Seconds a client is asked to wait (``Retry-After``) before retrying a request answered
503 ``database_unavailable``: the app recovers as soon as the database answers again."""


class FieldError(BaseModel):
    """One invalid input field."""

    field: str = Field(examples=["body.indemnity_commercial_pct"])
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details with a stable machine-readable ``code``."""

    type: str = Field(default="about:blank")
    title: str
    status: int
    code: str = Field(description="Stable machine-readable error code", examples=["not_found"])
    detail: str
    field: str | None = None
    errors: list[FieldError] | None = None


def problem_response(
    *,
    status: int,
    code: str,
    detail: str,
    title: str | None = None,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://tradecover.dev/problems/{code}",
        "title": title or code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if field is not None:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


MACHINE_PATHS = ("/api/", "/openapi.json", "/health", "/static/")
"""Paths that always answer problem+json, whatever the client accepts."""

ProblemPage = Callable[..., Response]
"""``(request, *, status, code) -> Response``: the HTML page a browser gets for a problem
(``app.state.problem_page``, installed by the app factory from the web adapter)."""


def wants_html(request: Request) -> bool:
    """Whether a browser asked for a dashboard page (``text/html`` accepted, and not a
    path machines call): it then gets the HTML error page, API clients problem+json.
    """
    path = request.url.path
    if path == "/api" or any(path.startswith(p) for p in MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def for_client(request: Request, response: JSONResponse) -> Response:
    """``response`` as it is, or the HTML error page when a browser asked for a page."""
    page: ProblemPage | None = getattr(request.app.state, "problem_page", None)
    if page is None or not wants_html(request):
        return response
    code = json.loads(bytes(response.body)).get("code", "internal_error")
    return page(request, status=response.status_code, code=str(code))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem response (an HTML
    page for browsers on dashboard paths, see :func:`for_client`).
    """

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return for_client(request, response_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return for_client(request, _invalid_response(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
            401: "unauthenticated",
            403: "forbidden",
            400: "bad_request",
        }
        return for_client(
            request,
            problem_response(
                status=exc.status_code,
                code=codes.get(exc.status_code, "http_error"),
                detail=str(exc.detail),
                headers=getattr(exc, "headers", None),
            ),
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DBAPIDataError)
    @app.exception_handler(psycopg.DataError)
    @app.exception_handler(OperationalError)
    @app.exception_handler(psycopg.OperationalError)  # raised by pipelined statements
    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        return for_client(request, response_for(exc))


def _invalid_response(exc: RequestValidationError) -> JSONResponse:
    """422 naming the first invalid field (400 for a body that is not JSON)."""
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(
            status=400, code="malformed_json", detail="the request body is not valid JSON"
        )
    errors = [
        {
            "field": _field_path(e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in raw
    ]
    field = errors[0]["field"] if errors else None
    message = errors[0]["message"] if errors else "invalid request"
    detail = f"{field}: {message}" if field else message
    return problem_response(
        status=422, code="invalid_request", detail=detail, field=field, errors=errors
    )


def response_for(exc: Exception) -> JSONResponse:
    """The problem response of an error a route raised (domain errors by their status and
    code; database collisions 409, an unreachable database 503; anything else 500).
    """
    if isinstance(exc, DomainError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem_response(
            status=exc.status, code=exc.code, detail=exc.message, field=exc.field, headers=headers
        )
    if isinstance(exc, OverflowError):
        return problem_response(
            status=422, code="number_out_of_range", detail="a number in the request is out of range"
        )
    if isinstance(exc, DBAPIDataError | psycopg.DataError):  # the driver's own: pipelines
        return problem_response(
            status=422,
            code="value_out_of_range",
            detail="a value in the request cannot be stored (out of range)",
        )
    if isinstance(exc, OperationalError | psycopg.OperationalError):
        if is_collision(exc):
            return problem_response(
                status=409,
                code="concurrent_update",
                detail="the request collided with concurrent work and changed nothing; retry it",
            )
        return problem_response(
            status=503,
            code="database_unavailable",
            detail="the database cannot be reached; nothing was changed, retry later",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )
    return problem_response(
        status=500,
        code="internal_error",
        detail="an unexpected error occurred; nothing was changed",
    )


COLLISION_SQLSTATES = frozenset({"40001", "40P01"})
"""Serialization failure and deadlock: the transaction was rolled back; a retry may pass."""


def is_collision(exc: OperationalError | psycopg.OperationalError) -> bool:
    """Whether a database error (SQLAlchemy's, or the driver's own from pipelined
    statements) is a collision with concurrent work that a retry may get past.
    """
    orig = exc.orig if isinstance(exc, OperationalError) else exc
    return getattr(orig, "sqlstate", None) in COLLISION_SQLSTATES


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "description": text,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, text in {
        400: "Malformed request",
        401: "Not authenticated",
        403: "Role not allowed",
        404: "Not found (or not yours)",
        409: "Conflict with the current state",
        413: "Body too large",
        422: "Invalid input",
        503: "The database cannot be reached (database_unavailable): nothing was changed; "
        "retry after the Retry-After header's seconds",
    }.items()
}
PROBLEM_RESPONSES[503]["headers"] = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}
