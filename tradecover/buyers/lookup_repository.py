"""Look-ups of buyers and their stored ratings by id, for the lists that show them.

No scoping here: the callers already hold ids of rows the viewer may see (limits, match
reviews, applications read through the scoped services).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerRating


def buyers_by_id(session: Session, buyer_ids: Iterable[int]) -> dict[int, Buyer]:
    """The buyers with these ids, by id, in one query."""
    ids = set(buyer_ids)
    if not ids:
        return {}
    rows = session.execute(select(Buyer).where(Buyer.id.in_(ids))).scalars()
    return {b.id: b for b in rows}


def rating_by_id(session: Session, rating_id: int | None) -> BuyerRating | None:
    """One stored rating (None for no id, or no such rating)."""
    return session.get(BuyerRating, rating_id) if rating_id is not None else None
