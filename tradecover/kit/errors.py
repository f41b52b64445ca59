"""Domain errors: typed, named for the condition, each with a stable machine-readable code.

Every error the domain raises derives from :class:`DomainError`.  The edges translate
them once: the HTTP layer to an RFC 9457 problem response with ``status`` and ``code``,
the CLI to a message and an exit code.  The hierarchy::

    DomainError                      400 (generic bad request)
    ├── ValidationFailed             422 input is well-formed but breaks a rule
    ├── NotFound                     404 unknown id, or an id of another organisation
    ├── Conflict                     409 state does not allow the action now
    │   └── IllegalTransition        409 a lifecycle state machine refused a move
    ├── PermissionDenied             403 the caller's role may not do this
    └── AuthenticationFailed         401 no or bad credential
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every domain error: a stable ``code``, an HTTP-ish ``status`` and a message."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.details = details or {}


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a business rule (HTTP 422)."""

    status = 422
    default_code = "validation_failed"


class NotFound(DomainError):
    """The object does not exist, or belongs to another organisation (HTTP 404)."""

    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The current state does not allow the action (HTTP 409)."""

    status = 409
    default_code = "conflict"


class IllegalTransition(Conflict):
    """A lifecycle refused to move from one state to another (HTTP 409)."""

    default_code = "illegal_transition"


class PermissionDenied(DomainError):
    """The caller is authenticated but its role may not do this (HTTP 403)."""

    status = 403
    default_code = "forbidden"


class AuthenticationFailed(DomainError):
    """No credential, or one that is invalid, expired or revoked (HTTP 401)."""

    status = 401
    default_code = "unauthenticated"


class TooManyAttempts(DomainError):
    """Too many failures in a row: refused until ``retry_after`` seconds pass (HTTP 429)."""

    status = 429
    default_code = "too_many_attempts"

    def __init__(
        self, message: str, *, retry_after: int, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message, code=code, field=field, details={"retry_after": retry_after})
        self.retry_after = retry_after
