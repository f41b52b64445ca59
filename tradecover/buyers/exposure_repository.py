"""What a portfolio risk run needs of buyers: their group, sector and latest rated PD."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerRating


@dataclass(frozen=True, slots=True)
class BuyerRiskFacts:
    """A buyer's group (the buyer it was merged into, else itself), sector and latest PD."""

    buyer_id: int
    group_id: int
    sector: str | None
    pd: Decimal | None  # None: never rated


def buyer_risk_facts(session: Session, buyer_ids: Iterable[int]) -> dict[int, BuyerRiskFacts]:
    """The facts of the buyers among ``buyer_ids`` that exist, by buyer id."""
    wanted = sorted(set(buyer_ids))
    if not wanted:
        return {}
    latest = (
        select(BuyerRating.buyer_id, func.max(BuyerRating.id).label("rid"))
        .where(BuyerRating.buyer_id.in_(wanted))
        .group_by(BuyerRating.buyer_id)
        .subquery()
    )
    pds = {
        int(b): pd
        for b, pd in session.execute(
            select(BuyerRating.buyer_id, BuyerRating.pd).join(
                latest, BuyerRating.id == latest.c.rid
            )
        )
    }
    rows = session.execute(
        select(Buyer.id, Buyer.merged_into_id, Buyer.sector).where(Buyer.id.in_(wanted))
    )
    return {int(i): BuyerRiskFacts(int(i), int(m or i), s, pds.get(int(i))) for i, m, s in rows}
