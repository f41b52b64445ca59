"""Organisations as the other contexts read them, and the tenant scope of access's own rows.

Other contexts never load :mod:`tradecover.access.model`; they ask for
:class:`OrganisationFacts` (:func:`organisation_of`, :func:`organisations_of`,
:func:`list_organisations`).  :func:`readable_by` is the one place access scopes a query to
what a principal may see (insurer staff: every organisation; others: their own).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from tradecover.access.model import ApiKey, Organisation, User
from tradecover.access.principal import Principal
from tradecover.access.roles import OrganisationKind

_Row = TypeVar("_Row", ApiKey, User)


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    """What another context may know of an organisation."""

    id: int
    slug: str
    name: str
    kind: OrganisationKind
    country: str | None
    region: str | None


def _facts(org: Organisation) -> OrganisationFacts:
    return OrganisationFacts(
        org.id, org.slug, org.name, OrganisationKind(org.kind), org.country, org.region
    )


def organisation_of(session: Session, org_id: int) -> OrganisationFacts | None:
    """The organisation ``org_id``, or None when there is none."""
    org = session.get(Organisation, org_id)
    return None if org is None else _facts(org)


def organisations_of(session: Session, org_ids: Iterable[int]) -> dict[int, OrganisationFacts]:
    """The organisations among ``org_ids`` that exist, by id, in one query."""
    wanted = sorted(set(org_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Organisation).where(Organisation.id.in_(wanted))).scalars()
    return {org.id: _facts(org) for org in rows}


def list_organisations(session: Session) -> list[OrganisationFacts]:
    """Every organisation, by id (for the operator's CLI)."""
    rows = session.execute(select(Organisation).order_by(Organisation.id)).scalars()
    return [_facts(org) for org in rows]


def readable_by(principal: Principal, model: type[_Row]) -> Select[_Row]:
    """``select(model)`` narrowed to the rows ``principal`` may see, by their ``org_id``."""
    query = select(model)
    if principal.is_insurer:
        return query
    return query.where(model.org_id == principal.org_id)


def count_organisations(session: Session, *, kind: OrganisationKind) -> int:
    """How many organisations of ``kind`` there are."""
    return int(
        session.execute(
            select(func.count()).select_from(Organisation).where(Organisation.kind == kind.value)
        ).scalar_one()
    )


def organisation_ids_like(pattern: str) -> Select[int]:
    """The ids of the organisations whose name or slug, lower-cased, is ``LIKE pattern``:
    a subquery for another context's search, so that the search stays one query.
    """
    return select(Organisation.id).where(
        or_(
            func.lower(Organisation.name).like(pattern), func.lower(Organisation.slug).like(pattern)
        )
    )


def active_people_of(
    session: Session, org_id: int, *, excluding: Select[int]
) -> list[tuple[str, str]]:
    """E-mail and locale of the organisation's active users, by user id, but those whose
    id ``excluding`` (a subquery of user ids) selects.
    """
    rows = session.execute(
        select(User.email, User.locale)
        .where(User.org_id == org_id, User.active.is_(True), User.id.not_in(excluding))
        .order_by(User.id)
    ).all()
    return [(str(email), str(locale)) for email, locale in rows]


def has_user(session: Session, email: str) -> bool:
    """True when a person signs in with ``email``."""
    return session.execute(select(User.id).where(User.email == email)).first() is not None


def organisations_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, OrganisationFacts]:
    """The organisations among ``slugs`` that exist, by slug, in one query."""
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    rows = session.execute(select(Organisation).where(Organisation.slug.in_(wanted))).scalars()
    return {org.slug: _facts(org) for org in rows}
