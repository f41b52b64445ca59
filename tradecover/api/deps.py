"""Request dependencies: the unit of work (transaction per request) and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.api import consent_reads
from tradecover.config import Settings
from tradecover.kit.errors import AuthenticationFailed

SESSION_COOKIE = "tc_session"
"""The dashboard's session cookie: it carries the same token as a bearer header."""

api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="A system's API key")
"""The ``X-API-Key`` header, as a security scheme (for routes that read the caller
themselves, with :func:`current_principal`)."""

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
"""The ``Authorization: Bearer`` token, as a security scheme."""


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def session_dependency(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        consent_reads.end(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(session_dependency, scope="function")]


def current_principal(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str | None, Security(api_key_scheme)] = None,
    token: Annotated[str | None, Security(bearer_scheme)] = None,
) -> Principal:
    """The caller, from an ``X-API-Key`` header, a bearer token or the web session cookie
    (once per request: the consent guard of reads may have asked first).
    """
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    principal = _authenticate(request, session, api_key, token)
    request.state.principal = principal
    consent_reads.begin(request, session, principal)
    return principal


def _authenticate(
    request: Request, session: Session, api_key: str | None, token: str | None
) -> Principal:
    if api_key:
        return access.principal_from_api_key(session, api_key)
    cookie = request.cookies.get(SESSION_COOKIE)
    bearer = token or cookie
    if bearer:
        return access.principal_from_token(session, bearer, key=get_settings(request).signing_key())
    raise AuthenticationFailed("sign in or send an X-API-Key header", code="unauthenticated")


PrincipalDep = Annotated[Principal, Depends(current_principal)]
