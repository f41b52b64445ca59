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

from typing import cast

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tradecover.declarations.model import LimitReservation
from tradecover.kit.dates import utc_now

_TABLE = cast(Table, LimitReservation.__table__)
_LOCK_ROWS = {
    dialect: upsert(_TABLE)
    .on_conflict_do_update(
        index_elements=["limit_id"], set_={"outstanding_minor": _TABLE.c.outstanding_minor}
    )
    .returning(_TABLE.c.limit_id, _TABLE.c.outstanding_minor)
    for dialect, upsert in ((True, postgresql.insert), (False, sqlite.insert))
}
_WRITE_ONE = (
    update(_TABLE)
    .where(_TABLE.c.limit_id == bindparam("i"))
    .values(
        outstanding_minor=bindparam("o"),
        last_reserved_minor=bindparam("r"),
        cap_minor=bindparam("c"),
        updated_at=bindparam("at"),
    )
)
_RELEASE_ONE = (
    update(_TABLE)
    .where(_TABLE.c.limit_id == bindparam("i"))
    .values(
        outstanding_minor=_TABLE.c.outstanding_minor - bindparam("m"), updated_at=bindparam("at")
    )
)


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
    connection = session.connection()
    now = utc_now()
    # one cached statement run as an executemany (rendered as ONE multi-row upsert in the
    # order given): a multi-row VALUES built per call is compiled afresh each time
    rows = connection.execute(
        _LOCK_ROWS[connection.dialect.name == "postgresql"],
        [
            {
                "limit_id": i,
                "currency": wanted[i][0],
                "outstanding_minor": 0,
                "cap_minor": wanted[i][1],
                "last_reserved_minor": 0,
                "updated_at": now,
            }
            for i in sorted(wanted)
        ],
    )
    return {int(r[0]): int(r[1]) for r in rows}


def write_reservations(session: Session, moved: dict[int, tuple[int, int, int]]) -> None:
    """Write back the limits locked by :func:`lock_reservations`: ``moved`` maps a limit
    id to ``(outstanding_minor, last_reserved_minor, cap_minor)``: on PostgreSQL several
    limits in ONE ``UPDATE ... CASE``; one limit, or SQLite (whose driver loops an
    executemany in C), by one cached statement.  The CHECK ``outstanding_minor <=
    cap_minor`` stays the backstop.
    """
    if not moved:
        return
    connection = session.connection()
    if len(moved) == 1 or connection.dialect.name != "postgresql":
        # one row, or SQLite (whose driver loops an executemany in C): the cached statement
        now = utc_now()
        connection.execute(
            _WRITE_ONE,
            [
                {"i": i, "o": m[0], "r": m[1], "c": m[2], "at": now}
                for i, m in sorted(moved.items())
            ],
        )
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
    session.connection().execute(_RELEASE_ONE, {"i": limit_id, "m": amount_minor, "at": utc_now()})


def outstanding_minor(session: Session, limit_id: int) -> int:
    """What the reservation row says is outstanding on the limit (0 when never used)."""
    value = session.execute(
        select(LimitReservation.outstanding_minor).where(LimitReservation.limit_id == limit_id)
    ).scalar_one_or_none()
    return int(value or 0)


def release_many(session: Session, freed: dict[int, int]) -> None:
    """Give back ``freed`` (limit id -> minor units) to each limit (what :func:`release`
    does for one; amounts of 0 or less are skipped): on PostgreSQL several limits in ONE
    ``UPDATE ... CASE``, else one cached statement (an executemany on SQLite).
    """
    moved = {i: m for i, m in freed.items() if m > 0}
    if not moved:
        return
    connection = session.connection()
    if len(moved) == 1 or connection.dialect.name != "postgresql":
        now = utc_now()
        connection.execute(
            _RELEASE_ONE, [{"i": i, "m": m, "at": now} for i, m in sorted(moved.items())]
        )
        return
    key = LimitReservation.limit_id
    session.execute(
        update(LimitReservation)
        .where(key.in_(sorted(moved)))
        .values(
            outstanding_minor=LimitReservation.outstanding_minor - case(moved, value=key),
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )
