"""Queries of declarations: limit reservations (the portable attachment store's, and the
corrections' and cancellations'; the PostgreSQL store locks them in its own round trip,
:mod:`tradecover.declarations.attachment.postgres_repository`).

The reservation follows docs/reliability ("never over-commit a shared limit"): the row
``limit_reservations(limit_id)`` holds what is outstanding on the limit.  An attachment
locks the rows of its limits (:func:`lock_reservations`: one upsert in limit id order;
on SQLite ``BEGIN IMMEDIATE`` already serialises writers), decides cover on what they
hold and writes the new amounts back (:func:`write_reservations`) in the same
transaction, so concurrent attachments on one limit queue on its row and the amounts they
take always add up within the cap; the CHECK ``outstanding_minor <= cap_minor`` is the
backstop.
"""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tradecover.declarations.model import LimitReservation
from tradecover.kit.dates import utc_now


def lock_reservations(session: Session, wanted: dict[int, tuple[str, int]]) -> dict[int, int]:
    """Lock the reservation rows of the limits in ``wanted`` (limit id -> ``(currency,
    cap_minor)``), creating those missing, and return what is outstanding on each.

    ONE upsert (``INSERT ... ON CONFLICT DO UPDATE``, a no-op update) in limit id order
    locks existing rows and creates missing ones, so concurrent writers take them in one
    order and cannot deadlock.  The caller decides cover on the returned amounts and writes
    them back with :func:`write_reservations` in the same transaction.
    """
    if not wanted:
        return {}
    ids = sorted(wanted)
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utc_now()
    rows = upsert(LimitReservation).values(
        [
            {
                "limit_id": i,
                "currency": wanted[i][0],
                "outstanding_minor": 0,
                "cap_minor": wanted[i][1],
                "last_reserved_minor": 0,
                "updated_at": now,
            }
            for i in ids
        ]
    )
    lock = rows.on_conflict_do_update(
        index_elements=["limit_id"],
        set_={"outstanding_minor": LimitReservation.__table__.c.outstanding_minor},
    ).returning(LimitReservation.limit_id, LimitReservation.outstanding_minor)
    return {int(r[0]): int(r[1]) for r in session.execute(lock)}


def write_reservations(session: Session, moved: dict[int, tuple[int, int, int]]) -> None:
    """Write back the limits locked by :func:`lock_reservations`: ``moved`` maps a limit
    id to ``(outstanding_minor, last_reserved_minor, cap_minor)``, in ONE ``UPDATE ...
    CASE``.  The CHECK ``outstanding_minor <= cap_minor`` stays the backstop.
    """
    if not moved:
        return
    key = LimitReservation.limit_id
    session.execute(
        update(LimitReservation)
        .where(key.in_(sorted(moved)))
        .values(
            outstanding_minor=case({i: m[0] for i, m in moved.items()}, value=key),
            last_reserved_minor=case({i: m[1] for i, m in moved.items()}, value=key),
            cap_minor=case({i: m[2] for i, m in moved.items()}, value=key),
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )


def lock(session: Session, limit_ids: set[int]) -> None:
    """Lock the existing reservation rows of ``limit_ids`` in limit id order (PostgreSQL
    ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already serialises writers).

    A transaction that releases on one limit and reserves on another (a correction that
    changes the buyer) takes both rows first, in the one order every such writer uses, so
    two of them working on the same limits the other way round cannot deadlock.
    """
    if limit_ids:
        session.execute(
            select(LimitReservation.limit_id)
            .where(LimitReservation.limit_id.in_(sorted(limit_ids)))
            .order_by(LimitReservation.limit_id)
            .with_for_update()
        ).all()


def release(session: Session, *, limit_id: int, amount_minor: int) -> None:
    """Give ``amount_minor`` back to the limit (a cancellation, correction or collection)."""
    if amount_minor <= 0:
        return
    session.execute(
        update(LimitReservation)
        .where(LimitReservation.limit_id == limit_id)
        .values(
            outstanding_minor=LimitReservation.outstanding_minor - amount_minor,
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )


def outstanding_minor(session: Session, limit_id: int) -> int:
    """What the reservation row says is outstanding on the limit (0 when never used)."""
    value = session.execute(
        select(LimitReservation.outstanding_minor).where(LimitReservation.limit_id == limit_id)
    ).scalar_one_or_none()
    return int(value or 0)
