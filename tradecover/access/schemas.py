"""API shapes of access: tokens, organisations, users and API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from tradecover.access.roles import OrganisationKind, Role
from tradecover.kit.inputs import InputModel


class TokenOut(BaseModel):
    """An OAuth2 access token."""

    access_token: str
    token_type: str = "bearer"


class MeOut(BaseModel):
    """The signed-in caller."""

    actor: str
    organisation: str
    organisation_kind: OrganisationKind
    role: Role


class OrganisationIn(InputModel):
    """A new organisation."""

    model_config = ConfigDict(extra="forbid")
    slug: str = Field(min_length=3, max_length=64, examples=["zhejiang-silk-exports"])
    name: str = Field(min_length=1, max_length=200, examples=["Zhejiang Silk Exports Co."])
    kind: OrganisationKind
    country: str | None = Field(default=None, min_length=2, max_length=2, examples=["CN"])
    region: str | None = Field(default=None, max_length=16, examples=["CN-ZJ"])


class OrganisationOut(BaseModel):
    """An organisation."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    kind: OrganisationKind
    country: str | None
    region: str | None
    created_at: datetime


class UserIn(InputModel):
    """A new user of an organisation."""

    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=8, max_length=200)
    locale: str = Field(default="en", pattern=r"^(en|zh_Hans|zh_Hant|ko)$")


class UserOut(BaseModel):
    """A user (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    email: str
    full_name: str
    role: Role
    locale: str
    active: bool


class ApiKeyIn(InputModel):
    """A new API key for a system of an organisation."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, examples=["ERP connector"])
    role: Role


class ApiKeyOut(BaseModel):
    """An API key; ``secret`` is present only in the answer that created it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    secret: str | None = None


class SessionOut(BaseModel):
    """A sign-in session of a person (never its token)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    client_address: str | None
    user_agent: str | None
    current: bool = Field(default=False, description="The session of the calling token")


class SessionsRevokedOut(BaseModel):
    """How many live sessions a revocation ended."""

    revoked: int
