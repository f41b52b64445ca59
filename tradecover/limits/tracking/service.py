"""Tracking limits: bulk actions, idle limits and utilisation.

The large-limit watch list is a read model: :mod:`tradecover.reporting.limits_watch_list`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit, buyers
from tradecover.access import Permission, Principal
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money
from tradecover.limits import repository as repo
from tradecover.limits.changes.service import change_by_insurer
from tradecover.limits.common.service import _limit
from tradecover.limits.model import (
    CreditLimit,
)
from tradecover.limits.request import RequestType

# --- tracking ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkScope:
    """Which limits a bulk action touches: one buyer, one sector or one country."""

    buyer_id: int | None = None
    sector: str | None = None
    country: str | None = None

    def check(self) -> None:
        """Exactly one of the three must be given."""
        given = [v for v in (self.buyer_id, self.sector, self.country) if v is not None]
        if len(given) != 1:
            raise ValidationFailed(
                "give exactly one of buyer_id, sector, country", code="invalid_scope", field="scope"
            )


@dataclass(frozen=True, slots=True)
class BulkResult:
    """Limits changed by a bulk action, and those left as they were (with why)."""

    changed: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def limits_in_scope(session: Session, scope: BulkScope) -> list[CreditLimit]:
    """Active limits of a bulk scope, in lock order (country, buyer, limit)."""
    scope.check()
    query = select(CreditLimit).where(CreditLimit.status == "active")
    if scope.buyer_id is not None:
        query = query.where(CreditLimit.buyer_id == scope.buyer_id)
    if scope.country is not None:
        query = query.where(CreditLimit.country == scope.country.upper())
    if scope.sector is not None:
        query = query.where(CreditLimit.buyer_id.in_(buyers.buyers_in_sector(scope.sector)))
    return list(
        session.execute(
            query.order_by(CreditLimit.country, CreditLimit.buyer_id, CreditLimit.id)
        ).scalars()
    )


def bulk_action(
    session: Session,
    *,
    principal: Principal,
    scope: BulkScope,
    reason: str,
    today: date,
    cut_pct: Decimal | None = None,
    cancel: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Cut by a percentage, or cancel, every limit on a buyer, a sector or a country.

    One call, one transaction: each limit gets a new version, a notice and an audit
    entry, plus one audit entry for the action itself.
    """
    principal.require(Permission.LIMIT_MANAGE)
    if cancel == (cut_pct is not None):
        raise ValidationFailed(
            "give a cut percentage or cancel, not both", code="invalid_bulk_action", field="cut_pct"
        )
    if cut_pct is not None and not Decimal(0) < cut_pct < Decimal(100):
        raise ValidationFailed(
            "the cut is a percentage in (0, 100); 100 % is a cancellation",
            code="cut_out_of_range",
            field="cut_pct",
        )
    if not reason.strip():
        raise ValidationFailed("a reason is required", code="reason_required", field="reason")
    rows = limits_in_scope(session, scope)
    result = BulkResult()
    for done, row in enumerate(rows, start=1):
        if cancel:
            change_by_insurer(
                session,
                principal=principal,
                limit_id=row.id,
                kind=RequestType.CANCELLATION,
                amount=None,
                reason=reason,
                today=today,
            )
            result.changed.append(row.id)
        else:
            assert cut_pct is not None
            current = Money.from_minor(row.amount_minor, row.currency)
            target = (current * ((Decimal(100) - cut_pct) / Decimal(100))).rounded()
            if target.amount <= 0 or target >= current:
                result.skipped[row.id] = "too small to cut"
            else:
                change_by_insurer(
                    session,
                    principal=principal,
                    limit_id=row.id,
                    kind=RequestType.REDUCTION,
                    amount=target,
                    reason=reason,
                    today=today,
                )
                result.changed.append(row.id)
        if progress is not None:
            progress(done, len(rows))
    audit.record(
        session,
        org_id=principal.org_id,
        actor=principal.actor,
        action="limit.bulk_action",
        entity_type="limit_scope",
        entity_id=str(scope.buyer_id or scope.sector or scope.country),
        reason=reason,
        after={
            "cancel": cancel,
            "cut_pct": str(cut_pct) if cut_pct else None,
            "changed": result.changed,
            "skipped": result.skipped,
        },
    )
    return result


def idle_limits(session: Session, *, today: date, idle_days: int) -> list[CreditLimit]:
    """Active limits with nothing outstanding and no shipment for ``idle_days`` days."""
    if idle_days < 1:
        raise ValidationFailed(
            "the idle period is at least one day", code="invalid_idle_days", field="idle_days"
        )
    cutoff = today - timedelta(days=idle_days)
    o = repo.LIMIT_OUTSTANDING
    used = select(o.c.limit_id).where((o.c.outstanding_minor > 0) | (o.c.shipped_on > cutoff))
    query = (
        select(CreditLimit)
        .where(
            CreditLimit.status == "active",
            CreditLimit.effective_from <= cutoff,
            CreditLimit.id.not_in(used),
        )
        .order_by(CreditLimit.country, CreditLimit.buyer_id, CreditLimit.id)
    )
    return list(session.execute(query).scalars())


def revoke_idle(
    session: Session,
    *,
    principal: Principal,
    today: date,
    idle_days: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Cancel every limit unused for ``idle_days`` days (the job); each is audited."""
    principal.require(Permission.LIMIT_MANAGE)
    rows = idle_limits(session, today=today, idle_days=idle_days)
    revoked = []
    for done, row in enumerate(rows, start=1):
        change_by_insurer(
            session,
            principal=principal,
            limit_id=row.id,
            kind=RequestType.CANCELLATION,
            amount=None,
            reason=f"unused for {idle_days} days",
            today=today,
            notice_kind="revoked",
        )
        revoked.append(row.id)
        if progress is not None:
            progress(done, len(rows))
    return revoked


@dataclass(frozen=True, slots=True)
class LimitUtilisation:
    """Approved, outstanding and available amounts of one limit, and its rate."""

    limit_id: int
    approved: Money
    outstanding: Money
    available: Money
    rate: Decimal | None


def _utilisation(row: repo.UtilisationRow) -> LimitUtilisation:
    rate = None if row.rate_bp is None else Decimal(row.rate_bp) / Decimal(10000)
    return LimitUtilisation(
        row.limit_id,
        Money.from_minor(row.approved_minor, row.currency),
        Money.from_minor(row.outstanding_minor, row.currency),
        Money.from_minor(row.available_minor, row.currency),
        rate,
    )


def utilisation(
    session: Session,
    *,
    principal: Principal,
    limit_id: int | None = None,
    buyer_id: int | None = None,
) -> list[LimitUtilisation]:
    """Utilisation of the caller's active limits (one limit, one buyer, or all)."""
    principal.require(Permission.LIMIT_READ)
    if limit_id is not None:
        _limit(session, principal, limit_id)
    rows = repo.utilisation_rows(
        session,
        limit_ids=[limit_id] if limit_id is not None else None,
        org_id=None if principal.is_insurer else principal.org_id,
        buyer_id=buyer_id,
    )
    return [_utilisation(r) for r in rows]
