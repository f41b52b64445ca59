"""The active credit limits as exposures, for the portfolio read model of a risk run."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.limits.model import CreditLimit

ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class LimitExposure:
    """An active credit limit: whom it covers, for how much, at what indemnity."""

    id: int
    buyer_id: int
    policy_id: int
    country: str
    currency: str
    amount_minor: int
    indemnity_pct: Decimal | None  # None: the policy's commercial indemnity applies


def any_active_limit(session: Session) -> bool:
    """True when at least one credit limit is active."""
    return (
        session.execute(select(CreditLimit.id).where(CreditLimit.status == ACTIVE).limit(1)).first()
        is not None
    )


def active_limit_exposures(session: Session) -> list[LimitExposure]:
    """Every active credit limit, by id."""
    rows = session.execute(
        select(
            CreditLimit.id,
            CreditLimit.buyer_id,
            CreditLimit.policy_id,
            CreditLimit.country,
            CreditLimit.currency,
            CreditLimit.amount_minor,
            CreditLimit.indemnity_pct,
        )
        .where(CreditLimit.status == ACTIVE)
        .order_by(CreditLimit.id)
    )
    return [
        LimitExposure(int(i), int(b), int(p), str(c), str(cur), int(a), pct)
        for i, b, p, c, cur, a, pct in rows
    ]
