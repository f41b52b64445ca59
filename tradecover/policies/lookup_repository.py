"""Policies and exporter profiles as the other contexts look them up (no ORM rows leave)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.policies.model import ExporterProfile, Policy


@dataclass(frozen=True, slots=True)
class ExporterProfileFacts:
    """The profile facts another context may read: region, currency, last year's exports."""

    org_id: int
    region: str | None
    currency: str
    previous_year_exports_minor: int


def exporter_profiles_of(session: Session, org_ids: Iterable[int]
                         ) -> dict[int, ExporterProfileFacts]:
    """The profiles of the exporters among ``org_ids`` that have one, by organisation id."""
    wanted = sorted(set(org_ids))
    if not wanted:
        return {}
    rows = session.execute(select(ExporterProfile).where(ExporterProfile.org_id.in_(wanted)))
    return {p.org_id: ExporterProfileFacts(p.org_id, p.region, p.currency,
                                           int(p.previous_year_exports_minor))
            for p in rows.scalars()}


def policy_numbers_of(session: Session, policy_ids: Iterable[int]) -> dict[int, str | None]:
    """The number of each existing policy among ``policy_ids`` (None while unnumbered)."""
    wanted = sorted(set(policy_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Policy.id, Policy.number).where(Policy.id.in_(wanted)))
    return {int(i): n for i, n in rows}
