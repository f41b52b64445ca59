"""Shared checks of the credit limit tests: row counts and commitments (the builders live
in tests/builders)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import Database
from tradecover.audit.model import AuditEntry
from tradecover.buyers.model import Buyer, BuyerMatchReview, BuyerRating, ExporterBuyerRelationship
from tradecover.limits.model import (
    BuyerAggregate,
    CountryExposure,
    CreditLimit,
    CreditLimitVersion,
    LimitApplication,
    LimitNotification,
)

TABLES = (
    Buyer,
    ExporterBuyerRelationship,
    BuyerMatchReview,
    BuyerRating,
    LimitApplication,
    CreditLimit,
    CreditLimitVersion,
    LimitNotification,
    AuditEntry,
)


def counts(db: Database) -> dict[str, int]:
    """Rows of every table this context writes, audit entries included."""
    with db.factory() as s:
        return {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in TABLES
        }


def committed(db: Database, *, buyer_id: int, country: str) -> tuple[int, int]:
    """USD minor units committed on the buyer aggregate and in the country."""
    with db.factory() as s:
        agg = s.execute(
            select(BuyerAggregate.committed_minor).where(BuyerAggregate.buyer_id == buyer_id)
        ).scalar_one()
        ctry = s.execute(
            select(CountryExposure.committed_minor).where(CountryExposure.country == country)
        ).scalar_one_or_none()
        return int(agg), int(ctry or 0)
