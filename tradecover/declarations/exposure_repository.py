"""What is still outstanding under each credit limit, for the portfolio read model."""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from tradecover.declarations.model import Declaration


def outstanding_by_limit(session: Session) -> dict[int, int]:
    """Covered and not yet collected, in minor units of the limit's currency, per limit."""
    rows = session.execute(
        select(
            Declaration.limit_id, func.sum(Declaration.covered_minor - Declaration.collected_minor)
        )
        .where(Declaration.status == "active", Declaration.limit_id.is_not(None))
        .group_by(Declaration.limit_id)
    )
    return {int(limit): int(amount or 0) for limit, amount in rows if limit is not None}


def buyers_declared_to(session: Session, exporter_org_id: int) -> int:
    """How many buyers the exporter has declared shipments to."""
    return int(
        session.execute(
            select(func.count(distinct(Declaration.buyer_id))).where(
                Declaration.exporter_org_id == exporter_org_id
            )
        ).scalar_one()
    )
