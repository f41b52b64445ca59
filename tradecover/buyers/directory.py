"""The buyer directory: who sees which buyer, one buyer, a page of buyers.

One registry for every insured: an exporter sees a buyer only through its own relationship
to it (:func:`can_see`); insurer staff see every buyer.  :func:`buyer_record` and
:func:`buyers_in_sector` are the reads other contexts make once they checked access.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from tradecover.access import Permission, Principal
from tradecover.buyers.model import Buyer, ExporterBuyerRelationship
from tradecover.buyers.rating_factors import (
    Sector,
)
from tradecover.kit.errors import NotFound, PermissionDenied


class BuyerKind(StrEnum):
    """A buyer of goods, or a bank (issuing or confirming letters of credit)."""

    BUYER = "buyer"
    BANK = "bank"


def can_see(session: Session, principal: Principal, buyer_id: int) -> bool:
    """Insurer staff see every buyer; an exporter only those it has a relationship with."""
    if principal.is_insurer:
        return True
    return bool(
        session.execute(
            select(
                exists().where(
                    ExporterBuyerRelationship.org_id == principal.org_id,
                    ExporterBuyerRelationship.buyer_id == buyer_id,
                )
            )
        ).scalar()
    )


def get_buyer(
    session: Session, *, principal: Principal, buyer_id: int, lock: bool = False
) -> Buyer:
    """One buyer the caller may see; another's (or a missing one) answers 404."""
    principal.require(Permission.BUYER_READ)
    query = select(Buyer).where(Buyer.id == buyer_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None or not can_see(session, principal, buyer_id):
        raise NotFound(f"no buyer {buyer_id}", code="buyer_not_found")
    return row


def relationship(
    session: Session, *, principal: Principal, buyer_id: int
) -> ExporterBuyerRelationship | None:
    """The caller's own relationship to a buyer (``None`` for insurer staff)."""
    return session.execute(
        select(ExporterBuyerRelationship).where(
            ExporterBuyerRelationship.org_id == principal.org_id,
            ExporterBuyerRelationship.buyer_id == buyer_id,
        )
    ).scalar_one_or_none()


def list_buyers(
    session: Session,
    *,
    principal: Principal,
    country: str | None = None,
    search: str | None = None,
    sector: Sector | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Buyer], int]:
    """Buyers the caller may see, by name, and how many match."""
    principal.require(Permission.BUYER_READ)
    query = select(Buyer).where(Buyer.merged_into_id.is_(None))
    if not principal.is_insurer:
        query = query.where(
            Buyer.id.in_(
                select(ExporterBuyerRelationship.buyer_id).where(
                    ExporterBuyerRelationship.org_id == principal.org_id
                )
            )
        )
    if country:
        query = query.where(Buyer.country == country.upper())
    if sector:
        query = query.where(Buyer.sector == sector.value)
    if search:
        pattern = f"%{search.strip().lower()[:100]}%"
        query = query.where(
            or_(func.lower(Buyer.legal_name).like(pattern), Buyer.normalised_name.like(pattern))
        )
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(
        query.order_by(Buyer.legal_name, Buyer.id).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def require_not_exporter(principal: Principal) -> None:
    """Refuse insurer-only reads to exporters (ratings and reviews are the insurer's)."""
    if not principal.is_insurer:
        raise PermissionDenied("only the insurer's staff may see this", code="forbidden")


# --- reads for other contexts -------------------------------------------------------------


def buyer_record(session: Session, buyer_id: int) -> Buyer:
    """One buyer by id, for a use case of another context that already checked access."""
    return session.get_one(Buyer, buyer_id)


def buyers_in_sector(sector: str) -> Select[int]:
    """The statement selecting the ids of the buyers of ``sector`` (to filter by)."""
    return select(Buyer.id).where(Buyer.sector == sector)
