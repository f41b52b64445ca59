"""Reading a policy's turnover returns and declarations month by month (whole turnover).

The rules are :mod:`tradecover.declarations.whole_turnover`; this module reads their
facts in the caller's session (no writes): the returns of the months asked, and the
active declarations of those months summed per month at their invoice amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.declarations.model import STATUS_ACTIVE, Declaration, TurnoverReturn
from tradecover.declarations.whole_turnover import (
    WholeTurnoverReview,
    month_end,
    months_between,
    review_whole_turnover,
)
from tradecover.kit.money import Money
from tradecover.policies import Policy


def returns_of(session: Session, policy_id: int, months: Iterable[date]) -> dict[date, Money]:
    """The policy's turnover returns of ``months`` (first days), by month."""
    wanted = sorted({m.replace(day=1) for m in months})
    if not wanted:
        return {}
    return {
        row.month: Money.from_minor(row.amount_minor, row.currency)
        for row in session.execute(
            select(TurnoverReturn).where(
                TurnoverReturn.policy_id == policy_id,
                TurnoverReturn.month >= wanted[0],
                TurnoverReturn.month <= wanted[-1],
            )
        ).scalars()
        if row.month in wanted
    }


def declared_by_month(rows: Iterable[tuple[date, int]], currency: str) -> dict[date, Money]:
    """``(shipment date, invoice minor units)`` pairs summed per month."""
    sums: dict[date, int] = {}
    for shipped, minor in rows:
        key = shipped.replace(day=1)
        sums[key] = sums.get(key, 0) + minor
    return {k: Money.from_minor(v, currency) for k, v in sums.items()}


def _declared_rows(
    session: Session, policy_id: int, start: date, end: date
) -> list[tuple[date, int]]:
    return [
        (r[0], int(r[1]))
        for r in session.execute(
            select(Declaration.shipment_date, Declaration.invoice_minor).where(
                Declaration.policy_id == policy_id,
                Declaration.status == STATUS_ACTIVE,
                Declaration.shipment_date >= start,
                Declaration.shipment_date <= end,
            )
        )
    ]


def review_of_policy(
    session: Session,
    policy: Policy,
    *,
    start: date,
    end: date,
    declared: Iterable[tuple[date, int]] | None = None,
) -> WholeTurnoverReview:
    """The policy's months ``start``..``end``: each return against that month's declarations.

    ``declared`` passes ``(shipment date, invoice minor)`` rows the caller already read
    for ``start``..``end`` (else they are read here).
    """
    months = months_between(start, end)
    rows = _declared_rows(session, policy.id, start, end) if declared is None else declared
    return review_whole_turnover(
        currency=policy.currency,
        months=months,
        returns=returns_of(session, policy.id, months),
        declared=declared_by_month(rows, policy.currency),
        whole_turnover=policy.whole_turnover,
        min_declared_share=policy.min_declared_share,
    )


def months_of_shipments(
    session: Session, policy: Policy, shipment_dates: Iterable[date]
) -> WholeTurnoverReview:
    """The whole calendar months of ``shipment_dates`` under ``policy`` (for a claim)."""
    firsts = sorted({d.replace(day=1) for d in shipment_dates})
    return review_of_policy(session, policy, start=firsts[0], end=month_end(firsts[-1]))
