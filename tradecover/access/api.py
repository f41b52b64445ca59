"""HTTP routes of access: sign-in, the caller, organisations, users and API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from tradecover.access import directory_repository as directory
from tradecover.access import service, sessions
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind, Permission
from tradecover.access.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    SessionOut,
    SessionsRevokedOut,
    TokenOut,
    UserIn,
    UserOut,
)
from tradecover.api.deps import PrincipalDep, SessionDep, get_settings
from tradecover.api.pagination import IdPath, Page, PageDep
from tradecover.config import Settings
from tradecover.kit.errors import ValidationFailed

router = APIRouter(prefix="/api/v1", tags=["access"])


@router.post(
    "/auth/token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow)",
    responses={
        429: {
            "description": "Too many failed sign-ins: the account or the "
            "client address is locked (see Retry-After)"
        }
    },
)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: Annotated[Settings, Depends(get_settings)],
) -> TokenOut:
    """Exchange e-mail (as ``username``) and password for a bearer token naming a new
    session. Failures are counted per e-mail address and per client address; a locked
    one answers 429 with ``Retry-After``, the right password included.
    """
    outcome = sessions.attempt_sign_in(
        session,
        email=form.username,
        password=form.password,
        client_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        key=settings.signing_key(),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
        limits=sessions.sign_in_limits(settings),
    )
    if outcome.refusal is not None:
        session.commit()  # the failure counters and lockout entries outlive the refusal
        raise outcome.refusal
    assert outcome.token is not None
    return TokenOut(access_token=outcome.token)


@router.post("/auth/sign-out", status_code=204, summary="Sign out (end this token's session)")
def sign_out(session: SessionDep, principal: PrincipalDep) -> Response:
    """End the session of the calling bearer token: the token stops working at once."""
    if principal.session_id is None:
        raise ValidationFailed("only a signed-in person has a session to end", code="not_a_session")
    sessions.revoke_session(
        session, principal=principal, session_id=principal.session_id, reason="signed out"
    )
    return Response(status_code=204)


def _session_out(row: object, principal: Principal) -> SessionOut:
    """A session row as the API shows it (``current``: the caller's own)."""
    out = SessionOut.model_validate(row)
    out.current = out.id == principal.session_id
    return out


@router.get("/me/sessions", response_model=list[SessionOut], summary="My live sessions")
def my_sessions(session: SessionDep, principal: PrincipalDep) -> list[SessionOut]:
    """The caller's live sessions, newest first (``current`` marks this token's); a
    system calling with an API key has none.
    """
    if principal.user_id is None:
        return []
    rows = sessions.list_sessions(session, principal=principal, user_id=principal.user_id)
    return [_session_out(r, principal) for r in rows]


@router.get(
    "/users/{user_id}/sessions", response_model=list[SessionOut], summary="Sessions of a person"
)
def user_sessions(
    user_id: IdPath,
    session: SessionDep,
    principal: PrincipalDep,
    include_ended: Annotated[bool, Query(description="Also revoked and expired ones")] = False,
) -> list[SessionOut]:
    """A person's sessions, newest first (the person, or an admin who may see them)."""
    rows = sessions.list_sessions(
        session, principal=principal, user_id=user_id, include_ended=include_ended
    )
    return [_session_out(r, principal) for r in rows]


@router.delete(
    "/users/{user_id}/sessions",
    response_model=SessionsRevokedOut,
    summary="End every session of a person",
)
def revoke_user_sessions(
    user_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> SessionsRevokedOut:
    """End all live sessions of a person at once (an admin, or the person)."""
    count = sessions.revoke_all_sessions(
        session, principal=principal, user_id=user_id, reason="all sessions revoked"
    )
    return SessionsRevokedOut(revoked=count)


@router.delete("/sessions/{session_id}", status_code=204, summary="End one session")
def revoke_session(session_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    """End one session at once (its owner, or an admin who may see its person)."""
    sessions.revoke_session(
        session, principal=principal, session_id=session_id, reason="session revoked"
    )
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, summary="Who am I")
def me(principal: PrincipalDep) -> MeOut:
    """The caller's organisation and role."""
    return MeOut(
        actor=principal.actor,
        organisation=principal.org_slug,
        organisation_kind=principal.org_kind,
        role=principal.role,
    )


@router.get("/organisations", response_model=Page[OrganisationOut], summary="List organisations")
def list_organisations(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    kind: OrganisationKind | None = None,
) -> Page[OrganisationOut]:
    """Insurer staff see all organisations; others only their own."""
    principal.require(Permission.ORG_READ)
    rows, total = directory.list_organisations(
        session, principal=principal, kind=kind, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[OrganisationOut.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=201,
    summary="Register an organisation",
)
def create_organisation(
    body: OrganisationIn, session: SessionDep, principal: PrincipalDep
) -> OrganisationOut:
    """Register an exporter, bank, subsidy programme or co-insurer (insurer admin)."""
    org = service.create_organisation(
        session,
        principal=principal,
        slug=body.slug,
        name=body.name,
        kind=body.kind,
        country=body.country,
        region=body.region,
    )
    return OrganisationOut.model_validate(org)


@router.get("/organisations/{org_id}", response_model=OrganisationOut, summary="One organisation")
def get_organisation(
    org_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> OrganisationOut:
    """An organisation the caller may see."""
    principal.require(Permission.ORG_READ)
    org = directory.visible_organisation(session, principal, org_id)
    return OrganisationOut.model_validate(org)


@router.get("/organisations/{org_id}/users", response_model=list[UserOut], summary="Users")
def list_users(org_id: IdPath, session: SessionDep, principal: PrincipalDep) -> list[UserOut]:
    """The people of an organisation (admins only)."""
    principal.require(Permission.ORG_ADMIN)
    org = directory.visible_organisation(session, principal, org_id)
    rows = directory.users_of(session, org.id)
    return [UserOut.model_validate(r) for r in rows]


@router.post(
    "/organisations/{org_id}/users", response_model=UserOut, status_code=201, summary="Add a user"
)
def create_user(
    org_id: IdPath, body: UserIn, session: SessionDep, principal: PrincipalDep
) -> UserOut:
    """Add a person with one role to an organisation (insurer admin)."""
    principal.require(Permission.ORG_ADMIN)
    org = directory.visible_organisation(session, principal, org_id)
    user = service.create_user(
        session,
        principal=principal,
        org=org,
        email=str(body.email),
        full_name=body.full_name,
        role=body.role,
        password=body.password,
        locale=body.locale,
    )
    return UserOut.model_validate(user)


@router.post(
    "/organisations/{org_id}/api-keys",
    response_model=ApiKeyOut,
    status_code=201,
    summary="Create an API key",
)
def create_api_key(
    org_id: IdPath, body: ApiKeyIn, session: SessionDep, principal: PrincipalDep
) -> ApiKeyOut:
    """Create a key for a system; the secret appears in this answer only."""
    principal.require(Permission.APIKEY_ADMIN)
    org = directory.visible_organisation(session, principal, org_id)
    key, secret = service.create_api_key(
        session, principal=principal, org=org, role=body.role, name=body.name
    )
    out = ApiKeyOut.model_validate(key)
    out.secret = secret
    return out


@router.get(
    "/organisations/{org_id}/api-keys",
    response_model=list[ApiKeyOut],
    summary="API keys of an organisation",
)
def list_api_keys(org_id: IdPath, session: SessionDep, principal: PrincipalDep) -> list[ApiKeyOut]:
    """Keys (never their secrets)."""
    principal.require(Permission.APIKEY_ADMIN)
    org = directory.visible_organisation(session, principal, org_id)
    rows = directory.api_keys_of(session, org.id)
    return [ApiKeyOut.model_validate(r) for r in rows]


@router.delete("/api-keys/{key_id}", status_code=204, summary="Revoke an API key")
def revoke_api_key(key_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke a key at once."""
    service.revoke_api_key(session, principal=principal, key_id=key_id)
    return Response(status_code=204)
