"""Shared checks of the declaration tests: row counts and reservations (the builders live
in tests/builders)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import Database
from tradecover.audit.model import AuditEntry
from tradecover.declarations.model import Declaration, LimitReservation, TurnoverReturn


def counts(db: Database) -> dict[str, int]:
    """Rows of the tables attachment writes, audit entries, and what is reserved."""
    with db.factory() as s:
        out = {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (Declaration, TurnoverReturn, AuditEntry)
        }
        out["reserved_minor"] = int(
            s.execute(
                select(func.coalesce(func.sum(LimitReservation.outstanding_minor), 0))
            ).scalar_one()
        )
        return out


def reserved(db: Database, limit_id: int) -> int:
    """What the reservation row holds on ``limit_id`` (minor units)."""
    with db.factory() as s:
        return int(
            s.execute(
                select(LimitReservation.outstanding_minor).where(
                    LimitReservation.limit_id == limit_id
                )
            ).scalar_one()
        )


def outstanding_by_view(db: Database, limit_id: int) -> int:
    """What the ``limit_outstanding`` view sums on ``limit_id`` (minor units)."""
    from sqlalchemy import text

    with db.factory() as s:
        return int(
            s.execute(
                text(
                    "SELECT COALESCE(SUM(outstanding_minor), 0) FROM limit_outstanding "
                    "WHERE limit_id = :l"
                ),
                {"l": limit_id},
            ).scalar_one()
        )
