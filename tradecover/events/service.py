"""Use cases of the outbox: record an event in the caller's transaction, read them back.

:func:`record_event` only adds a row to the caller's session: the event exists exactly
when the business change it tells of commits.  The relays (webhooks, e-mail) read the
unrelayed rows in order with :func:`claim_unrelayed`, which locks them with ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL so that several relays share the work, and mark them with
:func:`mark_relayed` in their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from tradecover.events.catalog import Payload
from tradecover.events.envelope import OutboxEntry, PendingEvent, outbox_rows
from tradecover.events.model import OutboxEvent
from tradecover.kit.canonical import json_default
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed

_OUTBOX = cast(Table, OutboxEvent.__table__)
_INSERT = insert(_OUTBOX)
_COLUMNS = (
    "event_id",
    "event_type",
    "version",
    "subject",
    "org_id",
    "occurred_at",
    "payload",
    "relayed",
)

OUTBOX_INSERT_SQL = (
    f"INSERT INTO outbox_events ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} "
    "FROM json_populate_recordset(NULL::outbox_events, %(outbox)s::json) RETURNING 1"
)
"""PostgreSQL: the events of :func:`outbox_recordset` in ONE insert (a CTE of a caller's
pipelined statement; parameter ``outbox``), in the order given.
"""


def record_event(
    session: Session,
    event_type_name: str,
    subject: str,
    payload: Payload | Mapping[str, Any],
    org_id: int,
) -> str:
    """Record an event of ``event_type_name`` about ``subject`` for organisation ``org_id``
    in the caller's transaction (never committed here); return its event id.
    """
    (row,) = outbox_rows([PendingEvent(event_type_name, subject, payload, org_id)], utc_now())
    session.add(OutboxEvent(**row))
    return str(row["event_id"])


def record_events(session: Session, events: Sequence[PendingEvent]) -> list[str]:
    """Record ``events`` in the caller's transaction with ONE multi-row insert (set-based:
    one statement however many), in the order given, after what the session holds
    pending; return their event ids.
    """
    if not events:
        return []
    rows = outbox_rows(events, utc_now())
    session.flush()  # events recorded one by one before these keep their order
    session.connection().execute(_INSERT, rows)
    return [str(row["event_id"]) for row in rows]


def outbox_recordset(events: Sequence[PendingEvent], occurred_at: datetime) -> str:
    """The parameter ``outbox`` of :data:`OUTBOX_INSERT_SQL`: the rows of ``events`` as
    ONE JSON array (payloads stored as the canonical text the ORM column writes).
    """
    rows = outbox_rows(events, occurred_at)
    for row in rows:
        row["payload"] = orjson.dumps(row["payload"], option=orjson.OPT_SORT_KEYS).decode()
    return orjson.dumps(rows, default=json_default).decode()


def recorded_subjects(session: Session, event_type_name: str, subjects: Iterable[str]) -> set[str]:
    """Those of ``subjects`` that already have an event of ``event_type_name`` (for a use
    case that tells a condition once, e.g. a notice overdue).
    """
    wanted = list(subjects)
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(OutboxEvent.subject).where(
                OutboxEvent.event_type == event_type_name, OutboxEvent.subject.in_(wanted)
            )
        )
    )


def _entry(row: OutboxEvent) -> OutboxEntry:
    return OutboxEntry(
        sequence=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        version=row.version,
        subject=row.subject,
        org_id=row.org_id,
        occurred_at=row.occurred_at,
        payload=row.payload,
    )


_ENTRY_COLUMNS = (
    OutboxEvent.id,
    OutboxEvent.event_id,
    OutboxEvent.event_type,
    OutboxEvent.version,
    OutboxEvent.subject,
    OutboxEvent.org_id,
    OutboxEvent.occurred_at,
    OutboxEvent.payload,
)


def claim_unrelayed(session: Session, *, limit: int) -> list[OutboxEntry]:
    """The oldest ``limit`` events not relayed yet, locked for this transaction (read as
    plain rows: a relay reads hundreds at a time and changes none of them here).
    """
    query = (
        select(*_ENTRY_COLUMNS)
        .where(OutboxEvent.relayed.is_(False))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [OutboxEntry(*row) for row in session.execute(query)]


def mark_relayed(session: Session, sequences: Iterable[int]) -> None:
    """Mark the events of ``sequences`` relayed."""
    ids = list(sequences)
    if ids:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids))
            .values(relayed=True)
            .execution_options(synchronize_session=False)
        )


def events_of(
    session: Session, *, org_id: int, from_event_id: str, limit: int = 10_000
) -> list[OutboxEntry]:
    """The events of ``org_id`` from ``from_event_id`` (included) on, oldest first."""
    first = session.scalar(
        select(OutboxEvent.id).where(
            OutboxEvent.event_id == from_event_id, OutboxEvent.org_id == org_id
        )
    )
    if first is None:
        raise ValidationFailed(
            f"no event {from_event_id} of this organisation", field="from_event_id"
        )
    rows = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.org_id == org_id, OutboxEvent.id >= first)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return [_entry(row) for row in rows]


def events_after(session: Session, *, sequence: int, limit: int) -> list[OutboxEntry]:
    """Up to ``limit`` events recorded after ``sequence``, oldest first (a relay's cursor)."""
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.id > sequence).order_by(OutboxEvent.id).limit(limit)
    )
    return [_entry(row) for row in rows]
