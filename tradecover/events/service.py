"""Use cases of the outbox: record an event in the caller's transaction, read them back.

:func:`record_event` only adds a row to the caller's session: the event exists exactly
when the business change it tells of commits.  The relays (webhooks, e-mail) read the
unrelayed rows in order with :func:`claim_unrelayed`, which locks them with ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL so that several relays share the work, and mark them with
:func:`mark_relayed` in their own transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tradecover.events.catalog import Payload, checked_payload, event_type
from tradecover.events.envelope import OutboxEntry
from tradecover.events.model import OutboxEvent
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import ValidationFailed


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
    kind = event_type(event_type_name)
    if not subject or len(subject) > 128:
        raise ValidationFailed("an event's subject is 1 to 128 characters", field="subject")
    event_id = "evt_" + uuid.uuid4().hex
    session.add(
        OutboxEvent(
            event_id=event_id,
            event_type=kind.name,
            version=kind.version,
            subject=subject,
            org_id=org_id,
            occurred_at=utc_now(),
            payload=checked_payload(event_type_name, payload),
            relayed=False,
        )
    )
    return event_id


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
