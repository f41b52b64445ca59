"""What a recorded event looks like outside its table, and the body receivers get.

:class:`OutboxEntry` is an outbox row as the other contexts read it (webhooks, e-mail);
:func:`message_body` is the JSON document a webhook delivers, the same bytes for every
attempt (the signature covers them).  The envelope's JSON schema, with a type's payload as
``data``, is :func:`envelope_schema`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tradecover.events.catalog import EventType, Payload, checked_payload, event_type
from tradecover.kit.canonical import canonical_json
from tradecover.kit.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One recorded event: ``sequence`` orders the events (the outbox row's id)."""

    sequence: int
    event_id: str
    event_type: str
    version: int
    subject: str
    org_id: int
    occurred_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event a use case is about to record: its type, subject, payload and the
    organisation whose business it is (recorded with
    :func:`tradecover.events.service.record_events`, many in one statement).
    """

    event_type: str
    subject: str
    payload: Payload | Mapping[str, Any]
    org_id: int


def outbox_rows(events: Iterable[PendingEvent], occurred_at: datetime) -> list[dict[str, Any]]:
    """The outbox rows of ``events`` (ids excepted), each payload checked against its
    type's schema: what :func:`~tradecover.events.service.record_events` inserts.
    """
    rows: list[dict[str, Any]] = []
    for event in events:
        kind = event_type(event.event_type)
        if not event.subject or len(event.subject) > 128:
            raise ValidationFailed("an event's subject is 1 to 128 characters", field="subject")
        rows.append(
            {
                "event_id": "evt_" + os.urandom(16).hex(),  # 128 random bits, as uuid4 (cheaper)
                "event_type": kind.name,
                "version": kind.version,
                "subject": event.subject,
                "org_id": event.org_id,
                "occurred_at": occurred_at,
                "payload": checked_payload(kind.name, event.payload),
                "relayed": False,
            }
        )
    return rows


def message_body(entry: OutboxEntry) -> str:
    """The webhook body of ``entry``: canonical JSON of the envelope."""
    return canonical_json(
        {
            "id": entry.event_id,
            "type": entry.event_type,
            "version": entry.version,
            "subject": entry.subject,
            "timestamp": entry.occurred_at.isoformat(),
            "data": entry.payload,
        }
    )


def envelope_schema(event: EventType) -> dict[str, Any]:
    """The JSON schema (2020-12) of the body a receiver gets for ``event``."""
    data = event.payload.model_json_schema(ref_template="#/$defs/{model}")
    defs = data.pop("$defs", {})
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://tradecover.example/events/{event.key}.json",
        "title": event.key,
        "description": event.summary,
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "type", "version", "subject", "timestamp", "data"],
        "properties": {
            "id": {"type": "string", "description": "Unique event id (also webhook-id)"},
            "type": {"const": event.name},
            "version": {"const": event.version},
            "subject": {
                "type": "string",
                "description": "What the event is about, e.g. limit_application:12; "
                "events of one subject are delivered in order",
            },
            "timestamp": {"type": "string", "format": "date-time"},
            "data": data,
        },
    }
    if defs:
        schema["$defs"] = defs
    return schema


def schema_documents(types: Iterable[EventType]) -> dict[str, str]:
    """The published schema files: ``<type>.v<N>.json`` and their text (what
    ``docs/events/`` holds; ``scripts/events_schemas.py`` writes them).
    """
    return {
        f"{t.key}.json": json.dumps(envelope_schema(t), indent=2, sort_keys=True) + "\n"
        for t in types
    }
