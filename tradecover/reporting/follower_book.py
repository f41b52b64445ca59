"""A co-insurer's own book: its share of the declarations, claims and money of the
policies and single large limits it participates in [domain CO-14].

A read model across the coinsurance, policies, declarations, claims and access tables.
Every read is scoped by the caller's participation, not by an exporter's consent: a row is
the follower's when its share applies on the row's date (a shipment's date, a claim's due
date of the loss), the limit's shares first [domain CO-13].  The follower's part of an
amount is the part the split of [domain CO-6] gives it, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from tradecover.access.model import Organisation
from tradecover.claims.model import ClaimLineRow, ClaimRow
from tradecover.coinsurance import ParticipantRole, Participation, shares_for, split_minor
from tradecover.coinsurance.model import (
    CoinsuranceAllocation,
    CoinsuranceClaimApproval,
    CoinsuranceLimitParticipation,
    CoinsuranceParticipation,
)
from tradecover.declarations.model import Declaration
from tradecover.kit.money import Money
from tradecover.policies.model import Policy

_P = CoinsuranceParticipation
_L = CoinsuranceLimitParticipation


@dataclass(frozen=True, slots=True)
class Scope:
    """Every participation of the policies and limits a follower shares (all participants',
    so that its part is split exactly).
    """

    policies: dict[int, list[Participation]]
    limits: dict[int, list[Participation]]

    def shares(self, policy_id: int, limit_id: int | None, day: date) -> list[Participation]:
        """The participations an amount of ``day`` is split by [domain CO-13]."""
        return shares_for(
            self.policies.get(policy_id, ()),
            self.limits.get(limit_id, []) if limit_id is not None else (),
            day,
        )


def _value(row: Any) -> Participation:
    return Participation(
        row.org_id, ParticipantRole(row.role), row.share, row.effective_from, row.effective_to
    )


def scope_of(session: Session, org_id: int) -> Scope:
    """The participations of every policy and limit ``org_id`` has a share of."""
    policies: dict[int, list[Participation]] = {}
    mine = select(_P.policy_id).where(_P.org_id == org_id)
    for row in session.execute(select(_P).where(_P.policy_id.in_(mine))).scalars():
        policies.setdefault(row.policy_id, []).append(_value(row))
    limits: dict[int, list[Participation]] = {}
    mine = select(_L.limit_id).where(_L.org_id == org_id)
    for lrow in session.execute(select(_L).where(_L.limit_id.in_(mine))).scalars():
        limits.setdefault(lrow.limit_id, []).append(_value(lrow))
    return Scope(policies, limits)


def _covers(table: Any, day: Any) -> ColumnElement[bool]:
    return and_(
        table.effective_from <= day, or_(table.effective_to.is_(None), table.effective_to >= day)
    )


def _mine(org_id: int, policy_id: Any, limit_id: Any, day: Any) -> ColumnElement[bool]:
    """The follower's share applies to a row of ``policy_id`` / ``limit_id`` on ``day``:
    its share of the limit, or of the policy where the limit has none on that day.
    """
    on_limit = exists().where(_L.limit_id == limit_id, _L.org_id == org_id, _covers(_L, day))
    limit_shared = exists().where(_L.limit_id == limit_id, _covers(_L, day))
    on_policy = exists().where(_P.policy_id == policy_id, _P.org_id == org_id, _covers(_P, day))
    return or_(on_limit, and_(on_policy, ~limit_shared))


def _part(
    scope: Scope,
    org_id: int,
    policy_id: int,
    limit_id: int | None,
    day: date,
    minor: int,
    currency: str,
) -> tuple[Decimal, Money]:
    effective = scope.shares(policy_id, limit_id, day)
    for part in split_minor(minor, effective):
        if part.org_id == org_id:
            return part.share, Money.from_minor(part.amount_minor, currency)
    return Decimal(0), Money.zero(currency)


@dataclass(frozen=True, slots=True)
class DeclarationShare:
    """A declared shipment of a shared policy or limit, and the follower's part of it."""

    declaration_id: int
    policy_id: int
    policy_number: str | None
    exporter_name: str
    limit_id: int | None
    invoice_number: str
    shipment_date: date
    status: str
    share: Decimal
    covered: Money
    covered_share: Money
    premium: Money
    premium_share: Money


def follower_declarations(
    session: Session, *, org_id: int, limit: int, offset: int
) -> tuple[list[DeclarationShare], int]:
    """The declarations the follower shares, newest first, and how many there are."""
    d = Declaration
    where = _mine(org_id, d.policy_id, d.limit_id, d.shipment_date)
    total = session.execute(select(func.count()).select_from(d).where(where)).scalar_one()
    rows = session.execute(
        select(d, Policy.number, Organisation.name)
        .join(Policy, Policy.id == d.policy_id)
        .join(Organisation, Organisation.id == d.exporter_org_id)
        .where(where)
        .order_by(d.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    scope = scope_of(session, org_id) if rows else Scope({}, {})
    out = []
    for row, number, name in rows:
        args = (scope, org_id, row.policy_id, row.limit_id, row.shipment_date)
        share, covered = _part(*args, row.covered_minor, row.currency)
        _, premium = _part(*args, row.premium_minor, row.currency)
        out.append(
            DeclarationShare(
                row.id,
                row.policy_id,
                number,
                name,
                row.limit_id,
                row.invoice_number,
                row.shipment_date,
                row.status,
                share,
                Money.from_minor(row.covered_minor, row.currency),
                covered,
                Money.from_minor(row.premium_minor, row.currency),
                premium,
            )
        )
    return out, int(total)


def _claim_limit(claim_id: Any) -> Any:
    """The single limit of a claim's shipments, as a correlated subquery [domain CO-13]."""
    return (
        select(
            case((func.count(Declaration.limit_id.distinct()) == 1, func.min(Declaration.limit_id)))
        )
        .select_from(ClaimLineRow)
        .join(Declaration, Declaration.id == ClaimLineRow.declaration_id)
        .where(ClaimLineRow.claim_id == claim_id)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class ClaimShare:
    """A claim on a shared policy or limit, the follower's part and its own approval."""

    claim_id: int
    policy_id: int
    policy_number: str | None
    exporter_name: str
    limit_id: int | None
    state: str
    due_date: date
    filed_on: date
    paid_on: date | None
    share: Decimal
    indemnity: Money
    indemnity_share: Money
    approval: str | None


def follower_claims(
    session: Session, *, org_id: int, limit: int, offset: int
) -> tuple[list[ClaimShare], int]:
    """The claims the follower shares, newest first, and how many there are."""
    c = ClaimRow
    limit_id = _claim_limit(c.id).label("limit_id")
    where = _mine(org_id, c.policy_id, _claim_limit(c.id), c.due_date)
    total = session.execute(select(func.count()).select_from(c).where(where)).scalar_one()
    rows = session.execute(
        select(c, limit_id, Policy.number, Organisation.name)
        .join(Policy, Policy.id == c.policy_id)
        .join(Organisation, Organisation.id == c.exporter_org_id)
        .where(where)
        .order_by(c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    scope = scope_of(session, org_id) if rows else Scope({}, {})
    a = CoinsuranceClaimApproval
    answers = dict(
        session.execute(
            select(a.claim_id, a.state).where(
                a.org_id == org_id, a.claim_id.in_([r[0].id for r in rows])
            )
        ).all()
    )
    out = []
    for row, lid, number, name in rows:
        share, part = _part(
            scope, org_id, row.policy_id, lid, row.due_date, row.indemnity_minor, row.currency
        )
        out.append(
            ClaimShare(
                row.id,
                row.policy_id,
                number,
                name,
                lid,
                row.state,
                row.due_date,
                row.filed_on,
                row.paid_on,
                share,
                Money.from_minor(row.indemnity_minor, row.currency),
                part,
                answers.get(row.id),
            )
        )
    return out, int(total)


@dataclass(frozen=True, slots=True)
class PaymentShare:
    """The follower's part of one amount posted: a notice's premium (per component), a
    claim paid or a recovery [domain CO-7].
    """

    source: str
    source_id: int
    component: str
    policy_id: int
    posted_on: date
    share: Decimal
    whole: Money
    amount: Money


def follower_payments(
    session: Session, *, org_id: int, limit: int, offset: int
) -> tuple[list[PaymentShare], int]:
    """The follower's parts of the money posted, newest first, and how many there are."""
    a = CoinsuranceAllocation
    where = a.org_id == org_id
    total = session.execute(select(func.count()).select_from(a).where(where)).scalar_one()
    rows = session.execute(
        select(a).where(where).order_by(a.posted_on.desc(), a.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return [
        PaymentShare(
            r.source,
            r.source_id,
            r.component,
            r.policy_id,
            r.posted_on,
            r.share,
            Money.from_minor(r.whole_minor, r.currency),
            Money.from_minor(r.amount_minor, r.currency),
        )
        for r in rows
    ], int(total)


@dataclass(frozen=True, slots=True)
class BookLine:
    """One of the follower's participations: a policy's or a single limit's."""

    policy_id: int
    policy_number: str | None
    exporter_name: str
    limit_id: int | None
    role: str
    share: Decimal
    effective_from: date
    effective_to: date | None


def follower_participations(session: Session, *, org_id: int) -> list[BookLine]:
    """The follower's participations, by policy then limit then date (its home)."""
    out: list[BookLine] = []
    sources: Sequence[tuple[Any, bool]] = ((_P, False), (_L, True))
    for table, on_limit in sources:
        for row, number, name in session.execute(
            select(table, Policy.number, Organisation.name)
            .join(Policy, Policy.id == table.policy_id)
            .join(Organisation, Organisation.id == Policy.exporter_org_id)
            .where(table.org_id == org_id)
        ).all():
            out.append(
                BookLine(
                    row.policy_id,
                    number,
                    name,
                    row.limit_id if on_limit else None,
                    row.role,
                    row.share,
                    row.effective_from,
                    row.effective_to,
                )
            )
    return sorted(out, key=lambda b: (b.policy_id, b.limit_id or 0, b.effective_from))


__all__ = [
    "BookLine",
    "ClaimShare",
    "DeclarationShare",
    "PaymentShare",
    "Scope",
    "follower_claims",
    "follower_declarations",
    "follower_participations",
    "follower_payments",
    "scope_of",
]
