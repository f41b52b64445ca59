"""Look-ups of buyers and their stored ratings by id, for the lists that show them, and
of the buyers an exporter trades with.

No scoping here: the callers already hold ids of rows the viewer may see (limits, match
reviews, applications read through the scoped services).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerRating, ExporterBuyerRelationship


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


@dataclass(frozen=True, slots=True)
class RelatedBuyer:
    """A buyer an exporter trades with, as a document is matched to it."""

    id: int
    legal_name: str
    tax_id: str | None


def related_buyers(session: Session, org_id: int) -> list[RelatedBuyer]:
    """The buyers related to the exporter ``org_id`` (merged records left out)."""
    rows = session.execute(
        select(Buyer.id, Buyer.legal_name, Buyer.tax_id)
        .join(ExporterBuyerRelationship, ExporterBuyerRelationship.buyer_id == Buyer.id)
        .where(ExporterBuyerRelationship.org_id == org_id, Buyer.merged_into_id.is_(None))
    )
    return [RelatedBuyer(int(i), str(name), tax) for i, name, tax in rows]
