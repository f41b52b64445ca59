"""Request dependencies: the unit of work (transaction per request) and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from tradecover.access import service as access
from tradecover.access.principal import Principal
from tradecover.config import Settings
from tradecover.kit.errors import AuthenticationFailed

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="A system's API key")
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    token: Annotated[str | None, Security(_bearer)] = None,
) -> Principal:
    """The caller, from an ``X-API-Key`` header, a bearer token or the web session cookie."""
    if api_key:
        return access.principal_from_api_key(session, api_key)
    cookie = request.cookies.get("tc_session")
    bearer = token or cookie
    if bearer:
        return access.principal_from_token(session, bearer,
                                           key=get_settings(request).signing_key())
    raise AuthenticationFailed("sign in or send an X-API-Key header", code="unauthenticated")


PrincipalDep = Annotated[Principal, Depends(get_principal)]
