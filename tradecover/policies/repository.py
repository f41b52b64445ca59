"""Policies and exporter profiles as the other contexts look them up (no ORM rows leave)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.policies.model import ExporterProfile, Policy, RenewalOffer


@dataclass(frozen=True, slots=True)
class ExporterProfileFacts:
    """The profile facts another context may read: region, currency, last year's exports."""

    org_id: int
    region: str | None
    currency: str
    previous_year_exports_minor: int


def exporter_profiles_of(
    session: Session, org_ids: Iterable[int]
) -> dict[int, ExporterProfileFacts]:
    """The profiles of the exporters among ``org_ids`` that have one, by organisation id."""
    wanted = sorted(set(org_ids))
    if not wanted:
        return {}
    rows = session.execute(select(ExporterProfile).where(ExporterProfile.org_id.in_(wanted)))
    return {
        p.org_id: ExporterProfileFacts(
            p.org_id, p.region, p.currency, int(p.previous_year_exports_minor)
        )
        for p in rows.scalars()
    }


def policy_numbers_of(session: Session, policy_ids: Iterable[int]) -> dict[int, str | None]:
    """The number of each existing policy among ``policy_ids`` (None while unnumbered)."""
    wanted = sorted(set(policy_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Policy.id, Policy.number).where(Policy.id.in_(wanted)))
    return {int(i): n for i, n in rows}


def exporter_of_policy(session: Session, policy_id: int) -> int:
    """The exporter organisation insured by policy ``policy_id`` (which must exist)."""
    return int(
        session.execute(select(Policy.exporter_org_id).where(Policy.id == policy_id)).scalar_one()
    )


def renewal_chain_length(session: Session, policy_id: int) -> int:
    """How many consecutive terms the policy is in: 1 plus each policy it renews, back."""
    policy = session.get(Policy, policy_id)
    if policy is None:
        return 1
    years, seen, current = 1, {policy.id}, policy.renewal_of_id
    while current is not None and current not in seen and years < 100:
        seen.add(current)
        previous = session.get(Policy, current)
        if previous is None:
            break
        years, current = years + 1, previous.renewal_of_id
    return years


def lock_renewal_offer(session: Session, offer_id: int) -> None:
    """Lock the renewal offer's row for the rest of the transaction and reload it."""
    session.execute(
        select(RenewalOffer)
        .where(RenewalOffer.id == offer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


@dataclass(frozen=True, slots=True)
class PolicyTerm:
    """One term of an exporter's cover: the policy id and its dates."""

    id: int
    inception: date
    expiry: date


def active_terms_of(session: Session, exporter_org_id: int) -> list[PolicyTerm]:
    """The exporter's active policies, by inception then id."""
    rows = session.execute(
        select(Policy.id, Policy.inception, Policy.expiry)
        .where(Policy.exporter_org_id == exporter_org_id, Policy.state == "active")
        .order_by(Policy.inception, Policy.id)
    )
    return [PolicyTerm(int(i), start, end) for i, start, end in rows]


def commercial_indemnity_of(session: Session, policy_ids: Iterable[int]) -> dict[int, Decimal]:
    """The commercial-risk indemnity percentage of each existing policy among ``policy_ids``."""
    wanted = sorted(set(policy_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Policy.id, Policy.indemnity_commercial_pct).where(Policy.id.in_(wanted))
    )
    return {int(i): pct for i, pct in rows}


@dataclass(frozen=True, slots=True)
class InForceCover:
    """A policy in force with its exporter's reported main buyers."""

    policy_id: int
    currency: str
    scope: Any
    maximum_liability_minor: int
    expected_turnover_minor: int
    indemnity_commercial_pct: Decimal
    main_buyers: Any


IN_FORCE_STATES: tuple[str, ...] = ("active", "suspended")
"""Policy states whose liability is still running."""


def policies_in_force(session: Session) -> list[Policy]:
    """Every policy whose liability is still running (active or suspended), by id."""
    return list(
        session.execute(
            select(Policy).where(Policy.state.in_(IN_FORCE_STATES)).order_by(Policy.id)
        ).scalars()
    )


def in_force_covers(session: Session) -> list[InForceCover]:
    """Every policy in force whose exporter filed a profile, by policy id."""
    rows = session.execute(
        select(Policy, ExporterProfile)
        .join(ExporterProfile, ExporterProfile.org_id == Policy.exporter_org_id)
        .where(Policy.state.in_(IN_FORCE_STATES))
        .order_by(Policy.id)
    )
    return [
        InForceCover(
            p.id,
            p.currency,
            p.scope,
            p.maximum_liability_minor,
            p.expected_turnover_minor,
            p.indemnity_commercial_pct,
            profile.main_buyers,
        )
        for p, profile in rows
    ]


def active_policy_covering(
    session: Session, *, exporter_org_id: int, currency: str, shipped: date
) -> int | None:
    """The exporter's latest-incepted active policy in ``currency`` whose term covers the
    shipment date ``shipped``, if any.
    """
    return session.execute(
        select(Policy.id)
        .where(
            Policy.exporter_org_id == exporter_org_id,
            Policy.state == "active",
            Policy.currency == currency,
            Policy.inception <= shipped,
            Policy.expiry >= shipped,
        )
        .order_by(Policy.inception.desc())
        .limit(1)
    ).scalar()
