"""Use cases of access: organisations, users, API keys, and turning credentials into principals."""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access.model import ApiKey, Organisation, User
from tradecover.access.principal import Principal
from tradecover.access.repository import readable_by
from tradecover.access.roles import OrganisationKind, Permission, Role, check_role_for_kind
from tradecover.access.secrets import (
    api_key_prefix,
    generate_api_key,
    hash_api_key,
    hash_password,
)
from tradecover.access.sessions import (  # re-exported: the credential lookups live here
    principal_from_token as principal_from_token,
)
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from tradecover.reference.countries import check_country

INSURER_SLUG = "insurer"
SYSTEM_CLI = "system:cli"
USER_LOCALES = ("en", "zh_Hans", "zh_Hant", "ko")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


def org_by_slug(session: Session, slug: str) -> Organisation:
    """The organisation with ``slug`` or :class:`NotFound`."""
    org = session.execute(
        select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()
    if org is None:
        raise NotFound(f"no organisation with slug {slug!r}", code="organisation_not_found")
    return org


def insurer(session: Session) -> Organisation:
    """The insurer organisation that every migrated database has."""
    return org_by_slug(session, INSURER_SLUG)


def system_principal(session: Session, *, actor: str = SYSTEM_CLI) -> Principal:
    """An insurer administrator principal for the CLI and scheduled jobs."""
    org = insurer(session)
    return Principal(
        actor=actor,
        org_id=org.id,
        org_slug=org.slug,
        org_kind=OrganisationKind.INSURER,
        role=Role.ADMIN,
    )


def create_organisation(
    session: Session,
    *,
    principal: Principal,
    slug: str,
    name: str,
    kind: OrganisationKind,
    country: str | None = None,
    region: str | None = None,
) -> Organisation:
    """Register an organisation (insurer admin only)."""
    principal.require(Permission.ORG_ADMIN)
    if not _SLUG.match(slug):
        raise ValidationFailed(
            "slug must be 3-64 lowercase letters, digits or hyphens",
            code="invalid_slug",
            field="slug",
        )
    if kind is OrganisationKind.INSURER:
        raise ValidationFailed(
            "there is exactly one insurer organisation", code="second_insurer", field="kind"
        )
    if country is not None:
        check_country(country, field="country")
    exists = session.execute(select(Organisation.id).where(Organisation.slug == slug)).first()
    if exists:
        raise Conflict(f"organisation {slug!r} already exists", code="organisation_exists")
    org = Organisation(
        slug=slug, name=name, kind=kind.value, country=country, region=region, created_at=utc_now()
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        org_id=org.id,
        actor=principal.actor,
        action="organisation.created",
        entity_type="organisation",
        entity_id=org.id,
        after={
            "slug": slug,
            "name": name,
            "kind": kind.value,
            "country": country,
            "region": region,
        },
    )
    return org


def create_user(
    session: Session,
    *,
    principal: Principal,
    org: Organisation,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    locale: str = "en",
) -> User:
    """Add a person to an organisation with one role."""
    principal.require(Permission.ORG_ADMIN)
    check_role_for_kind(role, OrganisationKind(org.kind))
    if len(password) < 8:
        raise ValidationFailed(
            "password must have at least 8 characters", code="weak_password", field="password"
        )
    email = email.strip().lower()
    if session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(f"a user with e-mail {email} exists", code="user_exists")
    user = User(
        org_id=org.id,
        email=email,
        full_name=full_name,
        role=role.value,
        password_hash=hash_password(password),
        locale=locale,
        active=True,
        created_at=utc_now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        org_id=org.id,
        actor=principal.actor,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        after={"email": email, "role": role.value},
    )
    return user


def create_api_key(
    session: Session,
    *,
    principal: Principal,
    org: Organisation,
    role: Role,
    name: str,
) -> tuple[ApiKey, str]:
    """Create an API key for a system of ``org``; the secret is returned once, never stored."""
    principal.require(Permission.APIKEY_ADMIN)
    check_role_for_kind(role, OrganisationKind(org.kind))
    new = generate_api_key()
    key = ApiKey(
        org_id=org.id,
        name=name,
        role=role.value,
        prefix=new.prefix,
        key_hash=new.key_hash,
        created_at=utc_now(),
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        org_id=org.id,
        actor=principal.actor,
        action="apikey.created",
        entity_type="api_key",
        entity_id=key.id,
        after={"name": name, "role": role.value, "prefix": new.prefix},
    )
    return key, new.secret


def revoke_api_key(session: Session, *, principal: Principal, key_id: int) -> ApiKey:
    """Revoke a key; it stops working at once."""
    principal.require(Permission.APIKEY_ADMIN)
    key = session.execute(
        readable_by(principal, ApiKey).where(ApiKey.id == key_id)
    ).scalar_one_or_none()
    if key is None:
        raise NotFound(f"no API key {key_id}", code="api_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        audit.record(
            session,
            org_id=key.org_id,
            actor=principal.actor,
            action="apikey.revoked",
            entity_type="api_key",
            entity_id=key.id,
            after={"revoked": True},
        )
    return key


def _principal(org: Organisation, *, actor: str, role: str, user_id: int | None) -> Principal:
    return Principal(
        actor=actor,
        org_id=org.id,
        org_slug=org.slug,
        org_kind=OrganisationKind(org.kind),
        role=Role(role),
        user_id=user_id,
    )


def principal_from_api_key(session: Session, secret: str) -> Principal:
    """Resolve an ``X-API-Key`` to a principal, or :class:`AuthenticationFailed`."""
    return principal_of_key_rows(api_key_rows(session, secret), secret)


def api_key_rows(session: Session, secret: str) -> Sequence[Sequence[Any]]:
    """The rows of :data:`API_KEY_LOOKUP` for the key ``secret`` presents (at most one)."""
    # one statement, built once, plain rows: this runs on every API request
    return session.connection().execute(API_KEY_LOOKUP, {"prefix": api_key_prefix(secret)}).all()


def principal_of_key_rows(rows: Sequence[Sequence[Any]], secret: str) -> Principal:
    """The principal of the rows of :data:`API_KEY_LOOKUP` (at most one: the prefix is
    unique) presented with ``secret``, or :class:`AuthenticationFailed` (no such key,
    another key with that prefix, or a revoked one).
    """
    if not rows:
        raise AuthenticationFailed("unknown API key", code="invalid_api_key")
    key_id, key_hash, revoked_at, role, org_id, slug, kind = rows[0]
    if not hmac.compare_digest(key_hash, hash_api_key(secret)):
        raise AuthenticationFailed("unknown API key", code="invalid_api_key")
    if revoked_at is not None:
        raise AuthenticationFailed("API key revoked", code="api_key_revoked")
    return Principal(
        actor=f"apikey:{key_id}",
        org_id=org_id,
        org_slug=slug,
        org_kind=OrganisationKind(kind),
        role=Role(role),
        user_id=None,
    )


API_KEY_LOOKUP = (
    select(
        ApiKey.id,
        ApiKey.key_hash,
        ApiKey.revoked_at,
        ApiKey.role,
        ApiKey.org_id,
        Organisation.slug,
        Organisation.kind,
    )
    .join(Organisation, Organisation.id == ApiKey.org_id)
    .where(ApiKey.prefix == bindparam("prefix"))
)
"""An API key's row with its organisation, by the key's prefix."""


def set_locale(session: Session, *, principal: Principal, locale: str) -> User:
    """Remember the signed-in person's language (``en``, ``zh_Hans``, ``zh_Hant``, ``ko``)."""
    if principal.user_id is None:
        raise ValidationFailed("only a person has a language", code="not_a_user")
    if locale not in USER_LOCALES:
        raise ValidationFailed(
            f"unsupported language {locale!r}", code="unsupported_locale", field="locale"
        )
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound(f"no user {principal.user_id}", code="user_not_found")
    if user.locale != locale:
        before = user.locale
        user.locale = locale
        audit.record(
            session,
            org_id=user.org_id,
            actor=principal.actor,
            action="user.locale_changed",
            entity_type="user",
            entity_id=user.id,
            before={"locale": before},
            after={"locale": locale},
        )
    return user
