"""Reads of the directory: organisations, their people and API keys, for the pages and the API.

Each read is one query; the callers check the permission first (``Permission.ORG_READ``,
``ORG_ADMIN``, ``APIKEY_ADMIN``) and :func:`visible_organisation` scopes an organisation
to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.access.model import ApiKey, Organisation, User
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind
from tradecover.kit.errors import NotFound


@dataclass(frozen=True, slots=True)
class SignedInPerson:
    """What the pages show of a signed-in person: their language and organisation."""

    locale: str | None
    organisation_name: str


def signed_in_person(session: Session, principal: Principal) -> SignedInPerson | None:
    """The person and organisation behind a session's principal (None when either is gone)."""
    if principal.user_id is None:
        return None
    user = session.get(User, principal.user_id)
    org = session.get(Organisation, principal.org_id)
    if user is None or org is None:
        return None
    return SignedInPerson(locale=user.locale, organisation_name=org.name)


def organisation_names(session: Session, org_ids: set[int]) -> dict[int, str]:
    """The names of these organisations, by id (for a list's exporter column)."""
    if not org_ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    )
    return {row.id: row.name for row in rows}


def organisation_name(session: Session, org_id: int) -> str | None:
    """The name of one organisation, or None when there is none with that id."""
    org = session.get(Organisation, org_id)
    return org.name if org is not None else None


def exporters(session: Session) -> list[tuple[int, str]]:
    """Every exporter as (id, name), by name (for an insurer's filter)."""
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.EXPORTER.value)
        .order_by(Organisation.name, Organisation.id)
    )
    return [(row.id, row.name) for row in rows]


def list_organisations(
    session: Session,
    *,
    principal: Principal,
    kind: OrganisationKind | None,
    limit: int,
    offset: int,
) -> tuple[list[Organisation], int]:
    """One page of the organisations the caller may see (insurer staff: all; others:
    their own), by id, and how many there are in all.
    """
    query = select(Organisation)
    if not principal.is_insurer:
        query = query.where(Organisation.id == principal.org_id)
    if kind is not None:
        query = query.where(Organisation.kind == kind.value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Organisation.id).limit(limit).offset(offset)).scalars()
    return list(rows), total


def visible_organisation(session: Session, principal: Principal, org_id: int) -> Organisation:
    """The organisation ``org_id`` if the caller may see it; 404 otherwise (either way)."""
    org = session.get(Organisation, org_id)
    if org is None or not principal.can_see_org(org.id):
        raise NotFound(f"no organisation {org_id}", code="organisation_not_found")
    return org


def users_of(session: Session, org_id: int) -> list[User]:
    """The people of an organisation, by id."""
    return list(
        session.execute(select(User).where(User.org_id == org_id).order_by(User.id)).scalars()
    )


def api_keys_of(session: Session, org_id: int) -> list[ApiKey]:
    """The API keys of an organisation (revoked ones included), by id."""
    return list(
        session.execute(select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.id)).scalars()
    )
