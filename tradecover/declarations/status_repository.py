"""A policy's declaration status by its frequency, and monthly turnover returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access import Permission, Principal
from tradecover.declarations.deadlines import (
    DeclarationPeriod,
    compliance_rate,
    periods_due_between,
)
from tradecover.declarations.loading_repository import _policy, policy_facts
from tradecover.declarations.model import (
    STATUS_ACTIVE,
    Declaration,
    TurnoverReturn,
)
from tradecover.declarations.turnover_repository import review_of_policy as turnover_review
from tradecover.declarations.whole_turnover import WholeTurnoverReview
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, check_currency
from tradecover.policies import Policy


@dataclass(frozen=True, slots=True)
class PeriodStatus:
    """One declaration period of a policy: what was declared for it and how much late."""

    period: DeclarationPeriod
    declared: int
    late: int
    declared_amount: Money


@dataclass(frozen=True, slots=True)
class DeclarationStatus:
    """What is due on a policy by its frequency, what was declared, and the whole-turnover
    share (declared over returned turnover).
    """

    policy_id: int
    frequency: str
    periods: list[PeriodStatus]
    declared: int
    on_time: int
    late: int
    compliance_rate: Decimal
    declared_amount: Money
    turnover: Money
    declared_share_of_turnover: Decimal
    whole_turnover: WholeTurnoverReview


def _active_in(
    session: Session, policy_id: int, start: date, end: date
) -> list[tuple[date, bool, int]]:
    return [
        (r[0], bool(r[1]), int(r[2]))
        for r in session.execute(
            select(Declaration.shipment_date, Declaration.late, Declaration.invoice_minor).where(
                Declaration.policy_id == policy_id,
                Declaration.status == STATUS_ACTIVE,
                Declaration.shipment_date >= start,
                Declaration.shipment_date <= end,
            )
        )
    ]


def status_of_policy(
    session: Session, policy: Policy, *, start: date, end: date
) -> DeclarationStatus:
    """The declaration status of ``policy`` for shipments of ``start``..``end``."""
    facts = policy_facts(policy)
    currency = policy.currency
    rows = _active_in(session, policy.id, start, end)
    periods: list[PeriodStatus] = []
    for period in periods_due_between(frequency=facts.frequency, start=start, end=max(end, start)):
        inside = [r for r in rows if period.start <= r[0] <= period.end]
        periods.append(
            PeriodStatus(
                period=period,
                declared=len(inside),
                late=sum(1 for r in inside if r[1]),
                declared_amount=Money.from_minor(sum(r[2] for r in inside), currency),
            )
        )
    late = sum(1 for r in rows if r[1])
    declared_amount = Money.from_minor(sum(r[2] for r in rows), currency)
    # whole turnover: each month's return against that month's declarations only
    review = turnover_review(
        session, policy, start=start, end=end, declared=[(r[0], r[2]) for r in rows]
    )
    return DeclarationStatus(
        policy_id=policy.id,
        frequency=facts.frequency.value,
        periods=periods,
        declared=len(rows),
        on_time=len(rows) - late,
        late=late,
        compliance_rate=compliance_rate(on_time=len(rows) - late, due=len(rows)),
        declared_amount=declared_amount,
        turnover=review.turnover,
        declared_share_of_turnover=review.declared_share,
        whole_turnover=review,
    )


def declaration_status(
    session: Session,
    *,
    principal: Principal,
    policy_id: int,
    start: date | None = None,
    end: date | None = None,
    today: date,
) -> DeclarationStatus:
    """What is due on the policy from inception (or ``start``) to ``end`` (default today)."""
    principal.require(Permission.DECLARATION_READ)
    policy = _policy(session, principal, policy_id)
    start = start or policy.inception
    end = end or min(today, policy.expiry)
    if end < start:
        raise ValidationFailed(
            "the end of the range is before its start", code="invalid_range", field="end"
        )
    return status_of_policy(session, policy, start=start, end=end)


def submit_turnover_return(
    session: Session, *, principal: Principal, policy_id: int, month: date, amount: Money
) -> TurnoverReturn:
    """Record (or replace) the exporter's insurable turnover of ``month`` under a policy."""
    principal.require(Permission.DECLARATION_WRITE)
    policy = _policy(session, principal, policy_id)
    check_currency(amount.currency)
    if amount.currency != policy.currency:
        raise ValidationFailed(
            f"the policy is in {policy.currency}", code="currency_mismatch", field="currency"
        )
    if amount.amount < 0:
        raise ValidationFailed(
            "the turnover cannot be negative", code="negative_turnover", field="amount"
        )
    first = month.replace(day=1)
    if not policy.inception.replace(day=1) <= first <= policy.expiry:
        raise ValidationFailed(
            "the month is outside the policy period",
            code="month_outside_policy_period",
            field="month",
        )
    row = session.execute(
        select(TurnoverReturn)
        .where(TurnoverReturn.policy_id == policy.id, TurnoverReturn.month == first)
        .with_for_update()
    ).scalar_one_or_none()
    before = None
    if row is None:
        row = TurnoverReturn(
            policy_id=policy.id,
            exporter_org_id=policy.exporter_org_id,
            month=first,
            currency=policy.currency,
            amount_minor=0,
            submitted_at=utc_now(),
            submitted_by=principal.actor,
        )
        session.add(row)
    else:
        before = {"month": first.isoformat(), "amount_minor": row.amount_minor}
    row.amount_minor = amount.rounded().minor_units()
    row.submitted_at = utc_now()
    row.submitted_by = principal.actor
    session.flush()
    audit.record(
        session,
        org_id=policy.exporter_org_id,
        actor=principal.actor,
        action="turnover_return.submitted",
        entity_type="policy",
        entity_id=policy.id,
        before=before,
        after={"month": first.isoformat(), "amount_minor": row.amount_minor},
    )
    return row
